// Reference data always; demo accounts and cameras only in demo mode (never in production: config refuses it).
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { readConfigJson } from '../config.js';
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

export async function seedReferenceData(sql: Sql, configDir: string) {
  await upsertMunicipalities(sql, readConfigJson(configDir, 'municipalities.json', z.array(municipalitySchema)));
}

/** Demo publish keys are derived from a per-installation secret, so the simulator can push without the registry storing keys. */
export function demoKeyFor(dataDir: string, cameraId: string): string {
  const file = path.join(dataDir, '.demo-secret');
  if (!existsSync(file)) { mkdirSync(dataDir, { recursive: true }); writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 }); }
  return createHmac('sha256', readFileSync(file, 'utf8').trim()).update(cameraId).digest('base64url').slice(0, 32);
}

export interface DemoCamera { id: string; name: string; kind: 'permanent' | 'flexible'; source: 'rtmp' | 'rtsp'; key: string | null }

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
    cameras.push({ id: c.id, name: c.name, kind: c.kind, source: c.rtsp ? 'rtsp' : 'rtmp', key });
  }
  await seedDemoBookings(sql);
  return { demo, cameras };
}

/** On a first demo start: an event under supervision now (flexible unit 1 live), the observer rostered for it, and
 *  two requests waiting for the supervisor's planning. Later starts keep whatever the demo users did. */
async function seedDemoBookings(sql: Sql) {
  const [{ n }] = await sql`select count(*)::int as n from bookings` as unknown as [{ n: number }];
  if (n > 0) return;
  await sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const users = Object.fromEntries((await tx`select username, id from users where username in ('enschede', 'hengelo', 'observer')`).map((u) => [u.username, u.id]));
    const add = async (b: { municipality: string; by: string; name: string; address: string; lat: number; lon: number; risk: string; units: number; observers: number;
      ref: string; status: string; windows: [string, string][]; days: [string, string]; urgent?: boolean }) => {
      const [row] = await tx`insert into bookings (municipality_id, event_name, address, lat, lon, risk_class, units_wanted, observers_wanted, decision_reference,
          decision_from, decision_to, contact_name, contact_phone, contact_email, status, urgent, created_by)
        values (${b.municipality}, ${b.name}, ${b.address}, ${b.lat}, ${b.lon}, ${b.risk}, ${b.units}, ${b.observers}, ${b.ref}, ${b.days[0]}, ${b.days[1]},
          'Team Openbare Orde en Veiligheid', '14053', '', ${b.status}, ${b.urgent ?? false}, ${b.by}) returning id`;
      for (const [s, e] of b.windows) await tx`insert into booking_windows (booking_id, period) values (${row!.id}, tstzrange(${s}::timestamptz, ${e}::timestamptz))`;
      await tx`insert into booking_events (booking_id, kind, actor_name, details) values (${row!.id}, 'requested', 'demo', '{}')`;
      return row!.id as string;
    };
    // Times relative to this start, so the demo always has an event running.
    const [w] = await tx`select date_trunc('hour', now()) - interval '1 hour' as s, date_trunc('hour', now()) + interval '7 hours' as e,
      (now() at time zone 'Europe/Amsterdam')::date - 1 as d0, (now() at time zone 'Europe/Amsterdam')::date + 60 as d1,
      date_trunc('day', now()) + interval '21 days 19 hours' as s2, date_trunc('day', now()) + interval '22 days 1 hour' as e2,
      date_trunc('day', now()) + interval '5 days 18 hours' as s3, date_trunc('day', now()) + interval '5 days 23 hours' as e3`;
    const live = await add({ municipality: 'enschede', by: users.enschede, name: 'Winterfeest Oude Markt', address: 'Oude Markt, Enschede', lat: 52.2195, lon: 6.8965,
      risk: 'B', units: 1, observers: 1, ref: 'AB-OOV-2026-118', status: 'approved', windows: [[w!.s, w!.e]], days: [String(w!.d0), String(w!.d1)] });
    await tx`insert into booking_units (booking_id, window_id, camera_id, period) select ${live}, id, 'ens-flex-1', period from booking_windows where booking_id = ${live}`;
    await tx`insert into roster_entries (user_id, period) values (${users.observer}, tstzrange(${w!.s}::timestamptz - interval '1 hour', ${w!.e}::timestamptz + interval '1 hour'))`;
    await tx`insert into booking_observers (booking_id, user_id) values (${live}, ${users.observer})`;
    await add({ municipality: 'hengelo', by: users.hengelo, name: 'Kerstmarkt Hengelo', address: 'Markt, Hengelo', lat: 52.2656, lon: 6.7941,
      risk: 'A', units: 1, observers: 1, ref: 'HGL-2026-77', status: 'requested', windows: [[w!.s2, w!.e2]], days: [String(w!.d0), String(w!.d1)] });
    await add({ municipality: 'enschede', by: users.enschede, name: 'Schaatsbaan opening', address: 'Van Heekplein, Enschede', lat: 52.2178, lon: 6.8937,
      risk: 'A', units: 2, observers: 1, ref: 'AB-OOV-2026-121', status: 'requested', urgent: true, windows: [[w!.s3, w!.e3]], days: [String(w!.d0), String(w!.d1)] });
  });
}
