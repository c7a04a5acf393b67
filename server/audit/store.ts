import type { Sql } from '../db/connect.js';
import { GENESIS, rowHash, type AuditRow } from './chain.js';
import { auditActions, isAuditAction, type AuditAction, type AuditSubjectKind } from './schema.js';

export interface AuditEntry {
  action: AuditAction;
  actor?: { id: string; username: string } | null;
  subject?: string | null;
  details?: Record<string, unknown>;
  remoteAddr?: string | null;
}

const LOCK = 727002;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Appends one row to the chain. Inside the caller's transaction when given one, so the audit row commits with the
 * change. Given the pool, the row joins a batch: every entry that arrives while a batch is being written goes into
 * the next one, written in one transaction (one lock, one read of the chain's end, one insert). A reconnect storm
 * brings hundreds of "camera online" rows at once; one transaction of four round trips per row, each waiting for the
 * chain's lock while holding a pooled connection, starved every other query of the room (issue #18).
 */
export async function appendAudit(sql: Sql, e: AuditEntry): Promise<void> {
  // sql.begin exists on the pool, not on a transaction; a transaction has savepoint.
  if ('savepoint' in sql) return appendRows(sql, [e]);
  let batch = batches.get(sql);
  if (!batch) batches.set(sql, (batch = { waiting: [], writing: null }));
  const b = batch;
  return new Promise<void>((resolve, reject) => {
    b.waiting.push({ e, resolve, reject });
    b.writing ??= writeBatches(sql, b);
  });
}

interface Batch { waiting: Array<{ e: AuditEntry; resolve(): void; reject(err: unknown): void }>; writing: Promise<void> | null }
const batches = new WeakMap<Sql, Batch>();
const MAX_BATCH = 500;

async function writeBatches(sql: Sql, b: Batch): Promise<void> {
  while (b.waiting.length) {
    const items = b.waiting.splice(0, MAX_BATCH);
    try {
      await sql.begin((tx) => appendRows(tx as unknown as Sql, items.map((i) => i.e)));
      for (const i of items) i.resolve();
    } catch (err) {
      for (const i of items) i.reject(err);
    }
  }
  b.writing = null;
}

async function appendRows(tx: Sql, entries: AuditEntry[]): Promise<void> {
  // One writer at a time: the chain needs the previous hash.
  await tx`select pg_advisory_xact_lock(${LOCK})`;
  const [last] = await tx<{ id: string; hash: string }[]>`select id, hash from audit_log order by id desc limit 1`;
  let id = last ? Number(last.id) : 0;
  let prevHash = last?.hash ?? GENESIS;
  const rows = entries.map((e) => {
    const row: AuditRow = {
      id: ++id, at: new Date(), actorId: e.actor?.id ?? null, actorName: e.actor?.username ?? null, action: e.action,
      subject: e.subject ?? null, details: JSON.parse(JSON.stringify(e.details ?? {})), remoteAddr: e.remoteAddr ?? null, prevHash,
    };
    prevHash = rowHash(row);
    return { id: row.id, at: row.at.toISOString(), actor_id: row.actorId, actor_name: row.actorName, action: row.action, subject: row.subject,
      details: row.details, remote_addr: row.remoteAddr, prev_hash: row.prevHash, hash: prevHash };
  });
  await tx`insert into audit_log (id, at, actor_id, actor_name, action, subject, details, remote_addr, prev_hash, hash)
    select id, at, actor_id, actor_name, action, subject, details, remote_addr, prev_hash, hash
      from json_populate_recordset(null::audit_log, ${tx.json(rows as never)}::json)`;
}

export interface ChainReport { ok: boolean; rows: number; firstBroken?: { id: number; reason: 'hash' | 'link' | 'gap' } }

/** Walks the chain in id order, in batches, and names the first row whose hash or link does not hold. */
export async function verifyChain(sql: Sql): Promise<ChainReport> {
  let prev = GENESIS, expectId = 1, rows = 0;
  for (;;) {
    const batch = await sql`select * from audit_log where id >= ${expectId} order by id limit 5000`;
    if (batch.length === 0) return { ok: true, rows };
    for (const r of batch) {
      const id = Number(r.id);
      if (id !== expectId) return { ok: false, rows, firstBroken: { id: expectId, reason: 'gap' } };
      const row: AuditRow = { id, at: r.at, actorId: r.actor_id, actorName: r.actor_name, action: r.action, subject: r.subject, details: r.details, remoteAddr: r.remote_addr, prevHash: r.prev_hash };
      if (r.prev_hash !== prev) return { ok: false, rows, firstBroken: { id, reason: 'link' } };
      if (rowHash(row) !== r.hash) return { ok: false, rows, firstBroken: { id, reason: 'hash' } };
      prev = r.hash; expectId++; rows++;
    }
  }
}

export async function listAudit(sql: Sql, q: { limit: number; before?: number; action?: string }) {
  return sql<{ id: string; at: Date; actor_name: string | null; action: string; subject: string | null; details: Record<string, unknown>; remote_addr: string | null }[]>`
    select id, at, actor_name, action, subject, details, remote_addr from audit_log
    where (${q.before ?? null}::bigint is null or id < ${q.before ?? null}) and (${q.action ?? null}::text is null or action = ${q.action ?? null})
    order by id desc limit ${q.limit}`;
}

/**
 * The human name of each row's subject: camera name, incident number (an alert: its incident's), evidence number,
 * booking reference, the person of a shift or roster entry. One query per kind for a whole page. A subject that is
 * gone (a removed roster entry, an unknown camera that tried to publish) keeps no label; the trail then shows the id.
 */
export async function subjectLabels(sql: Sql, rows: { action: string; subject: string | null; details: Record<string, unknown> }[]): Promise<Array<{ kind: AuditSubjectKind | null; label: string | null }>> {
  const kindOf = (r: { action: string }) => (isAuditAction(r.action) ? auditActions[r.action] : null);
  const ids = (kind: AuditSubjectKind) => [...new Set(rows.filter((r) => kindOf(r) === kind && r.subject).map((r) => r.subject!))];
  // Only well-formed ids reach a uuid column (so its primary key index is used and a stray subject cannot fail the page).
  const uuids = (kind: AuditSubjectKind) => ids(kind).filter((id) => UUID.test(id));
  // Roster rows name the observer in their details (a removed entry is no longer in roster_entries).
  const rosterUsers = [...new Set(rows.filter((r) => kindOf(r) === 'roster' && typeof r.details.userId === 'string').map((r) => r.details.userId as string))].filter((id) => UUID.test(id));
  const pairs = async (kind: AuditSubjectKind, list: string[], query: (list: string[]) => Promise<{ id: string; label: string }[]>) =>
    [kind, new Map(list.length ? (await query(list)).map((r) => [r.id, String(r.label)]) : [])] as const;
  const found = new Map(await Promise.all([
    pairs('camera', ids('camera'), (l) => sql`select id, name as label from cameras where id = any(${l}::text[])`),
    pairs('incident', uuids('incident'), (l) => sql`select id::text as id, number::text as label from incidents where id = any(${l}::uuid[])`),
    pairs('alert', uuids('alert'), (l) => sql`select a.id::text as id, i.number::text as label from alerts a join incidents i on i.id = a.incident_id where a.id = any(${l}::uuid[])`),
    pairs('evidence', uuids('evidence'), (l) => sql`select id::text as id, number::text as label from evidence_items where id = any(${l}::uuid[])`),
    pairs('booking', uuids('booking'), (l) => sql`select id::text as id, reference as label from bookings where id = any(${l}::uuid[])`),
    pairs('shift', uuids('shift'), (l) => sql`select s.id::text as id, u.display_name as label from shifts s join users u on u.id = s.user_id where s.id = any(${l}::uuid[])`),
    pairs('roster', rosterUsers, (l) => sql`select id::text as id, display_name as label from users where id = any(${l}::uuid[])`),
  ]));
  return rows.map((r) => {
    const kind = kindOf(r);
    if (!kind || !r.subject) return { kind, label: null };
    // Users are named by their username already.
    if (kind === 'user') return { kind, label: r.subject };
    const key = kind === 'roster' ? (r.details.userId as string | undefined) : r.subject;
    return { kind, label: (key && found.get(kind)?.get(key)) ?? null };
  });
}
