// mpegts.js's own WebSocket loader keeps its handlers on the socket after abort(): a player destroyed while its
// socket is still connecting (a tile switched or hidden within ~50 ms) then throws an uncaught RuntimeException
// from the socket's error event. This loader does the same job and lets go of the socket completely on abort.
import mpegts from 'mpegts.js';
import { cameraOfPlayUrl, markLive } from './marks';

const { LoaderStatus, LoaderErrors } = mpegts;
// The typings declare onError's first argument as the whole error table; at run time it is one of its values.
const EXCEPTION = LoaderErrors.EXCEPTION as unknown as typeof LoaderErrors;

// Chromium lets one WebSocket handshake at a time proceed per host:port (RFC 6455 4.1; ~15 ms each on an idle page)
// and delays a page's new WebSockets exponentially in the number still connecting (a few ms with 8 pending, seconds
// with 16): sixteen tiles opening at once left the last ones waiting up to 2.5 s. So at most one socket connects per
// media-server port and at most eight in all; the server hands a wall's grants out over several ports (FLV_PORTS),
// which then connect side by side (measured in tests/bench/latency.ts).
const MAX_CONNECTING = 8;
const connectingTo = new Map<string, number>();
let connecting = 0;
const waiting: Array<{ endpoint: string; run: () => void }> = [];

function nextWaiting(): void {
  while (connecting < MAX_CONNECTING) {
    // The longest-waiting socket whose port is free (not simply the first: its port may still be busy).
    const i = waiting.findIndex((w) => !connectingTo.get(w.endpoint));
    if (i < 0) return;
    waiting.splice(i, 1)[0]!.run();
  }
}

/**
 * Starts `start` when a connecting slot for `endpoint` (host:port) is free (always asynchronously: a wall's players are
 * all set up first; creating each socket at once, between them, measured slower); the returned function frees it.
 */
function acquireSlot(endpoint: string, start: () => void): () => void {
  let state: 'queued' | 'active' | 'done' = 'queued';
  const entry = {
    endpoint,
    run: () => {
      if (state !== 'queued') return;
      state = 'active';
      connecting++;
      connectingTo.set(endpoint, (connectingTo.get(endpoint) ?? 0) + 1);
      start();
    },
  };
  waiting.push(entry);
  queueMicrotask(nextWaiting);
  return () => {
    if (state === 'queued') { const i = waiting.indexOf(entry); if (i >= 0) waiting.splice(i, 1); }
    else if (state === 'active') {
      connecting--;
      const n = (connectingTo.get(endpoint) ?? 1) - 1;
      if (n > 0) connectingTo.set(endpoint, n); else connectingTo.delete(endpoint);
      nextWaiting();
    }
    state = 'done';
  };
}

/** host:port of a WebSocket URL (what Chromium serialises handshakes on). */
function endpointOf(url: string): string {
  try { const u = new URL(url); return `${u.hostname}:${u.port}`; } catch { return url; }
}

export class WsFlvLoader extends mpegts.BaseLoader {
  private ws: WebSocket | null = null;
  private received = 0;
  private releaseSlot: () => void = () => {};
  private cameraId: string | null = null;

  static isSupported(): boolean { return typeof WebSocket !== 'undefined'; }

  constructor() {
    super('websocket-loader');
    this._needStash = true;
  }

  open(source: { url?: string }): void {
    this._status = LoaderStatus.kConnecting;
    this.cameraId = cameraOfPlayUrl(source.url ?? '');
    if (this.cameraId) markLive('socket-queued', this.cameraId);
    this.releaseSlot = acquireSlot(endpointOf(source.url ?? ''), () => this.connect(source));
  }

  private connect(source: { url?: string }): void {
    try {
      const cameraId = this.cameraId;
      if (cameraId) markLive('socket-created', cameraId);
      const ws = new WebSocket(source.url ?? '');
      this.ws = ws;
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => { if (cameraId) markLive('socket-open', cameraId); this.releaseSlot(); this._status = LoaderStatus.kBuffering; };
      ws.onmessage = (e: MessageEvent) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        if (this.received === 0 && cameraId) markLive('first-data', cameraId);
        const byteStart = this.received;
        this.received += e.data.byteLength;
        this.onDataArrival?.(e.data, byteStart, this.received);
      };
      ws.onerror = () => {
        // A refused upgrade (no or bad token, stream not live) ends here; the close that follows is not news.
        ws.onclose = null;
        this.releaseSlot();
        this._status = LoaderStatus.kError;
        this.onError?.(EXCEPTION, { code: -1, msg: 'WebSocket error' });
      };
      ws.onclose = () => {
        // The media server closed the stream (publisher gone, server stopping).
        this._status = LoaderStatus.kComplete;
        this.onComplete?.(0, this.received - 1);
      };
    } catch (e) {
      this.releaseSlot();
      this._status = LoaderStatus.kError;
      this.onError?.(EXCEPTION, { code: -1, msg: e instanceof Error ? e.message : String(e) });
    }
  }

  abort(): void {
    this.releaseSlot();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
    }
    this._status = LoaderStatus.kComplete;
  }

  destroy(): void {
    this.abort();
    super.destroy();
  }
}
