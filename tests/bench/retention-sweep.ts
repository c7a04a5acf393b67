// npm run bench:retention — a retention sweep over 1 million segment rows (target ≤ 60 s) without stalling the
// event loop (live video and the API run on it). BENCH_ROWS (1 000 000) rows are inserted 29 days back for 16
// cameras, with a few items under legal hold; files are not created (unlinking a missing file is the same syscall),
// so this measures the database side and the batching. The largest event-loop delay during the sweep is reported.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBus } from '../../server/events.js';
import { createLogger } from '../../server/log.js';
import { RetentionSweeper } from '../../server/recordings/retention.js';
import { benchDatabase, log, round, writeResult } from './evidence-support.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CAMERAS = 16;
const TARGET_S = 60;
const DAY = 86_400_000;

async function main() {
  const db = await benchDatabase();
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-bench-media-'));
  try {
    const { sql } = db;
    const now = Date.now();
    const start = new Date(now - 29 * DAY - (ROWS / CAMERAS) * 2000);
    for (let c = 0; c < CAMERAS; c++) await sql`insert into cameras (id, name, municipality_id, street, lat, lon, kind, source_type, key_hash) values (${`bench-${c}`}, 'Bench', 'enschede', 'x', 52, 6, 'permanent', 'rtmp', 'x')`;
    log(`inserting ${ROWS} segment rows …`);
    let t = performance.now();
    await sql`insert into recording_segments (camera_id, run_id, seq, started_at, ended_at, bytes, path)
      select 'bench-' || (g % ${CAMERAS}), '00000000-0000-4000-8000-000000000000'::uuid, g,
             ${start}::timestamptz + (g / ${CAMERAS}) * interval '2 seconds', ${start}::timestamptz + (g / ${CAMERAS} + 1) * interval '2 seconds',
             1000000, 'recordings/bench-' || (g % ${CAMERAS}) || '/2026-01-01/' || g || '.ts'
      from generate_series(0, ${ROWS - 1}) g`;
    await sql`analyze recording_segments`;
    log(`inserted in ${round((performance.now() - t) / 1000)} s`);
    // Five items under legal hold, five minutes each, on five cameras.
    const [u] = await sql`insert into users (username, display_name, role, password_hash) values ('bench', 'Bench', 'observer', 'x') returning id`;
    let held = 0;
    for (let i = 0; i < 5; i++) {
      const from = new Date(start.getTime() + (i + 1) * 3_600_000), to = new Date(from.getTime() + 300_000);
      const [item] = await sql`insert into evidence_items (requested_from, requested_to, reason, created_by) values (${from}, ${to}, 'bench', ${u!.id}) returning id`;
      await sql`insert into evidence_clips (item_id, camera_id, position) values (${item!.id}, ${`bench-${i}`}, 0)`;
      held += Number((await sql`select count(*) as n from recording_segments where camera_id = ${`bench-${i}`} and started_at < ${to} and ended_at > ${from}`)[0]!.n);
    }
    const sweeper = new RetentionSweeper({ sql, bus: new EventBus(), log: createLogger('silent'), mediaDir, retentionDays: 28, minFreeBytes: 0, sweepEveryMs: 3_600_000, ...(process.env.BENCH_BATCH ? { batchSize: Number(process.env.BENCH_BATCH) } : {}) });
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    t = performance.now();
    const report = await sweeper.sweep();
    const seconds = (performance.now() - t) / 1000;
    lag.disable();
    const left = Number((await sql`select count(*) as n from recording_segments`)[0]!.n);
    const result = {
      rows: ROWS, held, deleted: report.deletedSegments, left, seconds: round(seconds), rowsPerSecond: Math.round(report.deletedSegments / seconds),
      batchSize: Number(process.env.BENCH_BATCH ?? 2000), eventLoopDelayMs: { max: round(lag.max / 1e6), p99: round(lag.percentile(99) / 1e6) },
      target: { seconds: TARGET_S }, pass: seconds <= TARGET_S && left === held && report.deletedSegments === ROWS - held,
    };
    const file = writeResult('retention-sweep', result);
    log(`${report.deletedSegments} rows deleted in ${round(seconds)} s (${held} held rows kept: ${left}), event loop max delay ${result.eventLoopDelayMs.max} ms: ${result.pass ? 'PASS' : 'FAIL'} → ${file}`);
    if (!result.pass) process.exitCode = 1;
  } finally {
    await db.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(2); });
