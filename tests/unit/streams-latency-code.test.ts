import { describe, expect, it } from 'vitest';
import {
  decodeLatencyCode,
  LATENCY_CODE_BLOCKS,
  LATENCY_CODE_MODULO,
  latencyCodeBlocks,
  latencyCodeFilter,
  latencyCodeLayout,
  latencyCodeSamplePoints,
  latencyMs,
} from '../../streams/ffmpeg/latency-code.js';

const toLuma = (blocks: number[]) => blocks.map((b) => (b ? 235 : 16));

describe('latency code', () => {
  it('round-trips times through the block pattern', () => {
    for (const v of [0, 1, 2, 3, 1000, 65535, 123456, LATENCY_CODE_MODULO - 1, Date.now() % LATENCY_CODE_MODULO]) {
      expect(decodeLatencyCode(toLuma(latencyCodeBlocks(v)))).toBe(v);
    }
  });

  it('yields one of two neighbouring values when blocks were drawn across a millisecond tick (Gray code)', () => {
    for (const v of [0x0fff, 0x7fffff, 0xabcdef, 1023]) {
      const a = latencyCodeBlocks(v);
      const b = latencyCodeBlocks(v + 1);
      const mixed = a.map((bit, i) => (i % 2 ? bit : b[i]!));
      expect([v, v + 1]).toContain(decodeLatencyCode(toLuma(mixed)));
    }
  });

  it('returns null without the start marker', () => {
    expect(decodeLatencyCode(new Array(LATENCY_CODE_BLOCKS).fill(128))).toBeNull();
    expect(decodeLatencyCode([1, 2, 3])).toBeNull();
  });

  it('computes latency across the wrap of the 24-bit millisecond counter', () => {
    expect(latencyMs(1000, 1250)).toBe(250);
    expect(latencyMs(LATENCY_CODE_MODULO - 100, LATENCY_CODE_MODULO * 7 + 150)).toBe(250);
  });

  it('puts macroblock-aligned blocks in the bottom-left corner', () => {
    expect(latencyCodeLayout(640, 360)).toEqual({ block: 16, x: 0, y: 336, blocks: 26 });
    expect(latencyCodeLayout(1280, 720)).toEqual({ block: 32, x: 0, y: 688, blocks: 26 });
    expect(latencyCodeSamplePoints(640, 360)[2]).toEqual({ x: 40, y: 344 });
  });

  it('draws a background, the start marker and one clock-driven box per bit', () => {
    const filter = latencyCodeFilter(640, 360);
    const boxes = filter.split(',drawbox=');
    expect(boxes).toHaveLength(2 + 24);
    expect(filter.match(/enable='/g)).toHaveLength(24);
    expect(filter).toContain('time(0)');
  });
});
