// The server process itself SIGKILLed while it produces an evidence clip (`tsx server/main.ts` as a user runs it,
// with its ffmpeg children: kill -9 of the whole process group, as a crash or an OOM kill of the service leaves it),
// then started again on the same database and MEDIA_DIR: the clip is produced again, and only a complete file is
// ever marked ready. The window is deterministic: the range ends seconds in the future, so its post-roll is not
// recorded yet and the clip cannot be finished before the kill (it is being fed live, state 'producing').
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { runProbe } from '../../streams/ffmpeg/probe.js';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBus } from '../../server/events.js';
import { UserService } from '../../server/users/service.js';
import { publishUrl } from '../../streams/stream-path.js';
import { freshDatabase } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { ApiClient } from '../support/room.js';
import { publishTestPattern, waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera } from '../support/cameras.js';
import { segments, waitReady } from '../support/evidence.js';

const CAM = 'kill-cam';
const GOP_MS = 1000; // publishTestPattern: 25 fps, -g 25
const PASSWORD = 'een-lang-test-wachtwoord';

const servers: ChildProcess[] = [];
const publishers: Publisher[] = [];
let db: Awaited<ReturnType<typeof freshDatabase>> | null = null;
const dataDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-evidence-kill-'));
chmodSync(dataDir, 0o755);

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
const exited = (p: ChildProcess) => new Promise<void>((r) => (alive(p) ? p.once('exit', () => r()) : r()));
/** SIGKILL to the server's whole process group: the server and every ffmpeg it started. */
async function killGroup(p: ChildProcess): Promise<void> {
  if (alive(p)) process.kill(-p.pid!, 'SIGKILL');
  await exited(p);
}

afterAll(async () => {
  for (const p of servers) if (alive(p)) await killGroup(p).catch(() => {});
  await Promise.all(publishers.map((p) => p.stop()));
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Server { proc: ChildProcess; url: string; rtmpPort: number; output(): string }

async function startServer(): Promise<Server> {
  const [port, rtmpPort, flvPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env, NODE_ENV: 'test', DATABASE_URL: db!.url, DATA_DIR: dataDir, MEDIA_DIR: path.join(dataDir, 'media'),
    HOST: '127.0.0.1', PORT: String(port), MEDIA_HOST: '127.0.0.1', RTMP_PORT: String(rtmpPort), FLV_PORT: String(flvPort), FLV_PORTS: '1', // the ports after it may be the other free ports
    DEMO: 'false', RECORDING: 'on', SEGMENT_SECONDS: '2', SERVE_CLIENT: 'false', LOG_LEVEL: 'warn',
  };
  // detached: its own process group, so the kill reaches its ffmpeg children too and none is left behind.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  servers.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => { if (out.includes('Uitkijk draait')) { clearInterval(t); resolve(); } }, 50);
    proc.once('exit', (code) => { clearInterval(t); reject(new Error(`server exited ${code} before it was up: ${out}`)); });
  });
  return { proc, url: `http://127.0.0.1:${port}`, rtmpPort, output: () => out };
}

const probeFrames = (file: string) => runProbe(process.env.FFPROBE_PATH ?? 'ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'format=duration:stream=nb_read_packets', '-of', 'json', file]).then(
  (stdout) => { const j = JSON.parse(stdout); return { code: 0, frames: Number(j.streams?.[0]?.nb_read_packets ?? 0), duration: Number(j.format?.duration ?? 0) }; },
  () => ({ code: 1, frames: 0, duration: 0 }));

