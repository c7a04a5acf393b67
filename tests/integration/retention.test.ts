// The 28-day rule and the disk guard, with an injected clock and an injected disk: real PostgreSQL and real files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events.js';
import type { DiskLowAlert } from '../../server/recordings/schema.js';
import { RetentionSweeper } from '../../server/recordings/retention.js';
import { segmentPath } from '../../streams/recorder.js';
import { createLogger } from '../../server/log.js';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor } from '../support/publisher.js';

const DAY = 86_400_000;
const T = Date.parse('2026-06-01T12:00:00.000Z');
let room: TestRoom;
let clock = T;
const alerts: DiskLowAlert[] = [];
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;

beforeAll(async () => {
  room = await startTestRoom({ RECORDING: 'off' });
  const sup = await new ApiClient(room.url).login('supervisor');
  socket = connect(room.url, { transports: ['websocket'], extraHeaders: { cookie: sup.cookie }, reconnection: false });
  socket.on('recordings:disk-low', (a) => alerts.push(a));
  await new Promise<void>((r) => socket.on('connect', () => r()));
});
afterAll(async () => { socket?.close(); await room?.close(); });

let run = 0;
/** n contiguous 2-s segments of a camera starting at `start`, with real files of 1000 bytes. */
async function recorded(cameraId: string, start: number, n: number) {
  const runId = `00000000-0000-4000-8000-${String(++run).padStart(12, '0')}`;
  const rows = [];
  for (let i = 0; i < n; i++) {
    const s = new Date(start + i * 2000), e = new Date(start + (i + 1) * 2000);
    const rel = segmentPath(cameraId, runId, i, s);
    mkdirSync(path.dirname(path.join(room.config.MEDIA_DIR, rel)), { recursive: true });
    writeFileSync(path.join(room.config.MEDIA_DIR, rel), Buffer.alloc(1000, i));
    const [r] = await room.sql`insert into recording_segments (camera_id, run_id, seq, started_at, ended_at, bytes, path) values (${cameraId}, ${runId}, ${i}, ${s}, ${e}, 1000, ${rel}) returning id, path`;
    rows.push(r!);
  }
  return rows;
}
async function heldItem(cameraId: string, from: number, to: number) {
  const [u] = await room.sql`select id from users where username = 'observer'`;
  const [item] = await room.sql`insert into evidence_items (requested_from, requested_to, reason, created_by) values (${new Date(from)}, ${new Date(to)}, 'vechtpartij', ${u!.id}) returning id`;
  const rel = path.join('evidence', item!.id, `${cameraId}.mp4`);
  mkdirSync(path.dirname(path.join(room.config.MEDIA_DIR, rel)), { recursive: true });
  writeFileSync(path.join(room.config.MEDIA_DIR, rel), 'clip');
  await room.sql`insert into evidence_clips (item_id, camera_id, position, state, file, sha256, bytes) values (${item!.id}, ${cameraId}, 0, 'ready', ${rel}, ${'a'.repeat(64)}, 4)`;
  return { id: item!.id as string, file: path.join(room.config.MEDIA_DIR, rel) };
}
const alive = async (ids: string[]) => (await room.sql`select id from recording_segments where id = any(${ids}::bigint[])`).map((r) => String(r.id));
const fileOf = (rel: string) => path.join(room.config.MEDIA_DIR, rel);
const sweeper = (o: Partial<ConstructorParameters<typeof RetentionSweeper>[0]> = {}) => new RetentionSweeper({
  sql: room.sql, bus: room.bus, log: createLogger('silent'), mediaDir: room.config.MEDIA_DIR, retentionDays: 28,
  minFreeBytes: 0, sweepEveryMs: 3_600_000, batchSize: 4, pauseMs: 0, now: () => clock, ...o,
});

