import { z } from 'zod';
import type { Sql } from '../db/connect.js';
import { route, reply } from '../http/route.js';
import { HttpError, forbidden, notFound } from '../http/errors.js';
import { can } from '../auth/policy.js';
import { idParams } from '../cameras/schema.js';
import { getCamera } from '../cameras/store.js';
import { listRecordingViews, recordedRanges, oldestSegmentStart } from './store.js';
import {
  playbackQuerySchema, recordingRangesQuerySchema, recordingRangesSchema, recordingsStatusSchema, recordingViewQuerySchema, recordingViewSchema, type RecordingsStatus,
} from './schema.js';
import type { Playback } from './playback.js';
import type { RecorderManager } from './manager.js';
import type { RetentionSweeper } from './retention.js';

const DAY = 24 * 3_600_000;

export function recordingRoutes(d: { sql: Sql; playback: Playback; recorder: () => RecorderManager | null; retention: () => RetentionSweeper | null; settings: { recording: boolean; segmentSeconds: number; retentionDays: number; minFreeBytes: number } }) {
  return [
    route({ method: 'get', path: '/api/recordings/status', action: 'recordings.monitor', tag: 'recordings', summary: 'Recorder per live camera, disk space, last retention sweep',
      response: recordingsStatusSchema, handler: async (): Promise<RecordingsStatus> => {
        const rec = d.recorder(), ret = d.retention();
        const cams = rec ? await rec.statuses() : [];
        const disk = ret?.lastDisk ?? null;
        const oldest = await oldestSegmentStart(d.sql);
        return {
          recording: d.settings.recording, segmentSeconds: d.settings.segmentSeconds, retentionDays: d.settings.retentionDays,
          cameras: cams.map((c) => ({ cameraId: c.cameraId, state: c.state, since: c.since.toISOString(), segments: c.segments, lastSegmentAt: c.lastSegmentAt?.toISOString() ?? null, restarts: c.restarts, lastError: c.lastError })),
          disk: disk ? { freeBytes: disk.freeBytes, totalBytes: disk.totalBytes, minFreeBytes: d.settings.minFreeBytes, low: disk.low } : null,
          lastSweep: ret?.lastSweep ?? null, oldestSegmentAt: oldest?.toISOString() ?? null,
        };
      } }),
    // Mirrors GET /api/live/views: the same actions, so whoever reads a live-view history reads the playbacks beside it.
    route({ method: 'get', path: '/api/recordings/views', action: 'views.read.own', tag: 'recordings', summary: 'Playback history of recordings: your own (scope=mine) or everyone’s (scope=all, supervisors)',
      query: recordingViewQuerySchema, response: z.array(recordingViewSchema),
      handler: async ({ user, query }) => {
        if (query.scope === 'all' && !can(user!.role, 'views.read.all')) throw forbidden();
        return listRecordingViews(d.sql, { userId: query.scope === 'all' ? null : user!.id, cameraId: query.camera, limit: query.limit });
      } }),
    route({ method: 'get', path: '/api/recordings/:id/ranges', action: 'recordings.read', tag: 'recordings', summary: 'The timeline of a camera: recorded ranges and gaps in a window (default the last 24 h, at most 7 days)',
      params: idParams, query: recordingRangesQuerySchema, response: recordingRangesSchema, handler: async ({ params, query }) => {
        if (!(await getCamera(d.sql, { municipalityId: null }, params.id))) throw notFound('camera');
        const to = query.to ? new Date(query.to) : new Date();
        const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY);
        if (from >= to) throw new HttpError(400, 'invalid_range', 'from must be before to', 'to');
        if (to.getTime() - from.getTime() > 7 * DAY) throw new HttpError(400, 'range_too_long', 'a timeline window spans at most 7 days', 'from');
        const r = await recordedRanges(d.sql, params.id, from, to);
        return { cameraId: params.id, from: from.toISOString(), to: to.toISOString(), ...r };
      } }),
    route({ method: 'get', path: '/api/recordings/:id/play', action: 'recordings.read', tag: 'recordings',
      summary: 'Play recorded video from a moment (fragmented MP4, no re-encode, at most 30 min; a gap ends it). Every playback is recorded like a live view',
      params: idParams, query: playbackQuerySchema, handler: async ({ user, params, query, remoteAddr, res }) => {
        const p = await d.playback.open(user!, remoteAddr, params.id, query.from, query.to);
        res.once('close', p.close);
        p.stream.once('end', p.close);
        return reply(200, p.stream, {
          'Content-Type': 'video/mp4', 'Cache-Control': 'no-store',
          'X-Recording-From': new Date(p.actualFrom).toISOString(), 'X-Recording-To': new Date(p.actualTo).toISOString(),
        });
      } }),
  ];
}
