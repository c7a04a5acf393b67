// Our own listeners, never NMS's: its server classes call process.exit(1) when a port is taken. Ours reject start-up
// with an error that names the port, and once listening they only log: nothing here may end the process.
import net from 'node:net';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamsLog } from '../typed-emitter.js';

/** The client's address as the room shows it (IPv4 without the IPv6-mapped prefix). */
export function cleanAddr(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export function createRtmpServer(onConnection: (socket: net.Socket) => void): net.Server {
  const server = net.createServer(onConnection);
  server.maxConnections = 512;
  return server;
}

export interface PlayHandlers {
  onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

/** One HTTP server per play port, all alike: a player may use any of them. */
export function createPlayServers(count: number, play: PlayHandlers, log: StreamsLog): http.Server[] {
  return Array.from({ length: Math.max(1, count) }, () => {
    const server = http.createServer((req, res) => {
      play.onRequest(req, res).catch((err) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'FLV request failed');
        res.destroy();
      });
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      play.onUpgrade(req, socket, head).catch((err) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'WebSocket-FLV upgrade failed');
        socket.destroy();
      });
    });
    return server;
  });
}

/**
 * Listens on the RTMP port, then on the play ports (httpPort, httpPort + 1, …; all OS-picked when httpPort is 0).
 * If one fails, what did listen is closed again and the error rethrown.
 */
export async function listenAll(
  rtmpServer: net.Server,
  httpServers: http.Server[],
  at: { host: string; rtmpPort: number; httpPort: number },
  log: StreamsLog,
): Promise<{ rtmpPort: number; playPorts: number[] }> {
  let rtmpPort: number;
  const playPorts: number[] = [];
  try {
    rtmpPort = await listen(rtmpServer, at.rtmpPort, at.host, 'RTMP');
    for (const [i, server] of httpServers.entries()) {
      playPorts.push(await listen(server, at.httpPort === 0 ? 0 : at.httpPort + i, at.host, 'HTTP-FLV'));
    }
  } catch (err) {
    await closeServer(rtmpServer);
    for (const server of httpServers) await closeServer(server);
    throw err;
  }
  rtmpServer.on('error', (err) => log.error({ err: err.message }, 'RTMP server error'));
  for (const server of httpServers) server.on('error', (err) => log.error({ err: err.message }, 'HTTP-FLV server error'));
  return { rtmpPort, playPorts };
}

function listen(server: net.Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} port ${port} already in use on ${host} (another process, or an earlier instance of this server, is listening there)`)
          : new Error(`${what} could not listen on ${host}:${port}: ${err.message}`),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
