// The camera wall's rules as pure functions: layouts, moving the selection, assigning cameras to tiles.
import type { Camera } from '../../../server/cameras/schema';
import type { WallLayout } from '../api/endpoints';

export const LAYOUTS: readonly WallLayout[] = [1, 4, 9, 16];
export const MAX_TILES = 16;

export const columnsOf = (layout: WallLayout): number => Math.sqrt(layout);

/** G: 1 → 4 → 9 → 16 → 1. */
export function nextLayout(layout: WallLayout): WallLayout {
  return LAYOUTS[(LAYOUTS.indexOf(layout) + 1) % LAYOUTS.length]!;
}

export type Direction = 'up' | 'down' | 'left' | 'right';

/** Arrow keys move the selected tile within the grid; at an edge the selection stays. */
export function moveSelection(index: number, dir: Direction, layout: WallLayout): number {
  const cols = columnsOf(layout);
  const row = Math.floor(index / cols), col = index % cols;
  switch (dir) {
    case 'left': return col > 0 ? index - 1 : index;
    case 'right': return col < cols - 1 ? index + 1 : index;
    case 'up': return row > 0 ? index - cols : index;
    case 'down': return row < cols - 1 ? index + cols : index;
  }
}

/** Always exactly 16 entries, one per possible tile. */
export function normalizeAssignment(list: readonly (string | null)[]): (string | null)[] {
  return Array.from({ length: MAX_TILES }, (_, i) => list[i] ?? null);
}

/** A user who never arranged the wall sees the enabled cameras in registry order. */
export function defaultAssignment(cameras: readonly Camera[]): (string | null)[] {
  return normalizeAssignment(cameras.filter((c) => c.enabled).slice(0, MAX_TILES).map((c) => c.id));
}

/** Puts a camera on a tile. A camera already elsewhere on the wall moves there (it would otherwise play twice). */
export function assignCamera(list: readonly (string | null)[], tile: number, cameraId: string): (string | null)[] {
  const next = normalizeAssignment(list);
  const from = next.indexOf(cameraId);
  if (from === tile) return next;
  if (from >= 0) next[from] = next[tile] ?? null; // swap: the tile's old camera takes the freed place
  next[tile] = cameraId;
  return next;
}

export function clearTile(list: readonly (string | null)[], tile: number): (string | null)[] {
  const next = normalizeAssignment(list);
  next[tile] = null;
  return next;
}

/** Dragging one tile onto another swaps them. */
export function swapTiles(list: readonly (string | null)[], a: number, b: number): (string | null)[] {
  const next = normalizeAssignment(list);
  [next[a], next[b]] = [next[b] ?? null, next[a] ?? null];
  return next;
}
