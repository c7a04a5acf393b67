// Pure builders of ffmpeg argument arrays. No I/O: every command the video layer runs is decided here
// and tested as data (tests/unit/streams-args.test.ts). Arrays go straight to spawn(), never to a shell.
import { latencyCodeFilter } from './latency-code.js';

export interface VideoProfile {
  width: number;
  height: number;
  fps: number;
  /** Keyframe interval in frames; 1 s keeps a new viewer's wait (and the GOP cache) short. */
  gop: number;
  bitrateKbps: number;
}

export const MAIN_PROFILE: VideoProfile = { width: 1280, height: 720, fps: 25, gop: 25, bitrateKbps: 1500 };
// Walls play sub streams: sixteen 640x360 tiles decode at full rate on 2 cores, sixteen 720p do not.
export const SUB_PROFILE: VideoProfile = { width: 640, height: 360, fps: 25, gop: 25, bitrateKbps: 400 };

export type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';

/** Quiet, non-interactive ffmpeg: stdin is not read (no 'q' handling), only warnings reach stderr. */
export function baseArgs(): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];
}

/** H.264 for live viewing: zerolatency (no lookahead), no B-frames, fixed 1 s GOP, CBR-ish VBV. */
export function x264Args(profile: VideoProfile, preset: X264Preset, stream = 'v'): string[] {
  const k = profile.bitrateKbps;
  return [
    `-c:${stream}`, 'libx264',
    `-preset:${stream}`, preset,
    `-tune:${stream}`, 'zerolatency',
    `-profile:${stream}`, 'main',
    `-pix_fmt:${stream}`, 'yuv420p',
    `-g:${stream}`, String(profile.gop),
    `-keyint_min:${stream}`, String(profile.gop),
    `-sc_threshold:${stream}`, '0', // no extra keyframes on scene cuts: GOP stays exactly 1 s
    `-bf:${stream}`, '0',
    `-b:${stream}`, `${k}k`,
    `-maxrate:${stream}`, `${k}k`,
    `-bufsize:${stream}`, `${k}k`,
  ];
}

/**
 * Escapes a value placed in a filter option inside a filtergraph string (ffmpeg's two escaping levels:
 * the option value, then the graph description).
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

export interface TextOverlay {
  /** File holding the text; a file avoids escaping camera names (quotes, colons, percent signs). */
  textFile: string;
  /** true: `%{localtime}`, `%{pts:hms}` … in the file are expanded; false: shown literally. */
  expand: boolean;
  x: number;
  y: number;
  fontSize: number;
}

export function drawtextFilter(overlay: TextOverlay, fontFile?: string): string {
  const font = fontFile ? `fontfile=${escapeFilterValue(fontFile)}` : 'font=Sans';
  return [
    `drawtext=${font}`,
    `textfile=${escapeFilterValue(overlay.textFile)}`,
    `expansion=${overlay.expand ? 'normal' : 'none'}`,
    `x=${overlay.x}`,
    `y=${overlay.y}`,
    `fontsize=${overlay.fontSize}`,
    'fontcolor=white',
    'box=1',
    'boxcolor=black@0.55',
    `boxborderw=${Math.max(4, Math.round(overlay.fontSize / 5))}`,
  ].join(':');
}

/** Text overlays at a size that reads the same at 720p and 360p. */
export function standardOverlays(profile: VideoProfile, files: { title: string; clock: string }, clockExpands = true): TextOverlay[] {
  const unit = profile.height / 360;
  const size = Math.round(20 * unit);
  return [
    // Below testsrc2's own small timestamp in the top-left corner, which would read like a second clock.
    { textFile: files.title, expand: false, x: Math.round(12 * unit), y: Math.round(30 * unit), fontSize: size },
    { textFile: files.clock, expand: clockExpands, x: Math.round(12 * unit), y: Math.round(30 * unit) + size + Math.round(14 * unit), fontSize: size },
  ];
}

export interface LoopEncodeSpec {
  profile: VideoProfile;
  seconds: number;
  titleFile: string;
  /** Text file with e.g. `loop %{pts:hms}`: a pre-encoded loop cannot show the wall clock honestly. */
  counterFile: string;
  fontFile?: string;
  /** false for an ffmpeg without the drawtext filter: pattern only. */
  drawText?: boolean;
  preset?: X264Preset;
  output: string;
}

