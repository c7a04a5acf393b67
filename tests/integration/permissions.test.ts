// The permission matrix: every route × every role (and no session) → the status the policy table implies.
// Generated from the server's own route list and the policy table, so a new route is covered automatically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, policy, roles, can } from '../../server/auth/policy.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';

// Routes that need no session. Adding one here is a deliberate security decision.
// The evidence public key is public by nature: whoever checks a package (prosecutor, court, defence) needs it.
// /internal/media is for the room's other nodes: no session, but a signature with the room's shared key (below).
const PUBLIC = ['POST /api/session', 'GET /api/evidence/public-key', 'GET /internal/media'];

let room: TestRoom;
beforeAll(async () => { room = await startTestRoom(); });
afterAll(async () => { await room?.close(); });

const demoUser = { observer: 'observer', supervisor: 'supervisor', dispatcher: 'dispatcher', police: 'police', municipality: 'enschede', admin: 'admin' } as const;

function concretePath(path: string, userId: string) {
  // Incidents and alerts have UUIDs (an unknown one: 404 past the policy); deliveries have numbers.
  if (/^\/api\/(incidents|alerts|shifts)\//.test(path)) return path.replace(':id', '00000000-0000-0000-0000-000000000000');
  if (path.startsWith('/api/dispatch/deliveries/')) return path.replace(':id', '1');
  // Evidence items have UUIDs; download links a 43-character token (an unknown one: 404 past the policy).
  if (path.startsWith('/api/evidence/')) return path.replace(':id', '00000000-0000-0000-0000-000000000000').replace(':token', 'x'.repeat(43));
  return path.replace(':id', path.startsWith('/api/users') ? userId : 'ens-oude-markt');
}

describe('permission matrix', () => {
  it('every route names an action from the policy table, and only the listed routes are public', () => {
    for (const r of room.routes) {
      if (r.action === 'public') expect(PUBLIC).toContain(`${r.method.toUpperCase()} ${r.path}`);
      else {
        expect(actions).toContain(r.action);
        expect(roles.some((role) => can(role, r.action as never)), `${r.path}: no role may use it`).toBe(true);
      }
    }
    for (const role of roles) for (const a of policy[role]) expect(actions).toContain(a);
  });

  it('a node-to-node media fetch needs the room\'s signature, and names only the room\'s own files', async () => {
    const get = (q: string, headers: Record<string, string> = {}) => fetch(`${room.url}/internal/media?${q}`, { headers }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await get('path=recordings/a/b.ts')).toMatchObject({ status: 403, body: { error: { code: 'node_signature' } } });
    expect(await get('path=recordings/a/b.ts', { 'x-uitkijk-media': `n2.${Date.now() + 30_000}.${'0'.repeat(64)}` })).toMatchObject({ status: 403 });
    expect(await get('path=../../etc/passwd')).toMatchObject({ status: 400, body: { error: { field: 'path' } } });
    expect(await get('path=keys/evidence-ed25519.key.pem')).toMatchObject({ status: 400 });
  });

  it('without a session every non-public route answers 401', async () => {
    const anon = new ApiClient(room.url);
    for (const r of room.routes.filter((r) => r.action !== 'public')) {
      const res = await anon.request(r.method.toUpperCase(), concretePath(r.path, '00000000-0000-0000-0000-000000000000'), r.method === 'get' ? undefined : {});
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
  });

  for (const role of roles) {
    it(`role ${role}: allowed routes pass the policy, the others answer 403`, async () => {
      const [target] = await room.sql`select id from users where username = 'police'`;
      for (const r of room.routes.filter((r) => r.action !== 'public')) {
        // A fresh session per call: some routes (logout, disable) change the session or the data.
        const api = await new ApiClient(room.url).login(demoUser[role]);
        const res = await api.request(r.method.toUpperCase(), concretePath(r.path, target.id), r.method === 'get' ? undefined : {});
        const label = `${role} ${r.method.toUpperCase()} ${r.path} → ${res.status} ${JSON.stringify(res.body)}`;
        if (can(role, r.action as never)) expect([401, 403], label).not.toContain(res.status);
        else { expect(res.status, label).toBe(403); expect(res.body.error.code).toBe('forbidden'); }
      }
    });
  }
});
