import type { Sql } from '../db/connect.js';
import { GENESIS, rowHash, type AuditRow } from './chain.js';

export interface AuditEntry {
  action: string;
  actor?: { id: string; username: string } | null;
  subject?: string | null;
  details?: Record<string, unknown>;
  remoteAddr?: string | null;
}

const LOCK = 727002;

/** Appends one row to the chain. Runs inside the caller's transaction when given one, so the audit row commits with the change. */
export async function appendAudit(sql: Sql, e: AuditEntry): Promise<void> {
  const run = async (tx: Sql) => {
    // One writer at a time: the chain needs the previous hash.
    await tx`select pg_advisory_xact_lock(${LOCK})`;
    const [last] = await tx<{ id: string; hash: string }[]>`select id, hash from audit_log order by id desc limit 1`;
    const row: AuditRow = {
      id: last ? Number(last.id) + 1 : 1,
      at: new Date(),
      actorId: e.actor?.id ?? null,
      actorName: e.actor?.username ?? null,
      action: e.action,
      subject: e.subject ?? null,
      details: JSON.parse(JSON.stringify(e.details ?? {})),
      remoteAddr: e.remoteAddr ?? null,
      prevHash: last?.hash ?? GENESIS,
    };
    await tx`insert into audit_log (id, at, actor_id, actor_name, action, subject, details, remote_addr, prev_hash, hash)
      values (${row.id}, ${row.at}, ${row.actorId}, ${row.actorName}, ${row.action}, ${row.subject}, ${tx.json(row.details as never)}, ${row.remoteAddr}, ${row.prevHash}, ${rowHash(row)})`;
  };
  // sql.begin exists on the pool, not on a transaction; a transaction has savepoint.
  if ('savepoint' in sql) await run(sql);
  else await (sql as Sql).begin((tx) => run(tx as unknown as Sql));
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
