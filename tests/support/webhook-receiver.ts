// A stand-in for the external dispatch system: a real HTTP server on 127.0.0.1 that checks the HMAC signature
// of every request and answers as each test tells it to (per format): ok, 500, 400, slow, garbage, hang.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour = 'ok' | '500' | '400' | 'slow' | 'garbage' | 'hang';

export interface ReceivedRequest {
  at: number; format: string; alertId: string; messageId: string; idempotencyKey: string; contentType: string;
  attemptHeader: string; signature: string; signatureOk: boolean; body: string; answered: Behaviour;
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Behaviours to use next, per format; when empty, `otherwise`. */
  readonly plan: Record<string, Behaviour[]> = { cap: [], json: [] };
  otherwise: Behaviour = 'ok';
  private server!: http.Server;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(readonly secret: string) {}

  get url() { return `http://127.0.0.1:${this.port}/meldkamer/inbox`; }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening: connections are refused until start() on the same port. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Requests answered 2xx (what the receiving system accepted). */
  accepted(filter: (r: ReceivedRequest) => boolean = () => true) { return this.requests.filter((r) => r.answered === 'ok' && filter(r)); }
  forAlert(alertId: string) { return this.requests.filter((r) => r.alertId === alertId); }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const signature = String(req.headers['x-uitkijk-signature'] ?? '');
      const expected = Buffer.from('sha256=' + createHmac('sha256', this.secret).update(raw).digest('hex'));
      const signatureOk = signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected);
      const format = String(req.headers['x-uitkijk-format'] ?? '');
      const answered: Behaviour = !signatureOk ? '400' : (this.plan[format]?.shift() ?? this.otherwise);
      this.requests.push({
        at: Date.now(), format, alertId: String(req.headers['x-uitkijk-alert-id'] ?? ''), messageId: String(req.headers['x-uitkijk-message-id'] ?? ''),
        idempotencyKey: String(req.headers['idempotency-key'] ?? ''), contentType: String(req.headers['content-type'] ?? ''),
        attemptHeader: String(req.headers['x-uitkijk-attempt'] ?? ''), signature, signatureOk, body: raw.toString('utf8'), answered,
      });
      switch (answered) {
        case 'ok': res.writeHead(202, { 'content-type': 'application/json' }).end('{"ontvangen":true}'); break;
        case '500': res.writeHead(500).end('interne fout'); break;
        case '400': res.writeHead(400).end(signatureOk ? 'onbekend formaat' : 'bad signature'); break;
        case 'slow': setTimeout(() => { if (!res.destroyed) res.writeHead(200).end('te laat'); }, 2000).unref(); break;
        case 'hang': break; // never answers
        case 'garbage': req.socket.end('NOT HTTP AT ALL\r\n\u0000\u0001garbage\r\n\r\n'); break;
      }
    });
  }
}