/**
 * One-off encode of a demo loop (moving test pattern + camera name + loop counter) into an MP4 that is
 * later pushed with `-c copy`. A whole number of GOPs long, so the loop seam lands on a keyframe.
 */
export function demoLoopEncodeArgs(spec: LoopEncodeSpec): string[] {
  const { profile } = spec;
  if ((spec.seconds * profile.fps) % profile.gop !== 0) throw new Error('loop length must be a whole number of GOPs');
  const overlays = standardOverlays(profile, { title: spec.titleFile, clock: spec.counterFile });
  return [
    ...baseArgs(),
    '-y',
    '-f', 'lavfi',
    '-i', `testsrc2=size=${profile.width}x${profile.height}:rate=${profile.fps}:duration=${spec.seconds}`,
    ...(spec.drawText === false ? [] : ['-vf', overlays.map((o) => drawtextFilter(o, spec.fontFile)).join(',')]),
    '-an',
    ...x264Args(profile, spec.preset ?? 'veryfast'),
    '-movflags', '+faststart',
    '-f', 'mp4',
    spec.output,
  ];
}

/** Re-sends a file forever at its own pace, without re-encoding (`-re -stream_loop -1 -c copy`). */
export function loopPushArgs(input: string, rtmpUrl: string): string[] {
  return [
    ...baseArgs(),
    '-re',
    '-stream_loop', '-1',
    '-i', input,
    '-map', '0:v:0',
    '-c', 'copy',
    ...flvOutputArgs(rtmpUrl),
  ];
}

/** FLV over RTMP; `no_duration_filesize` because a live stream has neither. */
export function flvOutputArgs(rtmpUrl: string): string[] {
  return ['-f', 'flv', '-flvflags', 'no_duration_filesize', rtmpUrl];
}

export interface LiveOutputs {
  profile: VideoProfile;
  /** RTMP publish URLs; more than one fans the same encode out with the tee muxer. */
  urls: string[];
}

export interface LiveEncodeSpec {
  main: LiveOutputs;
  sub?: LiveOutputs;
  titleFile: string;
  /** Text file with `%{localtime}`: the real wall clock, only possible in a live encode. */
  clockFile: string;
  fontFile?: string;
  /** Burn the capture-time block code (see latency-code.ts) into every frame. */
  latencyCode: boolean;
  preset?: X264Preset;
}

/**
 * Live demo encode: moving pattern, title, wall clock and optionally the latency code, encoded once per
 * resolution and sent to one or many RTMP URLs. The sub stream is scaled from the same source so both
 * carry the same clock.
 */
export function liveEncodeArgs(spec: LiveEncodeSpec): string[] {
  const { main, sub } = spec;
  const preset = spec.preset ?? 'ultrafast';
  if (main.urls.length === 0) throw new Error('live encode needs at least one main output');
  const overlay = (p: VideoProfile) =>
    standardOverlays(p, { title: spec.titleFile, clock: spec.clockFile }).map((o) => drawtextFilter(o, spec.fontFile)).join(',');
  const decorate = (p: VideoProfile) => overlay(p) + (spec.latencyCode ? `,${latencyCodeFilter(p.width, p.height)}` : '');
  const src = `testsrc2=size=${main.profile.width}x${main.profile.height}:rate=${main.profile.fps}`;
  const graph = sub
    ? `[0:v]split=2[m0][s0];[m0]${decorate(main.profile)}[main];[s0]scale=${sub.profile.width}:${sub.profile.height},${decorate(sub.profile)}[sub]`
    : `[0:v]${decorate(main.profile)}[main]`;
  // -re paces the generated source at real time, so a frame is drawn (and its clock read) when it is "captured".
  const args = [...baseArgs(), '-re', '-f', 'lavfi', '-i', src, '-filter_complex', graph];
  const output = (label: string, out: LiveOutputs) => [
    '-map', `[${label}]`,
    '-an',
    ...x264Args(out.profile, preset),
    ...(out.urls.length === 1 ? flvOutputArgs(out.urls[0]!) : teeOutputArgs(out.urls)),
  ];
  args.push(...output('main', main));
  if (sub) {
    if (sub.urls.length === 0) throw new Error('sub outputs given without URLs');
    args.push(...output('sub', sub));
  }
  return args;
}

