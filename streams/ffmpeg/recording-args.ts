// Pure builders of the ffmpeg/ffprobe argument arrays for recording and evidence clips. No I/O; tested as data
// (tests/unit/streams-recording-args.test.ts). Kept beside args.ts in a file of their own.
import { baseArgs, liveFlvInputArgs } from './args.js';

export interface SegmentRecordSpec {
  /** The camera's main stream as the media server serves it (HTTP-FLV with the recorder's play token). */
  inputUrl: string;
  /** Target segment length; each segment starts on a keyframe, so a segment lasts at least this long (one GOP more at most). */
  segmentSeconds: number;
  /** Output pattern with one %06d (the sequence number), e.g. /media/recordings/cam/.incoming/<run>-%06d.ts */
  pattern: string;
  /** A read that stalls longer ends ffmpeg: a camera that goes silent ends its recorder. */
  ioTimeoutMs: number;
}

/**
 * Camera main stream -> MPEG-TS segments, no re-encode. Why each part:
 * - small probe settings: the media server's FLV header always claims audio; ffmpeg would wait 5 s for it.
 * - `-map 0:v:0 -c copy`: video only, as received (~0.3 % of a core).
 * - no `-reset_timestamps`: within one run the timestamps stay continuous, so an evidence clip can join the
 *   segments byte by byte (MPEG-TS allows it) and remux once, which is ~10x faster than the concat demuxer.
 * - `-segment_list pipe:1` as CSV: ffmpeg prints "name,start,end" when (and only when) a segment is complete
 *   and flushed (av_write_trailer flushes before the list entry); the recorder indexes it then. The file being
 *   written is never in the index.
 * - each segment gets its own PAT/PMT and (h264_mp4toannexb) SPS/PPS before its first keyframe: playable alone.
 */
export function segmentRecordArgs(spec: SegmentRecordSpec): string[] {
  if (!/%0\d+d/.test(spec.pattern)) throw new Error('segment pattern needs a %0Nd sequence field');
  if (!(spec.segmentSeconds > 0)) throw new Error('segmentSeconds must be positive');
  return [
    ...baseArgs(),
    ...liveFlvInputArgs(spec.inputUrl, spec.ioTimeoutMs),
    '-c', 'copy',
    '-f', 'segment',
    '-segment_format', 'mpegts',
    '-segment_time', String(spec.segmentSeconds),
    '-segment_list', 'pipe:1',
    '-segment_list_type', 'csv',
    spec.pattern,
  ];
}

export interface ClipRemuxSpec {
  /**
   * The joined segments: `concatf:<list file>` (ffmpeg ≥ 5: the concat protocol reading its file list from a file,
   * so a 2-hour clip's 3 600 paths never meet the 128 KB limit of one argument; ~2x faster than a pipe), or
   * `pipe:0` with the bytes fed on stdin (older ffmpeg).
   */
  input: string;
  /** Output file; its extension does not matter, the format is given. */
  output: string;
  format: 'mp4' | 'mpegts';
  /** Output-side trim: drop what comes before this offset (s) of the joined input; the first kept frame is a keyframe at or after it. */
  startSeconds?: number;
  /** Stop after this many seconds of output. */
  durationSeconds?: number;
  /**
   * MP4 only: reserve this many bytes for the index (moov) at the front, so the file is "fast start" without
   * +faststart's second pass over the whole file (~0.1-0.2 s per 150 MB). Too small makes ffmpeg fail
   * ("reserved_moov_size is too small"): then run again without it.
   */
  moovReserveBytes?: number;
}

/**
 * Joined MPEG-TS segments -> one file, `-c copy`. MP4 gets +faststart (the index in front, so a
 * browser plays it while downloading). `-progress pipe:1` reports out_time for the progress bar.
 */
export function clipRemuxArgs(spec: ClipRemuxSpec): string[] {
  const trim: string[] = [];
  if (spec.startSeconds !== undefined && spec.startSeconds > 0) trim.push('-ss', spec.startSeconds.toFixed(3));
  if (spec.durationSeconds !== undefined) trim.push('-t', spec.durationSeconds.toFixed(3));
  return [
    ...baseArgs(),
    '-y',
    '-f', 'mpegts',
    '-i', spec.input,
    '-map', '0:v:0',
    '-c', 'copy',
    ...trim,
    ...(spec.format === 'mp4'
      ? [...(spec.moovReserveBytes ? ['-moov_size', String(Math.ceil(spec.moovReserveBytes))] : ['-movflags', '+faststart']), '-f', 'mp4']
      : ['-f', 'mpegts']),
    '-progress', 'pipe:1',
    spec.output,
  ];
}

/**
 * Playback of a recorded range in the browser: joined segments -> fragmented MP4 on stdout (plays while it
 * arrives; no index to write at the end), trimmed like a clip.
 */
export function playbackArgs(spec: { input: string; startSeconds?: number; durationSeconds: number }): string[] {
  return [
    ...baseArgs(),
    '-f', 'mpegts',
    '-i', spec.input,
    '-map', '0:v:0',
    '-c', 'copy',
    ...(spec.startSeconds && spec.startSeconds > 0 ? ['-ss', spec.startSeconds.toFixed(3)] : []),
    '-t', spec.durationSeconds.toFixed(3),
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof',
    '-f', 'mp4',
    'pipe:1',
  ];
}

/**
 * Joins a few MPEG-TS parts whose timestamps do not continue (recorder runs on both sides of a recording gap)
 * with the concat demuxer, which lays them end to end, into an MP4. Only used across gaps: few files.
 */
export function concatRunsArgs(listFile: string, output: string): string[] {
  return [
    ...baseArgs(),
    '-y',
    '-f', 'concat',
    '-safe', '0',
    '-i', listFile,
    '-map', '0:v:0',
    '-c', 'copy',
    '-movflags', '+faststart',
    '-f', 'mp4',
    output,
  ];
}

/** One line of a concat-demuxer list; paths are ours (never from users) but quoted anyway. */
export function concatListLine(file: string): string {
  return `file '${file.replace(/'/g, "'\\''")}'`;
}

/** ffprobe: timestamps and key flags of the video packets of one file (CSV: pts_time,flags). */
export function keyframeProbeArgs(file: string): string[] {
  return ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file];
}

/** ffprobe: duration, frame count, size and codec of a clip, as JSON. An MP4 states its frame count in its index;
 *  an MPEG-TS file has none, so its packets are counted (`countPackets`: reads the whole file). */
export function clipProbeArgs(file: string, countPackets = false): string[] {
  return [
    '-v', 'error', '-select_streams', 'v:0', ...(countPackets ? ['-count_packets'] : []),
    '-show_entries', 'format=duration,start_time:stream=codec_name,width,height,nb_frames,nb_read_packets,duration',
    '-of', 'json', file,
  ];
}

/** Parses one CSV line of the segment list: "name,start,end" (a name with a comma comes quoted). */
export function parseSegmentListLine(line: string): { file: string; start: number; end: number } | null {
  const m = /^(?:"((?:[^"]|"")*)"|([^,]*)),(-?[\d.]+),(-?[\d.]+)\s*$/.exec(line.trim());
  if (!m) return null;
  const file = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!;
  const start = Number(m[3]), end = Number(m[4]);
  if (!file || !Number.isFinite(start) || !Number.isFinite(end) || end < start) return null;
  return { file, start, end };
}
