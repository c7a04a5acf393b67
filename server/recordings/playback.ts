// Playback of recordings in the console: a recorded range remuxed on the fly (no re-encode) to fragmented MP4,
// which Chromium plays as it arrives. Every playback is logged like a live view: who, which camera, which
// range, from when to when (recording_views) and in the audit chain.
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Sql } from '../db/connect.js';
import type { SessionUser } from '../auth/sessions.js';
import { appendAudit } from '../audit/store.js';
import { DomainError, invalid, notFound } from '../errors.js';
import { getCamera } from '../cameras/store.js';
import { planClip, streamRange } from '../../streams/clip.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';
import { endRecordingView, insertRecordingView, segmentsOverlapping } from './store.js';

export const PLAYBACK_MAX_MINUTES = 30;

export class Playback {
  constructor(private d: { sql: Sql; mediaDir: string; ffmpeg: () => string | null; retentionDays: number; now: () => number;
    /** Major version of that ffmpeg: before 5 there is no concatf protocol, segments are then fed on stdin. */
    ffmpegMajor?: () => number;
    /** A segment as a local path, whichever node recorded it (server/cluster/media-files.ts). */
    segmentFile?: (rel: string, nodeId: string | null) => Promise<string> }) {}

  async open(user: SessionUser, remoteAddr: string, cameraId: string, fromIso: string, toIso?: string): Promise<{ stream: Readable; actualFrom: number; actualTo: number; close(): void }> {
    const now = this.d.now();
    const from = Date.parse(fromIso);
    const to = toIso ? Date.parse(toIso) : Math.min(now, from + PLAYBACK_MAX_MINUTES * 60_000);
    if (from > now) throw invalid('range_in_future', 'nothing is recorded after now', 'from');
    if (to <= from) throw invalid('invalid_range', 'to must be after from', 'to');
    if (to - from > PLAYBACK_MAX_MINUTES * 60_000) throw invalid('range_too_long', `play at most ${PLAYBACK_MAX_MINUTES} minutes at a time`, 'to');
    if (from < now - this.d.retentionDays * 86_400_000) throw invalid('older_than_retention', `recordings are kept ${this.d.retentionDays} days`, 'from');
    if (!(await getCamera(this.d.sql, { municipalityId: null }, cameraId))) throw notFound('camera');
    const ffmpeg = this.d.ffmpeg();
    if (!ffmpeg) throw new DomainError('unavailable', 'ffmpeg_missing', 'ffmpeg is not available on this server');
    const segs = await segmentsOverlapping(this.d.sql, cameraId, new Date(from), new Date(to));
    const file = this.d.segmentFile ?? (async (rel: string) => path.join(this.d.mediaDir, rel));
    const plan = planClip(await Promise.all(segs.map(async (s) => ({ file: await file(s.path, s.nodeId), runId: s.runId, seq: s.seq, startedAt: s.startedAt.getTime(), endedAt: s.endedAt.getTime(), bytes: s.bytes }))), from, to);
    if (plan.groups.length === 0) throw new DomainError('not_found', 'no_recording', 'this camera has no recording in that range', 'from');
    const play = await streamRange({ ffmpeg, ffprobe: ffprobePathFor(ffmpeg), plan, from, to, concatf: (this.d.ffmpegMajor?.() ?? 5) >= 5 });
    const viewId = await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const id = await insertRecordingView(tx, { userId: user.id, cameraId, from: new Date(play.actualFrom), to: new Date(play.actualTo), remoteAddr });
      await appendAudit(tx, { action: 'recordings.play', actor: user, subject: cameraId, remoteAddr,
        details: { viewId: id, from: new Date(play.actualFrom).toISOString(), to: new Date(play.actualTo).toISOString() } });
      return id;
    }).catch((e) => { play.stop(); throw e; });
    let closed = false;
    return {
      stream: play.stream, actualFrom: play.actualFrom, actualTo: play.actualTo,
      close: () => {
        if (closed) return;
        closed = true;
        play.stop();
        void endRecordingView(this.d.sql, viewId).catch(() => {});
      },
    };
  }
}
