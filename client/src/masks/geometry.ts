// Pure helpers for drawing privacy masks: normalised points (0–1 of the picture) to SVG user units, the masks a
// console covers at a given moment, and the text form of a polygon an admin can type. No React, no DOM.
import { masksToCover, type CameraMasks, type MaskLift, type PrivacyMask } from '../../../server/masks/schema';

/** The cover's colour: a flat slate grey, clearly not picture and not the black of a letterbox (tests read it). */
export const MASK_COVER_COLOUR = '#4a5361';

/** Before the picture's size is known the cover is drawn at 16:9 (the video is hidden until it is known). */
export const FALLBACK_SIZE = { width: 1920, height: 1080 } as const;

/** A polygon's SVG `points` at a picture of width × height user units. */
export function svgPoints(points: ReadonlyArray<readonly [number, number]>, width: number, height: number): string {
  return points.map(([x, y]) => `${round(x * width)},${round(y * height)}`).join(' ');
}
const round = (v: number) => Math.round(v * 1e5) / 1e5;

/** Lifts still in force at `nowMs`: the server lists those in force when asked; they end by themselves at `until`. */
export function liftsInForce(m: CameraMasks, nowMs: number): MaskLift[] {
  return m.lifts.filter((l) => l.endedAt === null && Date.parse(l.until) > nowMs);
}

/** What a console covers at `nowMs` and which liftable masks are visible because a lift is in force. */
export function coverAt(m: CameraMasks, nowMs: number): { covered: PrivacyMask[]; lifted: PrivacyMask[]; lifts: MaskLift[] } {
  const lifts = liftsInForce(m, nowMs);
  const covered = masksToCover({ ...m, lifts });
  const coveredIds = new Set(covered.map((c) => c.id));
  return { covered, lifted: m.current.masks.filter((x) => !coveredIds.has(x.id)), lifts };
}

/** When the next lift ends by itself (epoch ms), so the console can cover again at that moment; null when none. */
export function nextLiftEnd(m: CameraMasks, nowMs: number): number | null {
  const ends = liftsInForce(m, nowMs).map((l) => Date.parse(l.until));
  return ends.length ? Math.min(...ends) : null;
}

/** "12.5 40; 30 40; 30 60": percentages of width and height, one pair per corner, for typing a polygon exactly. */
export function formatPoints(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y]) => `${pct(x)} ${pct(y)}`).join('; ');
}
const pct = (v: number) => String(Math.round(v * 1000) / 10);

/** The inverse of formatPoints; null when a pair is not two numbers from 0 to 100 (comma or dot as decimal mark). */
export function parsePoints(text: string): Array<[number, number]> | null {
  const pairs = text.split(';').map((p) => p.trim()).filter(Boolean);
  const out: Array<[number, number]> = [];
  for (const pair of pairs) {
    const nums = pair.split(/\s+/).map((n) => Number(n.replace(',', '.')));
    if (nums.length !== 2 || nums.some((n) => !Number.isFinite(n) || n < 0 || n > 100)) return null;
    out.push([nums[0]! / 100, nums[1]! / 100]);
  }
  return out;
}

/** A new mask id not used by `taken`: mask-1, mask-2, … (ids stay stable across versions once saved). */
export function newMaskId(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`mask-${n}`)) return `mask-${n}`;
}

/** A point moved by the keyboard, kept inside the picture. */
export function movePoint([x, y]: readonly [number, number], dx: number, dy: number): [number, number] {
  const clamp = (v: number) => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000));
  return [clamp(x + dx), clamp(y + dy)];
}

/** A pointer position inside an element's box as a normalised point. */
export function pointIn(box: { left: number; top: number; width: number; height: number }, clientX: number, clientY: number): [number, number] {
  return movePoint([(clientX - box.left) / box.width, (clientY - box.top) / box.height], 0, 0);
}
