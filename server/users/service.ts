// Account administration: every change is audited; a role or password change or a disable ends the user's sessions.
import type { Sql } from '../db/connect.js';
import { appendAudit } from '../audit/store.js';
import { hashPassword } from '../auth/passwords.js';
import { endUserSessions } from '../auth/store.js';
import type { EventBus } from '../events.js';
import { conflict, notFound } from '../errors.js';
import type { Actor } from '../cameras/service.js';
import * as store from './store.js';
import type { User, UserCreate, UserUpdate } from './schema.js';

export class UserService {
  constructor(private sql: Sql, private bus: EventBus) {}

  list() { return store.listUsers(this.sql); }

  async create(a: Actor, u: UserCreate): Promise<User> {
    const passwordHash = await hashPassword(u.password);
    return this.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const user = await store.insertUser(tx, { ...u, passwordHash });
      await appendAudit(tx, { action: 'user.created', actor: a.user, subject: user.username, remoteAddr: a.remoteAddr, details: { role: user.role, municipalityId: user.municipalityId } });
      return user;
    });
  }

  async update(a: Actor, id: string, u: UserUpdate): Promise<User> {
    const set: Record<string, unknown> = {};
    if (u.displayName !== undefined) set.display_name = u.displayName;
    if (u.role !== undefined) set.role = u.role;
    if (u.municipalityId !== undefined) set.municipality_id = u.municipalityId;
    if (u.role !== undefined && u.role !== 'municipality' && u.municipalityId === undefined) set.municipality_id = null;
    if (u.disabled !== undefined) set.disabled = u.disabled;
    if (u.password !== undefined) set.password_hash = await hashPassword(u.password);
    const user = await this.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const before = await store.getUser(tx, id);
      if (!before) throw notFound('user');
      if (a.user?.id === id && (u.disabled === true || (u.role && u.role !== 'admin'))) throw conflict('self_lockout', 'you cannot disable yourself or take away your own admin role', u.disabled ? 'disabled' : 'role');
      const after = (await store.updateUser(tx, id, set))!;
      const fields = Object.keys(u).filter((k) => k !== 'password');
      if (fields.length) await appendAudit(tx, { action: before.role !== after.role ? 'user.role_changed' : 'user.changed', actor: a.user, subject: after.username, remoteAddr: a.remoteAddr, details: { fields, roleBefore: before.role, roleAfter: after.role } });
      if (u.password !== undefined) await appendAudit(tx, { action: 'user.password_set', actor: a.user, subject: after.username, remoteAddr: a.remoteAddr });
      if (u.disabled !== undefined || u.role !== undefined || u.password !== undefined || u.municipalityId !== undefined) await endUserSessions(tx, id);
      return after;
    });
    if (u.disabled !== undefined || u.role !== undefined || u.password !== undefined || u.municipalityId !== undefined) this.bus.emit('session.ended', { userId: id });
    return user;
  }
}
