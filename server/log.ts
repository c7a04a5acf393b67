import pino from 'pino';

// Secrets never reach the log: cookies, passwords, keys and tokens are redacted wherever they appear.
export const redactPaths = [
  'req.headers.cookie', 'res.headers["set-cookie"]', 'password', '*.password', 'key', '*.key', 'token', '*.token', 'streamKey', '*.streamKey',
];

/** destination: where the JSON lines go (standard output unless given; tests read the lines back). */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'uitkijk' } }, destination);
}
export type Logger = ReturnType<typeof createLogger>;
