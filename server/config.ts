// One typed, validated, frozen Config from config/defaults.json overlaid by the environment.
// Every setting is documented (with what it trades off) in README's settings table.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no']).transform((v) => ['true', '1', 'on', 'yes'].includes(v));
// 0 asks the OS for a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(8080),
  RTMP_PORT: port.default(1935),
  FLV_PORT: port.default(8000),
  MEDIA_HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL').optional(),
  EMBEDDED_PG_PORT: port.default(5433),
  DATA_DIR: z.string().min(1).default('./data'),
  MEDIA_DIR: z.string().min(1).default('./data/media'),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(28).default(28),
  DEMO: bool.optional(),
  DEMO_CAMERAS: bool.optional(),
  DEMO_RTSP_PORT: port.default(8554),
  DEMO_VIDEO: z.enum(['loops', 'live-clock']).default('loops'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  PUBLIC_ORIGIN: z.string().url().optional(),
  SERVE_CLIENT: bool.default(true),
});

type Parsed = z.infer<typeof configSchema>;
export type Config = Readonly<Omit<Parsed, 'DEMO' | 'DEMO_CAMERAS'> & { DEMO: boolean; DEMO_CAMERAS: boolean; DATA_DIR: string; MEDIA_DIR: string }>;

export class ConfigError extends Error {}

/** Human description of what a setting accepts, for the start-up error. */
function accepts(issue: z.core.$ZodIssue): string {
  return issue.message;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, configDir = path.resolve('config')): Config {
  const file = path.join(configDir, 'defaults.json');
  const fromFile: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  for (const [k, v] of Object.entries(merged)) if (typeof v === 'number' || typeof v === 'boolean') merged[k] = String(v);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${String(i.path[0])}=${JSON.stringify(merged[String(i.path[0])])}: ${accepts(i)}`);
    throw new ConfigError(`Invalid settings:\n${lines.join('\n')}`);
  }
  const c = result.data;
  // Demo accounts and cameras never exist in production, whatever DEMO says.
  if (c.NODE_ENV === 'production' && c.DEMO === true) throw new ConfigError('Invalid settings:\n  DEMO=true: demo mode is refused when NODE_ENV=production');
  const demo = c.DEMO ?? c.NODE_ENV !== 'production';
  return Object.freeze({ ...c, DEMO: demo, DEMO_CAMERAS: demo && (c.DEMO_CAMERAS ?? true), DATA_DIR: path.resolve(c.DATA_DIR), MEDIA_DIR: path.resolve(c.MEDIA_DIR) });
}