/**
 * Tee: one encode, many RTMP publishers. The encoder must emit global headers (tee itself does not ask
 * for them, FLV needs them), and one refused publisher must not stop the others (onfail=ignore).
 */
export function teeOutputArgs(urls: string[]): string[] {
  const slave = (url: string) => {
    if (/[|[\]]/.test(url)) throw new Error(`URL not usable in a tee output: ${url}`);
    return `[f=flv:flvflags=no_duration_filesize:onfail=ignore]${url}`;
  };
  return ['-flags:v', '+global_header', '-f', 'tee', urls.map(slave).join('|')];
}

export interface RtspBridgeSpec {
  sourceUrl: string;
  rtmpUrl: string;
  /** Major version of the ffmpeg binary: the RTSP socket timeout option was renamed in 5.0. */
  ffmpegMajor: number;
  /** A connect/read that hangs longer than this ends ffmpeg, so the supervisor can retry. */
  ioTimeoutMs: number;
}

/**
 * RTSP camera -> media server, no transcode. TCP interleaved transport (no UDP port juggling, no loss),
 * first video track only (walls are video-only; camera audio codecs such as G.711 do not fit FLV players).
 */
export function rtspBridgeArgs(spec: RtspBridgeSpec): string[] {
  if (!/^rtsps?:\/\//i.test(spec.sourceUrl)) throw new Error('RTSP bridge source must be an rtsp:// URL');
  const us = String(Math.round(spec.ioTimeoutMs * 1000));
  // In ffmpeg 4.x `-timeout` on RTSP input means "listen for an incoming connection": use -stimeout there.
  const timeoutOption = spec.ffmpegMajor >= 5 ? '-timeout' : '-stimeout';
  return [
    ...baseArgs(),
    '-rtsp_transport', 'tcp',
    timeoutOption, us,
    '-analyzeduration', '1000000',
    '-probesize', '1000000',
    '-fflags', '+genpts',
    '-i', spec.sourceUrl,
    '-map', '0:v:0',
    '-c', 'copy',
    '-rw_timeout', us, // a media server that stops reading ends the bridge too
    ...flvOutputArgs(spec.rtmpUrl),
  ];
}

export interface RtpSourceSpec {
  input: string;
  rtpPort: number;
  rtcpPort: number;
  sdpFile: string;
}

/**
 * Demo RTSP camera: loops a pre-encoded file as RTP to the local demo RTSP server, which relays it to
 * RTSP clients. `connect=1` makes ffmpeg notice (and exit) when the receiving server is gone.
 */
export function rtpSourceArgs(spec: RtpSourceSpec): string[] {
  return [
    ...baseArgs(),
    '-re',
    '-stream_loop', '-1',
    '-i', spec.input,
    '-map', '0:v:0',
    '-c', 'copy',
    '-f', 'rtp',
    '-sdp_file', spec.sdpFile,
    `rtp://127.0.0.1:${spec.rtpPort}?rtcpport=${spec.rtcpPort}&connect=1&pkt_size=1300`,
  ];
}

/**
 * Reading a live stream from the media server, video only. Its FLV header always claims audio: small probe
 * settings stop ffmpeg waiting for it. A server that stops sending ends the read after ioTimeoutMs.
 */
export function liveFlvInputArgs(url: string, ioTimeoutMs = 5000): string[] {
  return ['-analyzeduration', '500000', '-probesize', '65536', '-rw_timeout', String(Math.round(ioTimeoutMs * 1000)), '-i', url, '-map', '0:v:0'];
}

/** Opens a stream like a player would and decodes a few frames: exit code 0 means "playable". */
export function decodeCheckArgs(url: string, frames: number): string[] {
  return [
    ...baseArgs(),
    ...liveFlvInputArgs(url),
    '-frames:v', String(frames),
    '-f', 'null',
    '-',
  ];
}

/**
 * One JPEG from a live FLV stream: the media server's GOP cache starts a new reader at the latest keyframe,
 * so the first decoded frame is at most one GOP (1 s) old. Small probe settings: the FLV header claims audio.
 */
export function snapshotArgs(url: string, output: string, quality = 3): string[] {
  return [
    ...baseArgs(),
    ...liveFlvInputArgs(url),
    '-frames:v', '1',
    '-q:v', String(quality),
    '-f', 'image2',
    '-y',
    output,
  ];
}
