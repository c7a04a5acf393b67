// Privacy masks burned into pixels (issue #16): pure geometry and the ffmpeg arguments, tested as data
// (tests/unit/streams-mask-args.test.ts). A mask is a polygon in normalised coordinates (0–1 of the picture), so the
// main and sub stream share it; here it meets the pixels of one stream size.

/** A polygon of the picture: [x, y] pairs, 0–1 from the left and top edges. */
export type NormalisedPolygon = ReadonlyArray<readonly [number, number]>;

/** The polygon's corners in pixels of a w×h picture (rounded; for showing and testing: the raster uses exact values). */
export function toPixels(polygon: NormalisedPolygon, width: number, height: number): Array<[number, number]> {
  return polygon.map(([x, y]) => [Math.round(x * width), Math.round(y * height)]);
}

/**
 * The masks as a coverage raster of w×h bytes (255 covered, 0 visible). A pixel is covered when its centre lies in a
 * polygon (even-odd rule, per polygon; polygons add up). Then every covered pixel covers its whole 2×2 block: H.264
 * here is 4:2:0, one colour sample per 2×2 pixels, and a block half covered would keep the hidden area's colour.
 */
export function rasteriseMasks(polygons: readonly NormalisedPolygon[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const poly of polygons) {
    const pts = poly.map(([x, y]) => [x * width, y * height] as const);
    for (let row = 0; row < height; row++) {
      const cy = row + 0.5;
      const xs: number[] = [];
      for (let i = 0; i < pts.length; i++) {
        const [x1, y1] = pts[i]!, [x2, y2] = pts[(i + 1) % pts.length]!;
        // Half-open on y: a vertex shared by two edges is counted once.
        if ((y1 <= cy && y2 > cy) || (y2 <= cy && y1 > cy)) xs.push(x1 + ((cy - y1) / (y2 - y1)) * (x2 - x1));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // Pixel centres col + 0.5 inside [xs[k], xs[k+1]).
        const from = Math.max(0, Math.ceil(xs[k]! - 0.5)), to = Math.min(width - 1, Math.ceil(xs[k + 1]! - 0.5) - 1);
        if (to >= from) out.fill(255, row * width + from, row * width + to + 1);
      }
    }
  }
  return coverChromaBlocks(out, width, height);
}

function coverChromaBlocks(r: Uint8Array, width: number, height: number): Uint8Array {
  for (let by = 0; by < height; by += 2) {
    for (let bx = 0; bx < width; bx += 2) {
      const cells = [by * width + bx, by * width + bx + 1, (by + 1) * width + bx, (by + 1) * width + bx + 1]
        .filter((i, n) => (n % 2 === 0 || bx + 1 < width) && (n < 2 || by + 1 < height));
      if (cells.some((i) => r[i] === 255)) for (const i of cells) r[i] = 255;
    }
  }
  return r;
}

/** A binary PGM (P5) of the raster: ffmpeg reads it as a one-frame grey image. */
export function pgm(raster: Uint8Array, width: number, height: number): Buffer {
  if (raster.length !== width * height) throw new Error(`raster of ${raster.length} bytes is not ${width}x${height}`);
  return Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii'), Buffer.from(raster.buffer, raster.byteOffset, raster.length)]);
}

/**
 * The filtergraph: input 0 the footage, input 1 the PGM. A black picture of the same size takes the PGM as its alpha
 * (alphamerge) and is laid over the footage (overlay repeats that one frame for every frame of the footage).
 * Both the black source and the mask are one frame long, so nothing in the graph waits for more of them.
 */
export function burnInFilter(width: number, height: number): string {
  return [
    `color=c=black:s=${width}x${height}:r=1:d=1,format=yuva420p[black]`,
    '[1:v]format=gray[alpha]',
    '[black][alpha]alphamerge[cover]',
    '[0:v][cover]overlay=x=0:y=0:eof_action=repeat:format=auto,format=yuv420p[masked]',
  ].join(';');
}

/**
 * x264 for evidence with masks: visually transparent quality (CRF 18) at `veryfast`, which keeps a 5-minute 1080p
 * clip's re-encode within a few minutes on 2 cores (bench:masks). Evidence is watched frame by frame: no
 * zerolatency tuning, B-frames allowed.
 */
export const EVIDENCE_X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'] as const;

/** A clip (MP4) re-encoded with the masks burned in; audio (if any) copied; the index at the front. */
export function burnInClipArgs(spec: { input: string; mask: string; output: string; width: number; height: number }): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-y',
    '-i', spec.input, '-i', spec.mask,
    '-filter_complex', burnInFilter(spec.width, spec.height),
    '-map', '[masked]', '-map', '0:a?',
    ...EVIDENCE_X264, '-c:a', 'copy',
    '-movflags', '+faststart', '-f', 'mp4', spec.output,
  ];
}

/** One image (JPEG) with the masks burned in. */
export function burnInImageArgs(spec: { input: string; mask: string; output: string; width: number; height: number }): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-i', spec.input, '-i', spec.mask,
    '-filter_complex', burnInFilter(spec.width, spec.height),
    '-map', '[masked]', '-frames:v', '1', '-q:v', '3', '-f', 'image2', spec.output,
  ];
}
