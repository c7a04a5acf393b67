// A minimal RTSP server for the demo's simulated RTSP cameras, so the real RTSP bridge (a pulling ffmpeg
// client, exactly as for a physical camera) runs in demo mode and tests.
// Why our own: ffmpeg cannot serve RTSP (`-rtsp_flags listen` exists only for *receiving* a pushed stream),
// node-media-server has no RTSP server, and nothing else suitable is installed. So: ffmpeg packetises a loop
// as RTP to a local UDP port (`-f rtp -sdp_file`), and this server relays those packets to any number of
// RTSP clients over TCP-interleaved transport (the only transport our bridge uses). It speaks just enough
// RTSP for ffmpeg's client: OPTIONS, DESCRIBE, SETUP (TCP), PLAY, TEARDOWN, GET/SET_PARAMETER.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { silentLog, type StreamsLog } from './typed-emitter.js';

export interface DemoRtspServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  log?: StreamsLog;
  /**
   * A camera that wants credentials (tests): DESCRIBE, SETUP and PLAY are answered 401 (Basic) unless this says yes.
   * Gets the request URL as the client sent it (query included) and its Authorization header.
   */
  authorize?(request: { method: string; url: string; authorization: string | null }): boolean;
}

export interface DemoRtspServer {
  readonly port: number;
  /** rtsp://host:port/<path> */
  url(path: string): string;
  /**
   * Registers a stream path. Returns the UDP ports an RTP sender should target; the SDP written by that
   * sender (ffmpeg -sdp_file) is read from `sdpFile` at each DESCRIBE.
   */
  addSource(path: string, sdpFile: string): Promise<{ rtpPort: number; rtcpPort: number }>;
  removeSource(path: string): void;
  /** Number of RTSP clients currently playing. */
  playingClients(): number;
  stop(): Promise<void>;
}

interface Source {
  path: string;
  sdpFile: string;
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  players: Set<Client>;
}

interface Client {
  socket: net.Socket;
  buf: Buffer;
  session: string | null;
  source: Source | null;
  rtpChannel: number;
  rtcpChannel: number;
  playing: boolean;
}

const MAX_REQUEST_BYTES = 16 * 1024;
const MAX_CLIENT_BACKLOG = 4 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 15_000;
const PATH_RE = /^[A-Za-z0-9_-]+$/;

function bindUdp(host: string): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host, () => {
      s.off('error', reject);
      s.on('error', () => {});
      // A keyframe arrives as a burst of ~100 packets; keep them all.
      try {
        s.setRecvBufferSize(4 * 1024 * 1024);
      } catch {
        /* capped by the OS; the default still works on loopback */
      }
      resolve(s);
    });
  });
}

/** ffmpeg's RTP SDP describes a unicast UDP destination; RTSP DESCRIBE needs control attributes instead. */
export function sdpForRtsp(sdp: string): string {
  const out: string[] = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!line) continue;
    if (line.startsWith('c=')) out.push('c=IN IP4 0.0.0.0');
    else if (line.startsWith('m=')) out.push(line.replace(/^m=(\S+) \d+ /, 'm=$1 0 '), 'a=control:trackID=0');
    else if (line.startsWith('a=control:')) continue;
    else if (line.startsWith('t=')) out.push(line, 'a=control:*');
    else out.push(line);
  }
  return out.join('\r\n') + '\r\n';
}

