// The pure geometry of privacy masks, as data: normalised polygons → pixels at each stream size, → a coverage raster
// (PGM) and the ffmpeg filter that lays solid black through it.
import { describe, expect, it } from 'vitest';
import { burnInClipArgs, burnInFilter, burnInImageArgs, pgm, rasteriseMasks, toPixels } from '../../streams/ffmpeg/mask-args.js';

const garden = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.5], [0.1, 0.5]] as const;
const roof = [[0.6, 0.05], [0.9, 0.05], [0.75, 0.3]] as const;

/** The raster as rows of '#' (covered) and '.' (visible), for pictures small enough to read. */
const picture = (r: Uint8Array, w: number) => Array.from({ length: r.length / w }, (_, y) => Array.from(r.subarray(y * w, y * w + w), (v) => (v ? '#' : '.')).join(''));

describe('normalised → pixels', () => {
  const sizes: Array<[number, number, Array<[number, number]>, Array<[number, number]>]> = [
    [1920, 1080, [[192, 108], [768, 108], [768, 540], [192, 540]], [[1152, 54], [1728, 54], [1440, 324]]],
    [1280, 720, [[128, 72], [512, 72], [512, 360], [128, 360]], [[768, 36], [1152, 36], [960, 216]]],
    [640, 360, [[64, 36], [256, 36], [256, 180], [64, 180]], [[384, 18], [576, 18], [480, 108]]],
  ];
  for (const [w, h, g, r] of sizes) {
    it(`${w}x${h}`, () => {
      expect(toPixels(garden, w, h)).toEqual(g);
      expect(toPixels(roof, w, h)).toEqual(r);
    });
  }
  it('the corners of the picture are its edges', () => expect(toPixels([[0, 0], [1, 0], [1, 1]], 1280, 720)).toEqual([[0, 0], [1280, 0], [1280, 720]]));
});

describe('raster', () => {
  it('covers pixel centres inside the polygon, then whole 2×2 colour blocks', () => {
    // A triangle over an 8×6 picture: its slanted edge shows the 2×2 rounding.
    expect(picture(rasteriseMasks([[[0, 0], [0.75, 0], [0, 1]]], 8, 6), 8)).toEqual([
      '######..',
      '######..',
      '####....',
      '####....',
      '##......',
      '##......',
    ]);
  });

  it('a rectangle on even pixel edges covers exactly its pixels; polygons add up', () => {
    const r = rasteriseMasks([[[0.25, 0], [0.5, 0], [0.5, 0.5], [0.25, 0.5]], [[0.75, 0.5], [1, 0.5], [1, 1], [0.75, 1]]], 8, 4);
    expect(picture(r, 8)).toEqual(['..##....', '..##....', '......##', '......##']);
  });

  it('at 1920x1080 the garden covers 576×432 pixels, nothing outside it', () => {
    const r = rasteriseMasks([garden], 1920, 1080);
    expect(r.reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(576 * 432);
    expect(r[108 * 1920 + 192]).toBe(255);
    expect(r[107 * 1920 + 192]).toBe(0);
    expect(r[539 * 1920 + 767]).toBe(255);
    expect(r[540 * 1920 + 767]).toBe(0);
  });

  it('no masks: nothing covered; odd sizes keep their last row and column', () => {
    expect(rasteriseMasks([], 4, 2).every((v) => v === 0)).toBe(true);
    expect(picture(rasteriseMasks([[[0, 0], [1, 0], [1, 1], [0, 1]]], 3, 3), 3)).toEqual(['###', '###', '###']);
  });

  it('PGM: the P5 header, then the bytes', () => {
    const b = pgm(new Uint8Array([0, 255, 255, 0]), 2, 2);
    expect(b.subarray(0, 11).toString('ascii')).toBe('P5\n2 2\n255\n');
    expect([...b.subarray(11)]).toEqual([0, 255, 255, 0]);
    expect(() => pgm(new Uint8Array(3), 2, 2)).toThrow(/not 2x2/);
  });
});

describe('ffmpeg arguments', () => {
  it('the filter lays one black frame through the mask over every frame', () => {
    expect(burnInFilter(1280, 720)).toBe(
      'color=c=black:s=1280x720:r=1:d=1,format=yuva420p[black];[1:v]format=gray[alpha];[black][alpha]alphamerge[cover];'
      + '[0:v][cover]overlay=x=0:y=0:eof_action=repeat:format=auto,format=yuv420p[masked]');
  });

  it('a clip is re-encoded with x264 veryfast CRF 18, audio copied, index at the front', () => {
    expect(burnInClipArgs({ input: '/m/a.copy.mp4', mask: '/m/a.pgm', output: '/m/a.mp4.partial', width: 1920, height: 1080 })).toEqual([
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-y',
      '-i', '/m/a.copy.mp4', '-i', '/m/a.pgm', '-filter_complex', burnInFilter(1920, 1080),
      '-map', '[masked]', '-map', '0:a?', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'copy',
      '-movflags', '+faststart', '-f', 'mp4', '/m/a.mp4.partial',
    ]);
  });

  it('an image gets one frame', () => {
    expect(burnInImageArgs({ input: 'raw.jpg', mask: 'm.pgm', output: 'out.jpg', width: 640, height: 360 })).toEqual([
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', 'raw.jpg', '-i', 'm.pgm', '-filter_complex', burnInFilter(640, 360),
      '-map', '[masked]', '-frames:v', '1', '-q:v', '3', '-f', 'image2', 'out.jpg',
    ]);
  });
});
