// One POST to the external dispatch system, signed, with a deadline, classified into an outcome. Never throws.
import { createHmac } from 'node:crypto';

export type AttemptOutcome = 'delivered' | 'http_error' | 'rejected' | 'timeout' | 'network_error' | 'aborted';

export interface WebhookResult { outcome: AttemptOutcome; httpStatus: number | null; error: string | null; response: string | null; durationMs: number }

export const SIGNATURE_HEADER = 'X-Uitkijk-Signature';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`: the receiver recomputes it with the shared secret. */
export function signBody(secret: string, body: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * 2xx: delivered. 408, 425, 429 and 5xx: the receiver may manage later, retry. Anything else (3xx, other 4xx):
 * the receiver refuses this message as it is; retrying the same bytes cannot help, so it is reported instead.
 */
export function classifyStatus(status: number): 'delivered' | 'http_error' | 'rejected' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || status === 408 || status === 425 || status === 429) return 'http_error';
  return 'rejected';
}

/** Exponential backoff with ±20 % jitter (so many pending deliveries do not retry in lockstep). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(maxMs, exp * (0.8 + 0.4 * random())));
}

/** user:password in a URL never reaches the attempt log. */
export function redactUrl(url: string): string {
  try { const u = new URL(url); if (u.username || u.password) { u.username = '***'; u.password = ''; } return u.toString(); } catch { return 'invalid-url'; }
}

export interface WebhookRequest {
  url: string; secret: string; body: string; contentType: string; headers: Record<string, string>; timeoutMs: number;
  /** Aborted when the worker stops. */
  stop?: AbortSignal;
}

const RESPONSE_KEEP = 500;

export async function postWebhook(r: WebhookRequest): Promise<WebhookResult> {
  const started = Date.now();
  const deadline = AbortSignal.timeout(r.timeoutMs);
  const signal = r.stop ? AbortSignal.any([deadline, r.stop]) : deadline;
  const done = (outcome: AttemptOutcome, httpStatus: number | null, error: string | null, response: string | null): WebhookResult =>
    ({ outcome, httpStatus, error, response, durationMs: Date.now() - started });
  try {
    const res = await fetch(r.url, {
      method: 'POST', signal, redirect: 'manual',
      headers: { 'content-type': r.contentType, 'user-agent': 'Uitkijk-dispatch/1', [SIGNATURE_HEADER]: signBody(r.secret, r.body), ...r.headers },
      body: r.body,
    });
    const text = await readSome(res, signal);
    const kind = classifyStatus(res.status);
    return done(kind, res.status, kind === 'delivered' ? null : `HTTP ${res.status}`, text);
  } catch (e) {
    if (r.stop?.aborted) return done('aborted', null, 'worker stopped', null);
    if (deadline.aborted) return done('timeout', null, `no answer within ${r.timeoutMs} ms`, null);
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return done('network_error', null, [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ').slice(0, 500), null);
  }
}

/** The first few hundred characters of the answer, for the attempt log; the rest is not read into memory. */
async function readSome(res: Response, signal: AbortSignal): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 4096) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value); size += value.length;
    }
  } finally { void reader.cancel().catch(() => {}); }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? text.slice(0, RESPONSE_KEEP) : null;
}
