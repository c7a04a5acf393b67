// The recorder's and the clip producer's ffmpeg commands as data, the clip plan, and the manifest's time format.
import { describe, expect, it } from 'vitest';
import { clipRemuxArgs, concatListLine, parseSegmentListLine, segmentRecordArgs } from '../../streams/ffmpeg/recording-args.js';
import { planClip, type PlanSegment } from '../../streams/clip.js';
import { segmentPath, segmentTimes, type TimingState } from '../../streams/recorder.js';
import { amsterdam } from '../../server/evidence/service.js';

describe('segmentRecordArgs', () => {
  it('copies the video into MPEG-TS segments, lists each closed segment on stdout, ends on a stalled read', () => {
    const args = segmentRecordArgs({ inputUrl: 'http://127.0.0.1:8000/live/cam.flv?token=t', segmentSeconds: 2, pattern: '/m/recordings/cam/.incoming/r-%06d.ts', ioTimeoutMs: 5000 });
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning',
      '-analyzeduration', '500000', '-probesize', '65536', '-rw_timeout', '5000000',
      '-i', 'http://127.0.0.1:8000/live/cam.flv?token=t',
      '-map', '0:v:0', '-c', 'copy',
      '-f', 'segment', '-segment_format', 'mpegts', '-segment_time', '2',
      '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
      '/m/recordings/cam/.incoming/r-%06d.ts',
    ]);
    // Continuous timestamps are what makes byte-joining valid.
    expect(args).not.toContain('-reset_timestamps');
    expect(args).not.toContain('-strftime');
  });

  it('refuses a pattern without a sequence field (names must be unique)', () => {
    expect(() => segmentRecordArgs({ inputUrl: 'x', segmentSeconds: 2, pattern: '/m/seg.ts', ioTimeoutMs: 1 })).toThrow(/%0Nd/);
  });
});

describe('clipRemuxArgs', () => {
  it('reads the segments joined by the concatf protocol, copies, trims on the output side and writes a faststart MP4', () => {
    expect(clipRemuxArgs({ input: 'concatf:/m/e/x.mp4.list0.txt', output: '/m/e/x.mp4.partial', format: 'mp4', startSeconds: 1.9995, durationSeconds: 300 })).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning', '-y',
      '-f', 'mpegts', '-i', 'concatf:/m/e/x.mp4.list0.txt', '-map', '0:v:0', '-c', 'copy',
      '-ss', '2.000', '-t', '300.000',
      '-movflags', '+faststart', '-f', 'mp4', '-progress', 'pipe:1', '/m/e/x.mp4.partial',
    ]);
    expect(clipRemuxArgs({ input: 'pipe:0', output: 'p.ts', format: 'mpegts' })).not.toContain('-ss');
    // The index reserved at the front: fast start without a second pass over the file.
    const reserved = clipRemuxArgs({ input: 'pipe:0', output: 'p.mp4', format: 'mp4', moovReserveBytes: 250_000 });
    expect(reserved.slice(-7)).toEqual(['-moov_size', '250000', '-f', 'mp4', '-progress', 'pipe:1', 'p.mp4']);
    expect(reserved).not.toContain('+faststart');
  });

  it('quotes concat list paths', () => {
    expect(concatListLine("/m/it's.ts")).toBe("file '/m/it'\\''s.ts'");
  });
});

describe('parseSegmentListLine', () => {
  it('reads name, start and end; refuses garbage', () => {
    expect(parseSegmentListLine('abc-000001.ts,2.000000,4.040000')).toEqual({ file: 'abc-000001.ts', start: 2, end: 4.04 });
    expect(parseSegmentListLine('"a,b.ts",0.0,1.5\n')).toEqual({ file: 'a,b.ts', start: 0, end: 1.5 });
    expect(parseSegmentListLine('frame=  12 fps=0.0')).toBeNull();
    expect(parseSegmentListLine('x.ts,4,2')).toBeNull();
  });
});

describe('segmentPath', () => {
  it('files a segment under the UTC day of its start with a millisecond, run and sequence name', () => {
    expect(segmentPath('ens-oude-markt', '0f1e2d3c-aaaa-bbbb-cccc-000000000000', 7, new Date('2026-11-27T23:59:59.987Z')))
      .toBe('recordings/ens-oude-markt/2026-11-27/20261127T235959987Z-0f1e2d3c-000007.ts');
  });
});

