// The recordings contract (timeline, recorder status, disk alerts), shared by routes, socket events and the client.
// Importable by the browser: zod only.
import { z } from 'zod';
import { cameraIdSchema } from '../cameras/schema.js';
import { liveViewQuerySchema } from '../live/schema.js';

declare module '../events.js' {
  interface DomainEvents {
    // A recorded segment was closed and indexed (the evidence worker waits for post-rolls on it).
    'recording.segment': [segment: { cameraId: string; startedAt: string; endedAt: string }];
    // Free disk space fell below DISK_MIN_FREE_MB: the oldest unpreserved recordings were deleted; supervisors must know.
    'recordings.disk_low': [alert: DiskLowAlert];
  }
}

export const isoInstant = z.iso.datetime({ offset: true });

export const timeRangeSchema = z.object({ from: z.string(), to: z.string() }).meta({ id: 'TimeRange' });
export type TimeRange = z.infer<typeof timeRangeSchema>;

export const recordingRangesQuerySchema = z.object({
  from: isoInstant.optional(),   // default: 24 h before `to`
  to: isoInstant.optional(),     // default: now
});

export const playbackQuerySchema = z.object({
  from: isoInstant,              // play from the keyframe at or before this moment
  to: isoInstant.optional(),     // default: from + 30 min (at most 30 min), or now
});

export const recordingRangesSchema = z.object({
  cameraId: cameraIdSchema,
  from: z.string(), to: z.string(),
  // Recorded stretches (segments closer than 1 s to each other are merged) and the gaps between them, in the window.
  ranges: z.array(timeRangeSchema),
  gaps: z.array(timeRangeSchema),
}).meta({ id: 'RecordingRanges' });
export type RecordingRanges = z.infer<typeof recordingRangesSchema>;

/** One playback of recorded video (recording_views): logged like a live view, with the recorded range played. */
export const recordingViewSchema = z.object({
  id: z.string(), username: z.string(), cameraId: z.string(), cameraName: z.string(),
  rangeFrom: z.string(), rangeTo: z.string(),   // the recorded stretch that was played
  startedAt: z.string(), endedAt: z.string().nullable(), remoteAddr: z.string().nullable(),
}).meta({ id: 'RecordingView' });
export type RecordingView = z.infer<typeof recordingViewSchema>;

/** The same filter as the live-view history: own (scope=mine) or everyone's (scope=all, views.read.all). */
export const recordingViewQuerySchema = liveViewQuerySchema;

export const recorderStateSchema = z.object({
  cameraId: cameraIdSchema,
  state: z.enum(['starting', 'running', 'backoff', 'stopped']),
  since: z.string(),
  segments: z.number(),            // indexed by this recorder since it started
  lastSegmentAt: z.string().nullable(),
  restarts: z.number(),
  lastError: z.string().nullable(),
}).meta({ id: 'RecorderState' });

export const diskStateSchema = z.object({
  freeBytes: z.number(), totalBytes: z.number(), minFreeBytes: z.number(), low: z.boolean(),
}).meta({ id: 'DiskState' });

export const sweepReportSchema = z.object({
  at: z.string(), kind: z.enum(['retention', 'disk-guard']),
  cutoff: z.string().nullable(),           // retention: segments that ended before this were deleted
  deletedSegments: z.number(), deletedBytes: z.number(), purgedClips: z.number(), durationMs: z.number(),
}).meta({ id: 'SweepReport' });
export type SweepReport = z.infer<typeof sweepReportSchema>;

export const recordingsStatusSchema = z.object({
  recording: z.boolean(),                  // RECORDING setting
  segmentSeconds: z.number(),
  retentionDays: z.number(),
  cameras: z.array(recorderStateSchema),
  disk: diskStateSchema.nullable(),
  lastSweep: sweepReportSchema.nullable(),
  oldestSegmentAt: z.string().nullable(),
}).meta({ id: 'RecordingsStatus' });
export type RecordingsStatus = z.infer<typeof recordingsStatusSchema>;

/** Socket 'recordings:disk-low' (supervisors, admins): free space fell below DISK_MIN_FREE_MB. */
export const diskLowAlertSchema = z.object({
  at: z.string(),
  freeBytes: z.number(), minFreeBytes: z.number(),
  deletedSegments: z.number(), deletedBytes: z.number(),
  // Oldest recording left: how far back the room can still look.
  oldestSegmentAt: z.string().nullable(),
  // true when even after deleting every unpreserved segment the disk is still below the threshold.
  stillLow: z.boolean(),
}).meta({ id: 'DiskLowAlert' });
export type DiskLowAlert = z.infer<typeof diskLowAlertSchema>;
