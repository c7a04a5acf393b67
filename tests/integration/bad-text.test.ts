// Bad bytes in text: a NUL character (PostgreSQL cannot store it) or a lone UTF-16 surrogate (not Unicode) in any
// text field or query parameter is refused with 400 naming the field, logs nothing at error level and changes nothing.
// Generated from the server's own route list: every route × every text field its schemas accept (tests/support/text-fields.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { can, roles, type Role } from '../../server/auth/policy.js';
import type { RouteDef } from '../../server/http/route.js';
import { ApiClient, capturedLog, startTestRoom, type TestRoom } from '../support/room.js';
import { textFields } from '../support/text-fields.js';

const captured = capturedLog('info');
let room: TestRoom;
const clients = new Map<Role, ApiClient>();
const demoUser: Record<Role, string> = { observer: 'observer', supervisor: 'supervisor', dispatcher: 'dispatcher', police: 'police', municipality: 'enschede', admin: 'admin' };

beforeAll(async () => {
  room = await startTestRoom({}, { log: captured.log });
  for (const role of roles) clients.set(role, await new ApiClient(room.url).login(demoUser[role]));
});
afterAll(async () => { await room?.close(); });

const NUL = 'ab\u0000cd';
const LONE_SURROGATE = 'ab\ud800cd';
const errorLines = () => captured.lines.filter((l) => l.level >= 50);
const counts = async () => (await room.sql`select (select count(*) from audit_log)::int as audit, (select count(*) from login_failures)::int as failures,
  (select count(*) from incidents)::int as incidents, (select count(*) from cameras)::int as cameras, (select count(*) from evidence_items)::int as evidence`)[0];

/** A value each path parameter accepts (ids of the kinds the routes use), so a request reaches its query and body. */
function validParams(r: RouteDef): Record<string, string> {
  const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const candidates = ['ens-oude-markt', '00000000-0000-0000-0000-000000000000', '1', 'x'.repeat(43)];
  const accepted = (name: string, value: string) => !r.params || !((r.params as z.ZodType).safeParse({ [name]: value }).error?.issues ?? []).some((i) => i.path[0] === name);
  return Object.fromEntries(names.map((name) => [name, candidates.find((c) => accepted(name, c)) ?? 'x']));
}
const pathWith = (r: RouteDef, params: Record<string, string>) => r.path.replace(/:(\w+)/g, (_, n: string) => encodeURIComponent(params[n]!));
const clientFor = (r: RouteDef) => {
  if (r.action === 'public') return new ApiClient(room.url);
  const role = roles.find((x) => can(x, r.action as never));
  if (!role) throw new Error(`no role may use ${r.path}`);
  return clients.get(role)!;
};

interface Case { label: string; send(): Promise<{ status: number; body: any }>; field: string }

/** Every route × text field × bad value. Path parameters and query strings carry NUL (a URL cannot hold a lone surrogate). */
function cases(): Case[] {
  const out: Case[] = [];
  for (const r of room.routes) {
    const method = r.method.toUpperCase();
    const params = validParams(r);
    for (const f of textFields(r.params)) {
      const name = String(f.path[0]);
      out.push({ label: `${method} ${r.path} param ${name}`, field: name,
        send: () => clientFor(r).request(method, pathWith(r, { ...params, [name]: NUL }), r.method === 'get' || r.method === 'delete' ? undefined : {}) });
    }
    for (const f of textFields(r.query)) {
      const name = String(f.path[0]);
      out.push({ label: `${method} ${r.path} query ${name}`, field: name,
        send: () => clientFor(r).request(method, `${pathWith(r, params)}?${name}=${encodeURIComponent(NUL)}`, r.method === 'get' || r.method === 'delete' ? undefined : {}) });
    }
    for (const f of textFields(r.body)) {
      for (const [what, bad] of [['NUL', NUL], ['lone surrogate', LONE_SURROGATE]] as const) {
        out.push({ label: `${method} ${r.path} body ${f.path.join('.')} (${what})`, field: f.path.join('.'),
          send: () => clientFor(r).request(method, pathWith(r, params), f.build(bad)) });
      }
    }
  }
  return out;
}

describe('bad bytes in text', () => {
  it('every route refuses a NUL or a lone surrogate in each of its text fields with 400 naming the field, logs no error and changes nothing', async () => {
    const all = cases();
    // The route list really has text fields everywhere the issue named (login, notes, names, reasons, remarks, ?q=).
    for (const must of ['POST /api/session body username (NUL)', 'POST /api/incidents body notes (NUL)', 'POST /api/cameras body name (lone surrogate)',
      'POST /api/evidence body reason (NUL)', 'POST /api/incidents/:id/alert body remark (NUL)', 'GET /api/cameras query q', 'POST /api/alerts/:id/remarks body remark (lone surrogate)']) {
      expect(all.map((c) => c.label)).toContain(must);
    }
    expect(all.length).toBeGreaterThan(100);
    const before = await counts();
    const wrong: string[] = [];
    for (const c of all) {
      const res = await c.send();
      if (res.status !== 400 || res.body?.error?.field !== c.field || res.body?.error?.code !== 'invalid_input') wrong.push(`${c.label} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(wrong).toEqual([]);
    expect(errorLines()).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('refuses bad text in otherwise valid requests (the ones that gave 500 with a stack trace), before anything is written', async () => {
    const before = await counts();
    const anon = new ApiClient(room.url);
    const obs = clients.get('observer')!, admin = clients.get('admin')!;
    const expect400 = async (res: Promise<{ status: number; body: any }>, field: string) => {
      const r = await res;
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_input', field });
      expect(r.body.error.message).toMatch(/NUL|surrogate/);
    };
    await expect400(anon.post('/api/session', { username: 'observer\u0000', password: 'uitkijk-demo' }), 'username');
    await expect400(anon.post('/api/session', { username: 'obs\udc00erver', password: 'uitkijk-demo' }), 'username');
    await expect400(obs.post('/api/incidents', { taggedAt: new Date().toISOString(), cameraIds: ['ens-oude-markt'], categoryId: 'vechtpartij', priority: 2, persons: '2', notes: 'ruzie\u0000' }), 'notes');
    await expect400(admin.patch('/api/cameras/ens-oude-markt', { name: 'Oude Markt \ud83d' }), 'name');
    await expect400(obs.get('/api/cameras?q=%00'), 'q');
    expect(errorLines()).toEqual([]);
    expect(await counts()).toEqual(before);
    // The same requests with clean text still work.
    expect((await anon.post('/api/session', { username: 'observer', password: 'uitkijk-demo' })).status).toBe(200);
    expect((await obs.get('/api/cameras?q=oude')).status).toBe(200);
    expect((await admin.patch('/api/cameras/ens-oude-markt', { name: 'Oude Markt \ud83d\udcf7' })).body.camera.name).toBe('Oude Markt \ud83d\udcf7');
  });
});
