import { describe, expect, it } from 'vitest';
import {
  decodeCheckArgs,
  demoLoopEncodeArgs,
  escapeFilterValue,
  liveEncodeArgs,
  loopPushArgs,
  MAIN_PROFILE,
  rtpSourceArgs,
  rtspBridgeArgs,
  SUB_PROFILE,
  teeOutputArgs,
  x264Args,
} from '../../streams/ffmpeg/args.js';

const QUIET = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];

/** The value following a flag (first occurrence). */
function opt(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('x264Args', () => {
  it('encodes for live viewing: zerolatency, 1 s GOP, no B-frames, no scene-cut keyframes', () => {
    expect(x264Args(SUB_PROFILE, 'veryfast')).toEqual([
      '-c:v', 'libx264',
      '-preset:v', 'veryfast',
      '-tune:v', 'zerolatency',
      '-profile:v', 'main',
      '-pix_fmt:v', 'yuv420p',
      '-g:v', '25',
      '-keyint_min:v', '25',
      '-sc_threshold:v', '0',
      '-bf:v', '0',
      '-b:v', '400k',
      '-maxrate:v', '400k',
      '-bufsize:v', '400k',
    ]);
  });

  it('uses 1280x720 main and 640x360 sub profiles at 25 fps', () => {
    expect(MAIN_PROFILE).toMatchObject({ width: 1280, height: 720, fps: 25, gop: 25 });
    expect(SUB_PROFILE).toMatchObject({ width: 640, height: 360, fps: 25, gop: 25 });
  });
});

describe('escapeFilterValue', () => {
  it('escapes for the option level and then the filtergraph level', () => {
    expect(escapeFilterValue('/data/loops/a.txt')).toBe('/data/loops/a.txt');
    expect(escapeFilterValue('C:x')).toBe(String.raw`C\\:x`); // graph level unescapes to C\:x, option level to C:x
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterValue('a,b;[c]')).toBe('a\\,b\\;\\[c\\]');
  });
});

describe('demoLoopEncodeArgs', () => {
  const spec = {
    profile: SUB_PROFILE,
    seconds: 10,
    titleFile: '/cache/cam.title.txt',
    counterFile: '/cache/counter.txt',
    fontFile: '/fonts/Sans.ttf',
    output: '/cache/cam-sub.partial.mp4',
  };

  it('encodes a moving pattern with the camera name and a loop counter, once, into an MP4', () => {
    const args = demoLoopEncodeArgs(spec);
    expect(args.slice(0, 5)).toEqual(QUIET);
    expect(opt(args, '-f')).toBe('lavfi');
    expect(opt(args, '-i')).toBe('testsrc2=size=640x360:rate=25:duration=10');
    const vf = opt(args, '-vf')!;
    expect(vf.split(',drawtext=')).toHaveLength(2);
    expect(vf).toContain('textfile=/cache/cam.title.txt:expansion=none'); // names are shown literally
    expect(vf).toContain('textfile=/cache/counter.txt:expansion=normal');
    expect(vf).toContain('fontfile=/fonts/Sans.ttf');
    expect(args).toContain('-an');
    expect(opt(args, '-tune:v')).toBe('zerolatency');
    expect(opt(args, '-movflags')).toBe('+faststart');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', '/cache/cam-sub.partial.mp4']);
  });

  it('falls back to fontconfig without a font file and to no text without drawtext', () => {
    expect(opt(demoLoopEncodeArgs({ ...spec, fontFile: undefined }), '-vf')).toMatch(/^drawtext=font=Sans:/);
    expect(demoLoopEncodeArgs({ ...spec, drawText: false })).not.toContain('-vf');
  });

  it('refuses a loop that is not a whole number of GOPs (the seam must be a keyframe)', () => {
    expect(() => demoLoopEncodeArgs({ ...spec, seconds: 2.5 })).toThrow(/whole number of GOPs/);
  });
});

describe('loopPushArgs', () => {
  it('re-sends a file forever at real time without re-encoding', () => {
    expect(loopPushArgs('/cache/a.mp4', 'rtmp://127.0.0.1:1935/live/a?key=k')).toEqual([
      ...QUIET,
      '-re',
      '-stream_loop', '-1',
      '-i', '/cache/a.mp4',
      '-map', '0:v:0',
      '-c', 'copy',
      '-f', 'flv',
      '-flvflags', 'no_duration_filesize',
      'rtmp://127.0.0.1:1935/live/a?key=k',
    ]);
  });
});