describe('retention', () => {
  it('deletes segments older than RETENTION_DAYS in batches, never those inside an item under legal hold', async () => {
    const oldA = await recorded('ens-oude-markt', T - 30 * DAY, 10);
    const oldB = await recorded('ens-van-heekplein', T - 30 * DAY, 5);   // same time, another camera: not held
    const recent = await recorded('ens-oude-markt', T - 27 * DAY, 10);
    // The hold covers segments 3..5 of camera A (it overlaps 3 and 5 partly: they stay whole).
    const held = await heldItem('ens-oude-markt', T - 30 * DAY + 7000, T - 30 * DAY + 11_000);
    // A file the index never knew (a crash between write and index) in an aged-out day directory.
    const orphanRel = segmentPath('ens-oude-markt', '00000000-0000-4000-8000-999999999999', 0, new Date(T - 30 * DAY + 500));
    writeFileSync(fileOf(orphanRel), 'orphan');

    const report = await sweeper().sweep();
    expect(report).toMatchObject({ kind: 'retention', deletedSegments: 7 + 5, deletedBytes: 12_000, cutoff: new Date(T - 28 * DAY).toISOString() });
    const kept = await alive([...oldA, ...oldB, ...recent].map((r) => String(r.id)));
    expect(kept.sort()).toEqual([...oldA.slice(3, 6), ...recent].map((r) => String(r.id)).sort());
    for (const r of oldA.slice(0, 3)) expect(existsSync(fileOf(r.path))).toBe(false);
    for (const r of oldA.slice(3, 6)) expect(existsSync(fileOf(r.path))).toBe(true);
    for (const r of oldB) expect(existsSync(fileOf(r.path))).toBe(false);
    for (const r of recent) expect(existsSync(fileOf(r.path))).toBe(true);
    expect(existsSync(fileOf(orphanRel))).toBe(false);
    expect(existsSync(held.file)).toBe(true);
    // Another camera's aged-out day directory is gone with its last segment.
    expect(existsSync(path.dirname(fileOf(oldB[0]!.path)))).toBe(false);
    const [audit] = await room.sql`select details from audit_log where action = 'recordings.retention_sweep' order by id desc limit 1`;
    expect(audit!.details).toMatchObject({ deletedSegments: 12, retentionDays: 28 });

    // An hour later nothing more is due; two days later the 27-day-old ones are.
    clock = T + 3_600_000;
    expect((await sweeper().sweep()).deletedSegments).toBe(0);
    clock = T + 2 * DAY;
    expect((await sweeper().sweep()).deletedSegments).toBe(10);
    expect(await alive(oldA.slice(3, 6).map((r) => String(r.id)))).toHaveLength(3);

    // Released: the held segments and the item's clip follow normal retention.
    const sup = await new ApiClient(room.url).login('supervisor');
    expect((await sup.post(`/api/evidence/${held.id}/release`, { reason: 'zaak gesloten' })).status).toBe(200);
    const after = await sweeper().sweep();
    expect(after).toMatchObject({ deletedSegments: 3, purgedClips: 1 });
    expect(existsSync(held.file)).toBe(false);
    const item = (await sup.get(`/api/evidence/${held.id}`)).body;
    expect(item).toMatchObject({ state: 'purged', legalHold: false });
    expect(item.custody.map((c: any) => c.action)).toEqual(['released', 'purged', 'viewed']); // 'viewed': this read
  });

  it('disk guard: below the threshold the oldest unpreserved segments go first, and supervisors are alerted', async () => {
    clock = T + 3 * DAY;
    const oldest = await recorded('ens-oude-markt', T - 10 * DAY, 6);
    const held = await heldItem('ens-oude-markt', T - 5 * DAY, T - 5 * DAY + 4000);
    const preserved = await recorded('ens-oude-markt', T - 5 * DAY, 2);
    const newer = await recorded('ens-oude-markt', T - DAY, 6);
    const total = async () => Number((await room.sql`select coalesce(sum(bytes), 0) as n from recording_segments`)[0]!.n);
    const start = await total();
    const minFree = 10_000;
    // Free space rises by what is deleted; it starts 7.5 segments short of the threshold.
    const disk = async () => ({ freeBytes: minFree - 7_500 + (start - (await total())), totalBytes: 10_000_000 });
    const r = await sweeper({ minFreeBytes: minFree, disk, batchSize: 1 }).guard();
    expect(r!.kind).toBe('disk-guard');
    // It deletes up to the threshold plus a 10 % margin (8.5 segments: 9), oldest first, skipping the preserved ones.
    expect(r!.deletedSegments).toBe(9);
    expect(await alive(oldest.map((x) => String(x.id)))).toHaveLength(0);
    expect(await alive(preserved.map((x) => String(x.id)))).toHaveLength(2);
    expect((await alive(newer.map((x) => String(x.id)))).sort()).toEqual(newer.slice(3).map((x) => String(x.id)).sort());
    expect(existsSync(held.file)).toBe(true);
    const alert = await waitFor('disk-low alert', () => alerts[0]);
    expect(alert).toMatchObject({ minFreeBytes: minFree, deletedSegments: r!.deletedSegments });
    expect(alert.freeBytes).toBeGreaterThanOrEqual(minFree);
    // Plenty of space: the guard does nothing.
    expect(await sweeper({ minFreeBytes: minFree, disk: async () => ({ freeBytes: 10 * minFree, totalBytes: 20 * minFree }) }).guard()).toBeNull();
  });
});
