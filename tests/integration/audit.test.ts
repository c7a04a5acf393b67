import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { openSql } from '../../server/db/connect.js';

let room: TestRoom;
beforeAll(async () => { room = await startTestRoom(); });
afterAll(async () => { await room?.close(); });

describe('audit trail', () => {
  it('records security-relevant actions with actor and address, chained by SHA-256', async () => {
    const admin = await new ApiClient(room.url).login('admin');
    await new ApiClient(room.url).post('/api/session', { username: 'observer', password: 'wrong-password!' });
    await admin.patch('/api/cameras/ens-oude-markt', { notes: 'lamp kapot' });
    await admin.post('/api/cameras/ens-oude-markt/rotate-key');
    await admin.post('/api/cameras/ens-oude-markt/disable');
    await admin.delete('/api/session');
    const rows = await room.sql`select action, actor_name, subject, remote_addr, prev_hash, hash from audit_log order by id`;
    expect(rows.map((r) => r.action)).toEqual(['login.ok', 'login.failed', 'camera.changed', 'camera.key_rotated', 'camera.disabled', 'logout']);
    expect(rows[2]).toMatchObject({ actor_name: 'admin', subject: 'ens-oude-markt', remote_addr: '127.0.0.1' });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const ok = await (await new ApiClient(room.url).login('admin')).get('/api/audit/verify');
    expect(ok.body).toEqual({ ok: true, rows: 7 });
  });

  it('the application cannot UPDATE or DELETE audit rows, nor switch the guard off', async () => {
    // The server works as a role that owns nothing: refused by privilege, before the trigger is reached.
    const [me] = await room.sql`select current_user as name, rolsuper from pg_roles where rolname = current_user`;
    expect(me).toMatchObject({ name: expect.stringMatching(/_app$/), rolsuper: false });
    await expect(room.sql`update audit_log set subject = 'x' where id = 1`).rejects.toMatchObject({ code: '42501' });
    await expect(room.sql`delete from audit_log where id = 1`).rejects.toMatchObject({ code: '42501' });
    await expect(room.sql`truncate audit_log`).rejects.toMatchObject({ code: '42501' });
    await expect(room.sql`alter table audit_log disable trigger audit_log_no_update`).rejects.toMatchObject({ code: '42501' });
    await expect(room.sql.begin((tx) => tx`set local session_replication_role = replica`)).rejects.toMatchObject({ code: '42501' });
    // And the table's owner, who has every privilege, still meets the append-only trigger.
    const owner = openSql(room.config.DATABASE_URL!, 1);
    try {
      await expect(owner`update audit_log set subject = 'x' where id = 1`).rejects.toThrow(/append-only/);
      await expect(owner`delete from audit_log where id = 1`).rejects.toThrow(/append-only/);
      await expect(owner`truncate audit_log`).rejects.toThrow(/append-only/);
    } finally { await owner.end(); }
  });

  it('a row changed by a superuser is named by the verify endpoint and by npm run audit:verify', async () => {
    // Bypass the trigger the way only a database superuser can (the test database's owner is one).
    const su = openSql(room.config.DATABASE_URL!, 1);
    await su.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update audit_log set subject = 'someone-else' where id = 3`;
    });
    await su.end();
    const report = await (await new ApiClient(room.url).login('admin')).get('/api/audit/verify');
    expect(report.body).toMatchObject({ ok: false, firstBroken: { id: 3, reason: 'hash' } });

    const cli = spawnSync('npx', ['tsx', 'server/audit/cli-verify.ts'], { env: { ...process.env, DATABASE_URL: room.config.DATABASE_URL }, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout + cli.stderr).toMatch(/row 3/);
  });
});
