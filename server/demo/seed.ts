// Reference data always; demo accounts and cameras only in demo mode (never in production: config refuses it).
// Written through the capabilities' stores: the demo holds no SQL of its own.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { readConfigJson } from '../config.js';
import { seedCamera, upsertMunicipalities } from '../cameras/store.js';
import { insertUserUnlessTaken, userIdsByUsername } from '../users/store.js';
import * as bookings from '../bookings/store.js';
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
  for (const u of demo.users) await insertUserUnlessTaken(sql, { ...u, municipalityId: u.municipalityId ?? null, passwordHash });
  const cameras: DemoCamera[] = [];
  for (const c of demo.cameras) {
    const key = c.rtsp ? null : demoKeyFor(dataDir, c.id);
    // The simulated RTSP camera serves a main stream only (its bridge pulls one stream); it follows DEMO_RTSP_PORT
    // across starts, and everything else an admin changed is kept.
    await seedCamera(sql, { ...c, rtspUrl: c.rtsp ? rtspUrlFor(c.id) : null, keyHash: key ? hashPublishKey(key) : null, hasSubStream: !c.rtsp, notes: c.notes ?? '' });
    cameras.push({ id: c.id, name: c.name, kind: c.kind, source: c.rtsp ? 'rtsp' : 'rtmp', key });
  }
  await seedDemoBookings(sql);
  return { demo, cameras };
}

/** On a first demo start: an event under supervision now (flexible unit 1 live), the observer rostered for it, and
 *  two requests waiting for the supervisor's planning. Later starts keep whatever the demo users did. */
async function seedDemoBookings(sql: Sql) {
  if ((await bookings.countBookings(sql)) > 0) return;
  await sql.begin(async (t) => {
    const tx = t as unknown as Sql;
    const users = await userIdsByUsername(tx, ['enschede', 'hengelo', 'observer']);
    const add = async (b: { municipality: string; by: string; name: string; address: string; lat: number; lon: number; risk: 'A' | 'B' | 'C'; units: number; observers: number;
      ref: string; status: 'requested' | 'approved'; windows: [Date, Date][]; days: [string, string]; urgent?: boolean }) => {
      const { id } = await bookings.insertBooking(tx, {
        municipalityId: b.municipality, eventName: b.name, address: b.address, location: { lat: b.lat, lon: b.lon }, riskClass: b.risk,
        unitsWanted: b.units, observersWanted: b.observers, decision: { reference: b.ref, from: b.days[0], to: b.days[1] },
        contact: { name: 'Team Openbare Orde en Veiligheid', phone: '14053', email: '' }, notes: '', urgent: b.urgent ?? false, status: b.status,
      }, b.by);
      await bookings.insertWindows(tx, id, b.windows.map(([start, end]) => ({ start, end })));
      await bookings.addEvent(tx, id, { id: null, displayName: 'demo' }, 'requested');
      return id;
    };
    // Times relative to this start, so the demo always has an event running.
    const w = await bookings.demoTimes(tx);
    const live = await add({ municipality: 'enschede', by: users.enschede!, name: 'Winterfeest Oude Markt', address: 'Oude Markt, Enschede', lat: 52.2195, lon: 6.8965,
      risk: 'B', units: 1, observers: 1, ref: 'AB-OOV-2026-118', status: 'approved', windows: [[w.s, w.e]], days: [String(w.d0), String(w.d1)] });
    await bookings.assignUnits(tx, live, await bookings.windowsOf(tx, live), ['ens-flex-1']);
    const hour = 3_600_000;
    await bookings.insertRoster(tx, { userId: users.observer!, start: new Date(w.s.getTime() - hour), end: new Date(w.e.getTime() + hour), by: null });
    await bookings.addObserver(tx, live, users.observer!);
    await add({ municipality: 'hengelo', by: users.hengelo!, name: 'Kerstmarkt Hengelo', address: 'Markt, Hengelo', lat: 52.2656, lon: 6.7941,
      risk: 'A', units: 1, observers: 1, ref: 'HGL-2026-77', status: 'requested', windows: [[w.s2, w.e2]], days: [String(w.d0), String(w.d1)] });
    await add({ municipality: 'enschede', by: users.enschede!, name: 'Schaatsbaan opening', address: 'Van Heekplein, Enschede', lat: 52.2178, lon: 6.8937,
      risk: 'A', units: 2, observers: 1, ref: 'AB-OOV-2026-121', status: 'requested', urgent: true, windows: [[w.s3, w.e3]], days: [String(w.d0), String(w.d1)] });
  });
}
