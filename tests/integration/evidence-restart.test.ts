// A server killed while producing an evidence clip, or while recording, resumes on start: what a kill leaves is
// simulated here, in process (evidence-kill.test.ts kills the real process). (Own file: one media server per
// process, and this test runs two rooms one after the other.)
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient, startTestRoom, type TestRoom } from '../support/room.js';
import { waitFor, type Publisher } from '../support/publisher.js';
import { createRtmpCamera, publishTo } from '../support/cameras.js';
import { segments, waitReady } from '../support/evidence.js';
import { freshDatabase } from '../support/db.js';

const publishers: Publisher[] = [];
afterAll(async () => { await Promise.all(publishers.map((p) => p.stop())); });

const newCamera = (_r: TestRoom, api: ApiClient, id: string) => createRtmpCamera(api, id);
const publish = (r: TestRoom, id: string, key: string) => publishTo(publishers, r, id, key);
const iso = (ms: number) => new Date(ms).toISOString();

describe('server killed', () => {
  it('resumes a clip it was producing, and indexes the segment that was being written', async () => {
    const db = await freshDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'uitkijk-evidence-restart-'));
    try {
      const a = await startTestRoom({}, { db, dataDir });
      const adminA = await new ApiClient(a.url).login('admin');
      const key = await newCamera(a, adminA, 'rec-kill');
      const p = publish(a, 'rec-kill', key);
      await waitFor('segments', async () => (await segments(a, 'rec-kill')).length >= 4, 20_000, 200);
      await p.stop('SIGKILL');
      await waitFor('recorder stopped', () => !a.recorder!.isRecording('rec-kill'), 10_000, 100);
      // What a kill leaves: the clip worker never finished (state 'producing', a half-written file) …
      await a.clips.stop();
      const rows = await segments(a, 'rec-kill');
      const obs = await new ApiClient(a.url).login('observer');
      const res = await obs.post('/api/evidence', { cameras: ['rec-kill'], from: iso(rows[1]!.started_at.getTime() + 300), to: iso(rows[2]!.ended_at.getTime() - 300), reason: 'Herstart test' });
      expect(res.status).toBe(201);
      await a.sql`update evidence_clips set state = 'producing', attempts = 1 where item_id = ${res.body.id}`;
      const evDir = path.join(dataDir, 'media', 'evidence', res.body.id);
      mkdirSync(evDir, { recursive: true });
      writeFileSync(path.join(evDir, 'rec-kill.mp4.partial'), 'half a clip');
      // … and the recorder's segment being written, left in .incoming (here: a copy of a real one, as a new run).
      const orphanRun = '0badc0de-0000-4000-8000-000000000001';
      copyFileSync(path.join(dataDir, 'media', rows[3]!.path), path.join(dataDir, 'media', 'recordings', 'rec-kill', '.incoming', `${orphanRun}-000000.ts`));
      writeFileSync(path.join(dataDir, 'media', 'recordings', 'rec-kill', '.incoming', `${orphanRun}-000001.ts`), 'garbage');
      // … and a playback of a recording still open (its ffmpeg died with the process).
      const [openView] = await a.sql`insert into recording_views (user_id, camera_id, range_from, range_to)
        select id, 'rec-kill', ${rows[0]!.started_at}, ${rows[1]!.ended_at} from users where username = 'observer' returning id`;
      await a.close();

      const b = await startTestRoom({}, { db, dataDir });
      try {
        const obsB = await new ApiClient(b.url).login('observer');
        const item = await waitReady(obsB, res.body.id);
        expect(item.state).toBe('ready');
        expect(existsSync(path.join(evDir, 'rec-kill.mp4.partial'))).toBe(false);
        expect(createHash('sha256').update(readFileSync(path.join(evDir, 'rec-kill.mp4'))).digest('hex')).toBe(item.clips[0]!.sha256);
        const custody = (await obsB.get(`/api/evidence/${res.body.id}`)).body.custody.map((c: any) => c.action);
        expect(custody).toEqual(['preserved', 'resumed', 'produced', 'viewed']); // 'viewed': this read
        const recovered = await b.sql`select * from recording_segments where run_id = ${orphanRun}`;
        expect(recovered).toHaveLength(1);
        expect(existsSync(path.join(dataDir, 'media', recovered[0]!.path))).toBe(true);
        expect(readdirSync(path.join(dataDir, 'media', 'recordings', 'rec-kill', '.incoming'))).toEqual([]);
        // The playback left open is closed at start: the history does not show it as still watching.
        const [view] = (await obsB.get('/api/recordings/views')).body.filter((v: any) => v.id === openView!.id);
        expect(view?.endedAt).toEqual(expect.any(String));
      } finally {
        await b.close();
      }
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
