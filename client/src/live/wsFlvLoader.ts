// mpegts.js's own WebSocket loader keeps its handlers on the socket after abort(): a player destroyed while its
// socket is still connecting (a tile switched or hidden within ~50 ms) then throws an uncaught RuntimeException
// from the socket's error event. This loader does the same job and lets go of the socket completely on abort.
import mpegts from 'mpegts.js';

const { LoaderStatus, LoaderErrors } = mpegts;
// The typings declare onError's first argument as the whole error table; at run time it is one of its values.
const EXCEPTION = LoaderErrors.EXCEPTION as unknown as typeof LoaderErrors;

// Chromium throttles a page's WebSockets that are still connecting (exponentially, one handshake per host:port
// at a time): sixteen tiles opening at once left the last ones waiting up to 2.5 s. Opening at most four at a
// time fills a 16-tile wall sooner (measured in tests/bench/latency.ts).
const MAX_CONNECTING = 4;
let connecting = 0;
const waiting: Array<() => void> = [];
/** Starts `start` when a connecting slot is free (always asynchronously); the returned function frees it. */
function acquireSlot(start: () => void): () => void {
  let state: 'queued' | 'active' | 'done' = 'queued';
  const run = () => { if (state !== 'queued') return; state = 'active'; connecting++; start(); };
  if (connecting < MAX_CONNECTING) queueMicrotask(run); else waiting.push(run);
  return () => {
    if (state === 'queued') { const i = waiting.indexOf(run); if (i >= 0) waiting.splice(i, 1); }
    else if (state === 'active') { connecting--; waiting.shift()?.(); }
    state = 'done';
  };
}

export class WsFlvLoader extends mpegts.BaseLoader {
  private ws: WebSocket | null = null;
  private received = 0;
  private releaseSlot: () => void = () => {};

  static isSupported(): boolean { return typeof WebSocket !== 'undefined'; }

  constructor() {
    super('websocket-loader');
    this._needStash = true;
  }

  open(source: { url?: string }): void {
    this._status = LoaderStatus.kConnecting;
    this.releaseSlot = acquireSlot(() => this.connect(source));
  }

  private connect(source: { url?: string }): void {
    try {
      const ws = new WebSocket(source.url ?? '');
      this.ws = ws;
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => { this.releaseSlot(); this._status = LoaderStatus.kBuffering; };
      ws.onmessage = (e: MessageEvent) => {
        if (!(e.data instanceof ArrayBuffer)) return;
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
