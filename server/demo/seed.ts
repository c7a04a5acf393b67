// Reference data always; demo accounts and cameras only in demo mode (never in production: config refuses it).
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { upsertMunicipalities } from '../cameras/store.js';
import { cameraKindSchema, locationSchema, municipalitySchema } from '../cameras/schema.js';
import { hashPublishKey } from '../cameras/service.js';
import { hashPassword } from '../auth/passwords.js';
import { roleSchema } from '../auth/policy.js';

const demoSchema = z.object({
  password: z.string(),
  users: z.array(z.object({ username: z.string(), displayName: z.string(), role: roleSchema, municipalityId: z.string().optional() })),
  cameras: z.array(z.object({ id: z.string(), name: z.string(), municipalityId: z.string(), location: locationSchema, kind: cameraKindSchema, notes: z.string().optional(), rtsp: z.boolean().optional() })),
});
export type DemoConfig = z.infer<typeof demoSchema>;

export function readConfigJson<T>(configDir: string, file: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(readFileSync(path.join(configDir, file), 'utf8')));
}

export async function seedReferenceData(sql: Sql, configDir: string) {
  await upsertMunicipalities(sql, readConfigJson(configDir, 'municipalities.json', z.array(municipalitySchema)));
}

/** Demo publish keys are derived from a per-installation secret, so the simulator can push without the registry storing keys. */
export function demoKeyFor(dataDir: string, cameraId: string): string {
  const file = path.join(dataDir, '.demo-secret');
  if (!existsSync(file)) { mkdirSync(dataDir, { recursive: true }); writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 }); }
  return createHmac('sha256', readFileSync(file, 'utf8').trim()).update(cameraId).digest('base64url').slice(0, 32);
}

export interface DemoCamera { id: string; name: string; source: 'rtmp' | 'rtsp'; key: string | null }

export async function seedDemo(sql: Sql, configDir: string, dataDir: string, rtspUrlFor: (id: string) => string): Promise<{ demo: DemoConfig; cameras: DemoCamera[] }> {
  const demo = readConfigJson(configDir, 'demo.json', demoSchema);
  const passwordHash = await hashPassword(demo.password);
  for (const u of demo.users) {
    await sql`insert into users (username, display_name, role, municipality_id, password_hash)
      values (${u.username}, ${u.displayName}, ${u.role}, ${u.municipalityId ?? null}, ${passwordHash}) on conflict (username) do nothing`;
  }
  const cameras: DemoCamera[] = [];
  for (const c of demo.cameras) {
    const key = c.rtsp ? null : demoKeyFor(dataDir, c.id);
    // The simulated RTSP camera serves a main stream only (its bridge pulls one stream).
    await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, rtsp_url, key_hash, has_sub_stream, notes)
      values (${c.id}, ${c.name}, ${c.municipalityId}, ${c.location.street}, ${c.location.lat}, ${c.location.lon}, ${c.kind},
              ${c.rtsp ? 'rtsp' : 'rtmp'}, ${c.rtsp ? rtspUrlFor(c.id) : null}, ${key ? hashPublishKey(key) : null}, ${!c.rtsp}, ${c.notes ?? ''})
      on conflict (id) do update set rtsp_url = excluded.rtsp_url where cameras.source_type = 'rtsp' and excluded.source_type = 'rtsp'`;
    // ^ the simulated RTSP camera follows DEMO_RTSP_PORT across starts; everything else an admin changed is kept.
    cameras.push({ id: c.id, name: c.name, source: c.rtsp ? 'rtsp' : 'rtmp', key });
  }
  return { demo, cameras };
}
