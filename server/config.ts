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
  FLV_PORTS: z.coerce.number().int().min(1).max(16).default(8),
  MEDIA_HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL').optional(),
  EMBEDDED_PG_PORT: port.default(5433),
  DATA_DIR: z.string().min(1).default('./data'),
  MEDIA_DIR: z.string().min(1).default('./data/media'),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(28).default(28),
  // Recording and evidence (issue 4); README's settings table says what each trades off.
  RECORDING: bool.optional(),
  SEGMENT_SECONDS: z.coerce.number().int().min(1).max(10).default(2),
  RETENTION_SWEEP_MINUTES: z.coerce.number().int().min(1).max(60).default(60),
  DISK_MIN_FREE_MB: z.coerce.number().int().min(0).max(10_000_000).default(2048),
  EVIDENCE_MAX_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(120),
  EVIDENCE_POSTROLL_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  EVIDENCE_LINK_MINUTES: z.coerce.number().int().min(1).max(60).default(10),
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
  DISPATCH_WEBHOOK_URL: z.string().url().refine((u) => /^https?:\/\//.test(u), 'an http:// or https:// URL').optional(),
  DISPATCH_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  DISPATCH_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  DISPATCH_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  DISPATCH_RETRY_MAX_MS: z.coerce.number().int().min(10).max(24 * 3_600_000).default(300_000),
  DISPATCH_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(30),
  DISPATCH_ESCALATE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  DISPATCH_CAP_SENDER: z.string().regex(/^[^\s,<&]{3,200}$/, 'no spaces, commas, < or &').default('uitkijk@toezichtsruimte.twente'),
  DISPATCH_WORKER: bool.default(true),
  // Flexible supervision (issue 6).
  BOOKING_LEAD_WORKING_DAYS: z.coerce.number().int().min(0).max(100).default(10),
  BOOKING_SETUP_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(30),
  BOOKING_TEARDOWN_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(15),
  BOOKING_MAX_WINDOW_HOURS: z.coerce.number().int().min(1).max(14 * 24).default(72),
  // More than one node (issue 14; server/cluster/README.md). NODE_ID set: this node is one of several.
  NODE_ID: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes, 1–40 long').optional(),
  // Where the other nodes reach this one's API (segment fetches); default http://<HOST or 127.0.0.1>:<PORT>.
  NODE_API_URL: z.string().url().optional(),
  // The host name consoles use for this node's media ports, when it is not the console's own host.
  NODE_MEDIA_HOST: z.string().min(1).optional(),
  NODE_LEASE_SECONDS: z.coerce.number().int().min(2).max(60).default(4),
  // One MEDIA_DIR shared by all nodes (a shared file system): segments are read in place, one retention sweep.
  MEDIA_SHARED: bool.default(false),
});

type Parsed = z.infer<typeof configSchema>;
export type Config = Readonly<Omit<Parsed, 'DEMO' | 'DEMO_CAMERAS' | 'RECORDING' | 'NODE_ID'> & {
  DEMO: boolean; DEMO_CAMERAS: boolean; RECORDING: boolean; DATA_DIR: string; MEDIA_DIR: string;
  NODE_ID: string; /** NODE_ID was given: one node of several (the socket.io adapter is on). */ CLUSTERED: boolean;
}>;

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
    // A secret is never echoed, not even a wrong one.
    const shown = (k: string) => (/SECRET/.test(k) ? '"[hidden]"' : JSON.stringify(merged[k]));
    const lines = result.error.issues.map((i) => `  ${String(i.path[0])}=${shown(String(i.path[0]))}: ${accepts(i)}`);
    throw new ConfigError(`Invalid settings:\n${lines.join('\n')}`);
  }
  const c = result.data;
  // Demo accounts and cameras never exist in production, whatever DEMO says.
  if (c.NODE_ENV === 'production' && c.DEMO === true) throw new ConfigError('Invalid settings:\n  DEMO=true: demo mode is refused when NODE_ENV=production');
  // An unsigned webhook would let anyone on the path forge or read alerts as ours: the secret is required.
  if (c.DISPATCH_WEBHOOK_URL && !c.DISPATCH_WEBHOOK_SECRET) throw new ConfigError('Invalid settings:\n  DISPATCH_WEBHOOK_SECRET: required when DISPATCH_WEBHOOK_URL is set (at least 16 characters)');
  if (c.FLV_PORT > 0 && c.FLV_PORT + c.FLV_PORTS - 1 > 65535) throw new ConfigError(`Invalid settings:\n  FLV_PORTS=${c.FLV_PORTS}: FLV_PORT ${c.FLV_PORT} and the ${c.FLV_PORTS - 1} ports after it must all be ports (≤ 65535)`);
  // The embedded PostgreSQL lives in one node's data directory: no other node can reach it.
  if (c.NODE_ID && !c.DATABASE_URL) throw new ConfigError(`Invalid settings:\n  NODE_ID=${c.NODE_ID}: more than one node needs DATABASE_URL, a PostgreSQL every node reaches (the embedded one serves one node only)`);
  // The demo's cameras and RTSP server are one node's: a cluster runs without them.
  if (c.NODE_ID && c.DEMO === true) throw new ConfigError(`Invalid settings:\n  DEMO=true: demo mode runs one node; unset NODE_ID or DEMO`);
  const demo = c.DEMO ?? (c.NODE_ENV !== 'production' && !c.NODE_ID);
  return Object.freeze({ ...c, NODE_ID: c.NODE_ID ?? 'node-1', CLUSTERED: !!c.NODE_ID, DEMO: demo, DEMO_CAMERAS: demo && (c.DEMO_CAMERAS ?? true),
    // Recording the 18 simulated cameras writes ~11.5 GB an hour: off in demo mode unless asked for.
    RECORDING: c.RECORDING ?? !demo, DATA_DIR: path.resolve(c.DATA_DIR), MEDIA_DIR: path.resolve(c.MEDIA_DIR) });
}

/** A JSON file of config/ (municipalities, categories, holidays, the demo), checked against its schema. */
export function readConfigJson<T>(configDir: string, file: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(readFileSync(path.join(configDir, file), 'utf8')));
}