describe('server process killed while producing a clip', () => {
  it('is produced again after a restart on the same database and media, and only a complete file is marked ready', async () => {
    db = await freshDatabase();
    // Not demo mode: real accounts, made with the same service `npm run user:create` uses.
    const users = new UserService(db.sql, new EventBus());
    for (const [username, role] of [['beheer', 'admin'], ['waarnemer', 'observer']] as const) {
      await users.create({ user: null, remoteAddr: 'test' }, { username, role, displayName: username, municipalityId: null, password: PASSWORD });
    }

    // First process: a camera recorded into segments.
    const a = await startServer();
    const adminA = await new ApiClient(a.url).login('beheer', PASSWORD);
    const key = await createRtmpCamera(adminA, CAM);
    publishers.push(publishTestPattern(publishUrl({ host: '127.0.0.1', port: a.rtmpPort }, { cameraId: CAM, stream: 'main' }, key)));
    await waitFor('2 recorded segments', async () => (await segments(db!, CAM)).length >= 2, 20_000, 200);

    // Preserve a range whose post-roll lies 8 s ahead: the clip cannot be finished before that.
    const observerA = await new ApiClient(a.url).login('waarnemer', PASSWORD);
    const t = Date.now();
    const from = t - 3000, to = t + 8000;
    const res = await observerA.post('/api/evidence', { cameras: [CAM], from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason: 'Server valt uit tijdens het maken' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const itemId: string = res.body.id;
    const dir = path.join(dataDir, 'media', 'evidence', itemId);
    const final = path.join(dir, `${CAM}.mp4`), partial = `${final}.partial`;

    // The clip is being produced (fed live, its file half-written): kill the server now.
    await waitFor('clip producing with a half-written file', async () => {
      const [c] = await db!.sql`select state from evidence_clips where item_id = ${itemId}`;
      return c?.state === 'producing' && existsSync(partial) && statSync(partial).size > 0;
    }, 10_000, 50);
    expect(Date.now(), 'the kill must come before the post-roll is recorded').toBeLessThan(to - 1000);
    await killGroup(a.proc);

    // What the kill left: a clip 'producing', no hash, no final file; only the half-written .partial.
    const [left] = await db.sql`select state, file, sha256 from evidence_clips where item_id = ${itemId}`;
    expect(left).toMatchObject({ state: 'producing', file: null, sha256: null });
    expect(existsSync(final)).toBe(false);
    expect(existsSync(partial)).toBe(true);
    expect((await probeFrames(partial)).code).not.toBe(0); // not a playable MP4: its index was never written
    await Promise.all(publishers.map((p) => p.stop())); // the camera died with its media server

    // Second process, same database and media directory (new ports: the old ones may linger).
    const b = await startServer();
    const observerB = await new ApiClient(b.url).login('waarnemer', PASSWORD);
    const item = await waitReady(observerB, itemId, 25_000);
    expect(item.state, b.output()).toBe('ready');
    const clip = item.clips[0]!;

    // The ready file is whole: the stored hash and size are the file's, ffprobe reads every frame the row claims.
    expect(readdirSync(dir)).toEqual([`${CAM}.mp4`]);
    const bytes = readFileSync(final);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(clip.sha256);
    expect(bytes.length).toBe(clip.bytes);
    expect(statSync(final).mode & 0o777).toBe(0o444);
    const probe = await probeFrames(final);
    expect(probe.code).toBe(0);
    expect(probe.frames).toBe(clip.frames);
    expect(Math.abs(probe.duration * 1000 - (Date.parse(clip.actualTo!) - Date.parse(clip.actualFrom!)))).toBeLessThanOrEqual(GOP_MS);
    // It covers the request from the keyframe before its start; the end the camera never delivered is listed as a gap.
    expect(Date.parse(clip.actualFrom!)).toBeLessThanOrEqual(from);
    expect(from - Date.parse(clip.actualFrom!)).toBeLessThanOrEqual(GOP_MS);
    expect(clip.gaps.at(-1)?.to).toBe(new Date(to).toISOString());

    // The trail says what happened, in order, and the audit chain still verifies.
    const custody = await db.sql`select action, actor_name, details from evidence_custody where item_id = ${itemId} order by id`;
    expect(custody.map((c) => c.action)).toEqual(['preserved', 'resumed', 'produced']);
    expect(custody[2]!.details).toMatchObject({ mode: 'afterwards', sha256: clip.sha256 });
    expect(await db.sql`select 1 from audit_log where action = 'evidence.clip_produced' and subject = ${itemId}`).toHaveLength(1);
    const adminB = await new ApiClient(b.url).login('beheer', PASSWORD);
    expect((await adminB.get('/api/audit/verify')).body).toMatchObject({ ok: true });

    // And it stops cleanly.
    b.proc.kill('SIGTERM');
    await exited(b.proc);
    expect(b.proc.exitCode).toBe(0);
  }, 60_000);
});