describe('segmentTimes', () => {
  // A run's segments as ffmpeg lists them (stream seconds) and when each list line arrived (wall ms).
  const place = (entries: Array<[number, number, number]>) => {
    let st: TimingState = { anchor: null, prev: null };
    return entries.map(([start, end, arrival], seq) => {
      const t = segmentTimes(st, { seq, start, end }, arrival);
      st = { anchor: t.anchor, prev: { seq, streamEnd: end, endedAt: t.endedAt } };
      return [t.startedAt, t.endedAt];
    });
  };

  it('places a steady run contiguously on the wall clock', () => {
    expect(place([[0, 2, 10_002_000], [2, 4, 10_004_000], [4, 6, 10_006_000]])).toEqual([[10_000_000, 10_002_000], [10_002_000, 10_004_000], [10_004_000, 10_006_000]]);
  });

  it('a late first report (a busy machine) is corrected by at most 5 % per segment, never squeezing one', () => {
    const t = place([[0, 2, 10_002_400], [2, 4, 10_004_000], [4, 6, 10_006_000], [6, 8, 10_008_000], [8, 10, 10_010_000]]);
    expect(t[0]).toEqual([10_000_400, 10_002_400]);
    for (let i = 1; i < t.length; i++) {
      expect(t[i]![0]).toBe(t[i - 1]![1]);                       // contiguous
      expect(t[i]![1] - t[i]![0]).toBeGreaterThanOrEqual(1900);   // 2 s ± 5 %
    }
    expect(t.at(-1)![1]).toBe(10_010_000);                        // converged onto the better anchor
  });

  it('a stall beyond 1.5 s re-anchors: the index shows it as a gap instead of a long segment', () => {
    const t = place([[0, 2, 10_002_000], [2, 4, 10_004_000], [4, 6, 10_009_000]]);
    expect(t[2]).toEqual([10_007_000, 10_009_000]);
    expect(t[2]![0] - t[1]![1]).toBe(3000);
  });
});

describe('planClip', () => {
  const seg = (runId: string, seq: number, s: number, e: number): PlanSegment => ({ file: `${runId}${seq}`, runId, seq, startedAt: s, endedAt: e, bytes: 100 });

  it('one contiguous run: one group, no gaps, only overlapping segments', () => {
    const p = planClip([seg('a', 0, 0, 2000), seg('a', 1, 2000, 4000), seg('a', 2, 4000, 6000), seg('a', 3, 6000, 8000)], 2500, 5000);
    expect(p.groups.map((g) => g.map((s) => s.seq))).toEqual([[1, 2]]);
    expect(p.gaps).toEqual([]);
    expect(p.bytes).toBe(200);
  });

  it('a gap between two runs: two groups, the gap and the unrecorded tail listed', () => {
    const p = planClip([seg('a', 0, 0, 2000), seg('a', 1, 2000, 4000), seg('b', 0, 9000, 11000)], 1000, 15000);
    expect(p.groups.map((g) => g.map((s) => s.file))).toEqual([['a0', 'a1'], ['b0']]);
    expect(p.gaps).toEqual([{ from: 4000, to: 9000 }, { from: 11000, to: 15000 }]);
  });

  it('a missing segment inside a run splits it too (the bytes would not join)', () => {
    const p = planClip([seg('a', 0, 0, 2000), seg('a', 2, 4000, 6000)], 0, 6000);
    expect(p.groups).toHaveLength(2);
    expect(p.gaps).toEqual([{ from: 2000, to: 4000 }]);
  });

  it('nothing recorded: no groups, the whole range is a gap', () => {
    expect(planClip([], 0, 1000)).toEqual({ groups: [], gaps: [{ from: 0, to: 1000 }], bytes: 0 });
  });
});

describe('amsterdam', () => {
  it('shows an instant in UTC and as Amsterdam wall time with its offset (winter and summer)', () => {
    expect(amsterdam('2026-11-27T22:58:00.123Z')).toEqual({ utc: '2026-11-27T22:58:00.123Z', amsterdam: '2026-11-27T23:58:00.123+01:00' });
    expect(amsterdam('2026-07-01T00:30:00.000Z')).toEqual({ utc: '2026-07-01T00:30:00.000Z', amsterdam: '2026-07-01T02:30:00.000+02:00' });
    expect(amsterdam(null)).toEqual({ utc: null, amsterdam: null });
  });
});
