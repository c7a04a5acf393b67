import pino from 'pino';
import { redactUrl } from '../streams/stream-path.js';

// Secrets never reach the log: cookies, passwords, keys and tokens are redacted wherever they appear.
export const redactPaths = [
  'req.headers.cookie', 'res.headers["set-cookie"]', 'password', '*.password', 'key', '*.key', 'token', '*.token', 'streamKey', '*.streamKey',
];

/**
 * And whatever the field: any URL in a logged string loses its user info and its query values (an RTSP camera's
 * rtsp://user:pass@host/…?token=… in an ffmpeg error, a database error quoting a row, a play URL). Paths above catch
 * known fields; this catches the ones nobody thought of.
 */
function scrubUrls(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('://') ? redactUrl(value) : value;
  // Errors are left to the err serializer below (it scrubs what it takes out of them).
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubUrls(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubUrls(v, depth + 1);
  return out;
}

/** destination: where the JSON lines go (standard output unless given; tests read the lines back). */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino({
    level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'uitkijk' },
    formatters: { log: (obj) => scrubUrls(obj) as Record<string, unknown> },
    serializers: { err: (e) => scrubUrls(JSON.parse(JSON.stringify(pino.stdSerializers.err(e)))) },
    hooks: { logMethod(args, method) { method.apply(this, args.map((a) => (typeof a === 'string' && a.includes('://') ? redactUrl(a) : a)) as Parameters<typeof method>); } },
  }, destination);
}
export type Logger = ReturnType<typeof createLogger>;
