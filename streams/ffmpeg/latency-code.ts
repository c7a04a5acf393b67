// A machine-readable capture time burned into each frame, for the glass-to-glass benchmark.
// A row of black/white blocks at the bottom-left: [white][black] as a start marker, then 24 bits of
// (wall-clock ms mod 2^24) in Gray code, most significant first. Gray code because each block's ffmpeg
// `enable` expression reads the clock on its own: if a millisecond ticks over between blocks, Gray code
// still yields one of the two neighbouring values instead of a carry-mangled one.
// Pure and free of Node APIs: the benchmark page imports the decoder side too.

export const LATENCY_CODE_BITS = 24;
export const LATENCY_CODE_MODULO = 2 ** LATENCY_CODE_BITS; // ms: wraps every ~4.66 h
const MARKER_BLOCKS = 2;
export const LATENCY_CODE_BLOCKS = MARKER_BLOCKS + LATENCY_CODE_BITS;

export interface LatencyCodeLayout {
  /** Block edge in pixels; a multiple of 16 so blocks sit on H.264 macroblocks and survive compression. */
  block: number;
  x: number;
  y: number;
  blocks: number;
}

/** Where the code sits in a frame of the given size (same answer in the encoder and the decoder). */
export function latencyCodeLayout(width: number, height: number): LatencyCodeLayout {
  const block = Math.max(16, Math.floor(width / 40 / 16) * 16); // 640 -> 16 px, 1280 -> 32 px
  if (block * LATENCY_CODE_BLOCKS > width) throw new Error(`frame ${width}x${height} too narrow for the latency code`);
  const y = Math.floor((height - block) / 16) * 16;
  return { block, x: 0, y, blocks: LATENCY_CODE_BLOCKS };
}

/** ffmpeg filter chain (comma-joined drawbox filters) drawing the code; append after scaling. */
export function latencyCodeFilter(width: number, height: number): string {
  const { block, x, y, blocks } = latencyCodeLayout(width, height);
  const box = (i: number, color: 'black' | 'white', enable?: string) =>
    `drawbox=x=${x + i * block}:y=${y}:w=${block}:h=${block}:color=${color}:t=fill` +
    (enable ? `:enable='${enable}'` : '');
  const filters = [
    `drawbox=x=${x}:y=${y}:w=${block * blocks}:h=${block}:color=black:t=fill`,
    box(0, 'white'),
  ];
  for (let bit = LATENCY_CODE_BITS - 1; bit >= 0; bit--) {
    const index = MARKER_BLOCKS + (LATENCY_CODE_BITS - 1 - bit);
    // Gray bit i = bit i XOR bit i+1 of v, v = wall-clock ms mod 2^24 (time(0) is ffmpeg's wall clock).
    const v = `st(0,mod(floor(time(0)*1000),${LATENCY_CODE_MODULO}))`;
    const enable = `${v};not(eq(mod(floor(ld(0)/${2 ** bit}),2),mod(floor(ld(0)/${2 ** (bit + 1)}),2)))`;
    filters.push(box(index, 'white', enable));
  }
  return filters.join(',');
}

/** Centre sample points (in frame pixels) of each block, for a canvas reader. */
export function latencyCodeSamplePoints(width: number, height: number): Array<{ x: number; y: number }> {
  const { block, x, y, blocks } = latencyCodeLayout(width, height);
  return Array.from({ length: blocks }, (_, i) => ({ x: x + i * block + block / 2, y: y + block / 2 }));
}

/**
 * Decodes block luminances (0..255, one per block, in order) into the encoded time (ms mod 2^24),
 * or null when the start marker is not there (no code in this frame, or unreadable).
 */
export function decodeLatencyCode(luma: readonly number[]): number | null {
  if (luma.length !== LATENCY_CODE_BLOCKS) return null;
  const [white, black] = luma as [number, number];
  if (white - black < 96) return null;
  const threshold = (white + black) / 2;
  let value = 0;
  let previous = 0; // binary bit above the current one
  for (let i = MARKER_BLOCKS; i < LATENCY_CODE_BLOCKS; i++) {
    const gray = luma[i]! > threshold ? 1 : 0;
    previous ^= gray; // binary = prefix XOR of Gray bits
    value = value * 2 + previous;
  }
  return value;
}

/** Latency in ms between an encoded capture time and a wall-clock reading, accounting for wrap. */
export function latencyMs(encoded: number, nowMs: number): number {
  const now = ((Math.floor(nowMs) % LATENCY_CODE_MODULO) + LATENCY_CODE_MODULO) % LATENCY_CODE_MODULO;
  let diff = now - encoded;
  if (diff < -LATENCY_CODE_MODULO / 2) diff += LATENCY_CODE_MODULO;
  if (diff > LATENCY_CODE_MODULO / 2) diff -= LATENCY_CODE_MODULO;
  return diff;
}

/** Encoder side of decodeLatencyCode, for tests: the block colours (1 = white) for a time value. */
export function latencyCodeBlocks(valueMs: number): number[] {
  const v = ((Math.floor(valueMs) % LATENCY_CODE_MODULO) + LATENCY_CODE_MODULO) % LATENCY_CODE_MODULO;
  const gray = v ^ (v >>> 1);
  const out = [1, 0];
  for (let bit = LATENCY_CODE_BITS - 1; bit >= 0; bit--) out.push((gray >>> bit) & 1);
  return out;
}
