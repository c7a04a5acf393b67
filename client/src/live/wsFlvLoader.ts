// mpegts.js's own WebSocket loader keeps its handlers on the socket after abort(): a player destroyed while its
// socket is still connecting (a tile switched or hidden within ~50 ms) then throws an uncaught RuntimeException
// from the socket's error event. This loader does the same job and lets go of the socket completely on abort.
import mpegts from 'mpegts.js';

const { LoaderStatus, LoaderErrors } = mpegts;
// The typings declare onError's first argument as the whole error table; at run time it is one of its values.
const EXCEPTION = LoaderErrors.EXCEPTION as unknown as typeof LoaderErrors;

export class WsFlvLoader extends mpegts.BaseLoader {
  private ws: WebSocket | null = null;
  private received = 0;

  static isSupported(): boolean { return typeof WebSocket !== 'undefined'; }

  constructor() {
    super('websocket-loader');
    this._needStash = true;
  }

  open(source: { url?: string }): void {
    try {
      const ws = new WebSocket(source.url ?? '');
      this.ws = ws;
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => { this._status = LoaderStatus.kBuffering; };
      ws.onmessage = (e: MessageEvent) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        const byteStart = this.received;
        this.received += e.data.byteLength;
        this.onDataArrival?.(e.data, byteStart, this.received);
      };
      ws.onerror = () => {
        // A refused upgrade (no or bad token, stream not live) ends here; the close that follows is not news.
        ws.onclose = null;
        this._status = LoaderStatus.kError;
        this.onError?.(EXCEPTION, { code: -1, msg: 'WebSocket error' });
      };
      ws.onclose = () => {
        // The media server closed the stream (publisher gone, server stopping).
        this._status = LoaderStatus.kComplete;
        this.onComplete?.(0, this.received - 1);
      };
      this._status = LoaderStatus.kConnecting;
    } catch (e) {
      this._status = LoaderStatus.kError;
      this.onError?.(EXCEPTION, { code: -1, msg: e instanceof Error ? e.message : String(e) });
    }
  }

  abort(): void {
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
