import pino from 'pino';

// Secrets never reach the log: cookies, passwords, keys and tokens are redacted wherever they appear.
export const redactPaths = [
  'req.headers.cookie', 'res.headers["set-cookie"]', 'password', '*.password', 'key', '*.key', 'token', '*.token', 'streamKey', '*.streamKey',
];

export function createLogger(level: string) {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'uitkijk' } });
}
export type Logger = ReturnType<typeof createLogger>;
