// HTTP-FLV and WebSocket-FLV players on the play ports: (ws|http)://host:port/live/<stream>.flv?token=...
// Only plays are routed (NMS's HTTP side would also accept unauthenticated FLV publishing), and only once the room
// authorised the token. Both transports then share one viewer start (viewers.ts startFlvViewer).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { nms, type WsServerLike } from './nms.js';
import { cleanAddr } from './servers.js';
import { startFlvViewer, type PlayDecision, type Viewers } from './viewers.js';

const FLV_PATH = /^\/([^/]+)\/([^/]+)\.flv$/;

export interface FlvPlayDeps {
  viewers: Viewers;
  /** FlvSession reads it as the request's hostname. */
  host: string;
  isStopped(): boolean;
}

export interface FlvPlay {
  onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** At stop: cuts every WebSocket player, then (once the servers closed) the WebSocket server. */
  terminateWebSockets(): void;
  closeWebSocketServer(): void;
}

interface FlvRequest {
  remoteAddr: string;
  url: URL;
  app: string;
  name: string;
}

export function createFlvPlay(d: FlvPlayDeps): FlvPlay {
  const wss = new nms.WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  return {
    onRequest: (req, res) => playOverHttp(d, req, res),
    onUpgrade: (req, socket, head) => playOverWebSocket(d, wss, req, socket, head),
    terminateWebSockets() {
      for (const ws of wss.clients) ws.terminate();
    },
    closeWebSocketServer: () => wss.close(),
  };
}

/** The stream a player asks for; null when the path names no FLV stream. */
function flvRequest(req: http.IncomingMessage): FlvRequest | null {
  const remoteAddr = cleanAddr(req.socket.remoteAddress);
  const url = new URL(req.url ?? '/', 'http://media.invalid');
  const m = FLV_PATH.exec(url.pathname);
  if (!m) return null;
  const [, app = '', name = ''] = m;
  return { remoteAddr, url, app, name };
}

// The Cookie header goes along: a browser sends the console's cookies to every port of its host, which lets the
// room tie the play to the login session it was granted in.
function authorizeFlv(viewers: Viewers, req: http.IncomingMessage, r: FlvRequest): Promise<PlayDecision> {
  return viewers.authorize(r.app, r.name, r.url.searchParams.get('token') ?? '', r.remoteAddr, req.headers.cookie ?? null);
}

function refuseHttp(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Access-Control-Allow-Origin': '*',
  });
  res.end(JSON.stringify({ error: { code, message } }));
}

async function playOverHttp(d: FlvPlayDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const r = flvRequest(req);
  if (!r) return refuseHttp(res, 404, 'not_found', 'no such stream path');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET' });
    return void res.end();
  }
  if (req.method !== 'GET') return refuseHttp(res, 405, 'method_not_allowed', 'streams are played with GET; publishing is RTMP only');
  const decision = await authorizeFlv(d.viewers, req, r);
  if (req.socket.destroyed || d.isStopped()) return void res.destroy();
  if (!decision.ok) return refuseHttp(res, decision.status, 'play_refused', decision.reason);

  // FlvSession reads express-style fields for HTTP players.
  Object.assign(req, { params: { app: r.app, name: r.name }, query: Object.fromEntries(r.url.searchParams), hostname: d.host });
  res.writeHead(200, {
    'Content-Type': 'video/x-flv',
    'Cache-Control': 'no-cache, no-store',
    'Access-Control-Allow-Origin': '*',
  });
  startFlvViewer(d.viewers, req, {
    protocol: 'http-flv',
    target: res,
    close: () => res.destroy(),
    backlogBytes: () => res.writableLength,
    onClose: (listener) => req.socket.once('close', listener),
  }, decision, r.remoteAddr);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\nAccess-Control-Allow-Origin: *\r\n\r\n`);
}

async function playOverWebSocket(
  d: FlvPlayDeps,
  wss: WsServerLike,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => {});
  const r = flvRequest(req);
  if (!r) return refuseUpgrade(socket, 404, 'Not Found');
  // NMS treats these subprotocols as FLV publishers: publishing goes over RTMP with a key, never here.
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').toLowerCase();
  if (/\b(post|publisher)\b/.test(protocols)) return refuseUpgrade(socket, 403, 'Forbidden');
  const decision = await authorizeFlv(d.viewers, req, r);
  if (socket.destroyed || d.isStopped()) return void socket.destroy();
  if (!decision.ok) {
    const text = decision.status === 401 ? 'Unauthorized' : decision.status === 404 ? 'Not Found' : 'Forbidden';
    return refuseUpgrade(socket, decision.status, text);
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (d.isStopped()) return ws.terminate();
    startFlvViewer(d.viewers, req, {
      protocol: 'ws-flv',
      target: ws,
      close: () => ws.terminate(),
      backlogBytes: () => ws.bufferedAmount,
      onClose: (listener) => ws.on('close', listener),
    }, decision, r.remoteAddr);
  });
}