export async function startDemoRtspServer(opts: DemoRtspServerOptions): Promise<DemoRtspServer> {
  const log = opts.log ?? silentLog;
  const sources = new Map<string, Source>();
  const clients = new Set<Client>();

  const reply = (c: Client, cseq: string, status: string, headers: Record<string, string> = {}, body = '') => {
    let head = `RTSP/1.0 ${status}\r\nCSeq: ${cseq}\r\nServer: uitkijk-demo\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    c.socket.write(head + '\r\n' + body);
  };

  const sourceOf = (url: string): Source | undefined => {
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch {
      return undefined;
    }
    const first = pathname.split('/').filter(Boolean)[0] ?? '';
    return sources.get(first);
  };

  const handleRequest = async (c: Client, method: string, url: string, headers: Map<string, string>) => {
    const cseq = headers.get('cseq') ?? '0';
    if (opts.authorize && ['DESCRIBE', 'SETUP', 'PLAY'].includes(method) && !opts.authorize({ method, url, authorization: headers.get('authorization') ?? null })) {
      return reply(c, cseq, '401 Unauthorized', { 'WWW-Authenticate': 'Basic realm="uitkijk-demo"' });
    }
    switch (method) {
      case 'OPTIONS':
        return reply(c, cseq, '200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER, SET_PARAMETER' });
      case 'DESCRIBE': {
        const source = sourceOf(url);
        if (!source) return reply(c, cseq, '404 Not Found');
        let sdp: string;
        try {
          sdp = await readFile(source.sdpFile, 'utf8');
        } catch {
          return reply(c, cseq, '503 Service Unavailable'); // the RTP sender has not started yet
        }
        const base = url.endsWith('/') ? url : `${url}/`;
        return reply(c, cseq, '200 OK', { 'Content-Type': 'application/sdp', 'Content-Base': base }, sdpForRtsp(sdp));
      }
      case 'SETUP': {
        const source = sourceOf(url);
        if (!source) return reply(c, cseq, '404 Not Found');
        const transport = headers.get('transport') ?? '';
        if (!/RTP\/AVP\/TCP/i.test(transport)) return reply(c, cseq, '461 Unsupported Transport');
        const m = /interleaved=(\d+)(?:-(\d+))?/i.exec(transport);
        c.rtpChannel = m ? Number(m[1]) : 0;
        c.rtcpChannel = m?.[2] !== undefined ? Number(m[2]) : c.rtpChannel + 1;
        c.source = source;
        c.session ??= randomBytes(8).toString('hex');
        return reply(c, cseq, '200 OK', {
          Transport: `RTP/AVP/TCP;unicast;interleaved=${c.rtpChannel}-${c.rtcpChannel}`,
          Session: `${c.session};timeout=60`,
        });
      }
      case 'PLAY': {
        if (!c.source || !c.session) return reply(c, cseq, '455 Method Not Valid in This State');
        reply(c, cseq, '200 OK', { Session: c.session, Range: 'npt=0.000-' });
        c.playing = true;
        c.source.players.add(c);
        return;
      }
      case 'TEARDOWN':
        reply(c, cseq, '200 OK', c.session ? { Session: c.session } : {});
        c.socket.end();
        return;
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return reply(c, cseq, '200 OK', c.session ? { Session: c.session } : {});
      default:
        return reply(c, cseq, '501 Not Implemented');
    }
  };

  /** Splits the client's byte stream into RTSP requests, skipping interleaved ($) RTCP receiver reports. */
  const onData = (c: Client, chunk: Buffer) => {
    c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
    for (;;) {
      if (c.buf.length === 0) return;
      if (c.buf[0] === 0x24) {
        if (c.buf.length < 4) return;
        const len = c.buf.readUInt16BE(2);
        if (c.buf.length < 4 + len) return;
        c.buf = c.buf.subarray(4 + len);
        continue;
      }
      const end = c.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (c.buf.length > MAX_REQUEST_BYTES) c.socket.destroy();
        return;
      }
      const lines = c.buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      const bodyLength = Number(headers.get('content-length') ?? 0) || 0;
      if (bodyLength > MAX_REQUEST_BYTES) return void c.socket.destroy();
      if (c.buf.length < end + 4 + bodyLength) return;
      c.buf = c.buf.subarray(end + 4 + bodyLength);
      const [method = '', url = ''] = (lines[0] ?? '').split(' ');
      c.socket.setTimeout(c.playing ? 0 : IDLE_TIMEOUT_MS);
      handleRequest(c, method.toUpperCase(), url, headers).catch((err) => {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'demo RTSP request failed');
        c.socket.destroy();
      });
    }
  };

  const server = net.createServer((socket) => {
    const c: Client = { socket, buf: Buffer.alloc(0), session: null, source: null, rtpChannel: 0, rtcpChannel: 1, playing: false };
    clients.add(c);
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => {
      if (!c.playing) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => onData(c, chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clients.delete(c);
      c.source?.players.delete(c);
    });
  });

  const relay = (source: Source, which: 'rtp' | 'rtcp') => (packet: Buffer) => {
    for (const c of source.players) {
      if (c.socket.writableLength > MAX_CLIENT_BACKLOG) {
        c.socket.destroy(); // a client that does not read must not make us buffer without bound
        continue;
      }
      const header = Buffer.alloc(4);
      header[0] = 0x24;
      header[1] = which === 'rtp' ? c.rtpChannel : c.rtcpChannel;
      header.writeUInt16BE(packet.length, 2);
      c.socket.write(Buffer.concat([header, packet]));
    }
  };

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`demo RTSP port ${opts.port} already in use on ${opts.host}`) : err),
    );
    server.listen(opts.port, opts.host, () => resolve((server.address() as net.AddressInfo).port));
  });
  server.on('error', (err) => log.error({ err: err.message }, 'demo RTSP server error'));

  const removeSource = (path: string) => {
    const source = sources.get(path);
    if (!source) return;
    sources.delete(path);
    source.rtp.close();
    source.rtcp.close();
    for (const c of source.players) c.socket.destroy();
  };

  return {
    port,
    url: (path) => `rtsp://${opts.host}:${port}/${path}`,
    async addSource(path, sdpFile) {
      if (!PATH_RE.test(path)) throw new Error(`invalid RTSP path ${JSON.stringify(path)}`);
      if (sources.has(path)) throw new Error(`RTSP path ${path} already registered`);
      const [rtp, rtcp] = await Promise.all([bindUdp('127.0.0.1'), bindUdp('127.0.0.1')]);
      const source: Source = { path, sdpFile, rtp, rtcp, players: new Set() };
      rtp.on('message', relay(source, 'rtp'));
      rtcp.on('message', relay(source, 'rtcp'));
      sources.set(path, source);
      return { rtpPort: rtp.address().port, rtcpPort: rtcp.address().port };
    },
    removeSource,
    playingClients: () => [...clients].filter((c) => c.playing).length,
    async stop() {
      for (const path of [...sources.keys()]) removeSource(path);
      for (const c of clients) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