describe('rtspBridgeArgs', () => {
  const spec = { sourceUrl: 'rtsp://cam.local:554/stream1', rtmpUrl: 'rtmp://127.0.0.1:1935/live/cam?key=k', ffmpegMajor: 5, ioTimeoutMs: 5000 };

  it('pulls over TCP with a socket timeout and copies the first video track to FLV', () => {
    expect(rtspBridgeArgs(spec)).toEqual([
      ...QUIET,
      '-rtsp_transport', 'tcp',
      '-timeout', '5000000',
      '-analyzeduration', '1000000',
      '-probesize', '1000000',
      '-fflags', '+genpts',
      '-i', 'rtsp://cam.local:554/stream1',
      '-map', '0:v:0',
      '-c', 'copy',
      '-rw_timeout', '5000000',
      '-f', 'flv',
      '-flvflags', 'no_duration_filesize',
      'rtmp://127.0.0.1:1935/live/cam?key=k',
    ]);
  });

  it('uses -stimeout on ffmpeg 4 (where -timeout would make the RTSP input listen)', () => {
    const args = rtspBridgeArgs({ ...spec, ffmpegMajor: 4 });
    expect(opt(args, '-stimeout')).toBe('5000000');
    expect(args).not.toContain('-timeout');
  });

  it('never transcodes', () => {
    const args = rtspBridgeArgs(spec);
    expect(args).not.toContain('libx264');
    expect(opt(args, '-c')).toBe('copy');
  });

  it('accepts only rtsp:// sources', () => {
    expect(() => rtspBridgeArgs({ ...spec, sourceUrl: 'http://cam/stream' })).toThrow(/rtsp:\/\//);
  });
});

describe('liveEncodeArgs', () => {
  const base = { titleFile: '/c/title.txt', clockFile: '/c/clock.txt', fontFile: '/f.ttf', latencyCode: false };

  it('paces a lavfi source at real time and publishes main and sub to one URL each', () => {
    const args = liveEncodeArgs({
      ...base,
      main: { profile: MAIN_PROFILE, urls: ['rtmp://h:1/live/a?key=1'] },
      sub: { profile: SUB_PROFILE, urls: ['rtmp://h:1/live/a__sub?key=1'] },
    });
    expect(args.slice(5, 10)).toEqual(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25']);
    const graph = opt(args, '-filter_complex')!;
    expect(graph).toMatch(/^\[0:v\]split=2\[m0\]\[s0\];\[m0\]drawtext=.*\[main\];\[s0\]scale=640:360,drawtext=.*\[sub\]$/);
    expect(graph).not.toContain('drawbox');
    expect(args.filter((a) => a === 'libx264')).toHaveLength(2);
    expect(args.filter((a) => a === '-map')).toHaveLength(2);
    expect(args.slice(-5)).toEqual(['-f', 'flv', '-flvflags', 'no_duration_filesize', 'rtmp://h:1/live/a__sub?key=1']);
    expect(args).toContain('rtmp://h:1/live/a?key=1');
    expect(args).not.toContain('tee');
  });

  it('fans one encode out to many cameras with tee, and burns in the latency code when asked', () => {
    const args = liveEncodeArgs({
      ...base,
      latencyCode: true,
      main: { profile: MAIN_PROFILE, urls: ['rtmp://h:1/live/a?key=1', 'rtmp://h:1/live/b?key=2'] },
    });
    expect(opt(args, '-filter_complex')).toContain("drawbox=x=64:y=688:w=32:h=32:color=white:t=fill:enable='st(0,mod(floor(time(0)*1000),16777216))");
    expect(args.slice(-5)).toEqual([
      '-flags:v', '+global_header',
      '-f', 'tee',
      '[f=flv:flvflags=no_duration_filesize:onfail=ignore]rtmp://h:1/live/a?key=1|[f=flv:flvflags=no_duration_filesize:onfail=ignore]rtmp://h:1/live/b?key=2',
    ]);
  });

  it('needs at least one main output', () => {
    expect(() => liveEncodeArgs({ ...base, main: { profile: MAIN_PROFILE, urls: [] } })).toThrow();
  });
});

describe('teeOutputArgs', () => {
  it('refuses URLs that would break the tee syntax', () => {
    expect(() => teeOutputArgs(['rtmp://h/live/a?key=x|y'])).toThrow(/tee/);
  });
});

describe('rtpSourceArgs', () => {
  it('loops a file as RTP to the demo RTSP server and writes the SDP it describes', () => {
    expect(rtpSourceArgs({ input: '/c/a.mp4', rtpPort: 5000, rtcpPort: 5002, sdpFile: '/c/a.sdp' })).toEqual([
      ...QUIET,
      '-re',
      '-stream_loop', '-1',
      '-i', '/c/a.mp4',
      '-map', '0:v:0',
      '-c', 'copy',
      '-f', 'rtp',
      '-sdp_file', '/c/a.sdp',
      'rtp://127.0.0.1:5000?rtcpport=5002&connect=1&pkt_size=1300',
    ]);
  });
});

describe('decodeCheckArgs', () => {
  it('opens a media-server stream with small probe settings (its FLV header claims audio)', () => {
    const args = decodeCheckArgs('http://h:1/live/a.flv?token=t', 10);
    expect(opt(args, '-analyzeduration')).toBe('500000');
    expect(opt(args, '-probesize')).toBe('65536');
    expect(opt(args, '-frames:v')).toBe('10');
    expect(args.slice(-3)).toEqual(['-f', 'null', '-']);
  });
});
