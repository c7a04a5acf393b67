// The camera wall's state: layout and tile assignment (remembered per user on the server), selection, focus.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Camera } from '../../../server/cameras/schema';
import { api, type WallLayout } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { preloadFlvPlayer } from './liveStream';
import {
  assignCamera, clearTile, defaultAssignment, moveSelection, nextLayout, normalizeAssignment, swapTiles, type Direction,
} from './wall';

/** Changes are saved this long after the last one, so a burst of key presses is one request. */
const SAVE_DELAY_MS = 300;

export interface Wall {
  /** False until the saved preferences have been read (or failed to load). */
  ready: boolean;
  layout: WallLayout;
  /** Camera id per tile, always 16 entries; only the first `layout` are shown. */
  tiles: (string | null)[];
  selected: number;
  focused: boolean;
  loadError: ApiError | null;
  saveError: ApiError | null;
  setLayout(layout: WallLayout): void;
  cycleLayout(): void;
  select(tile: number): void;
  move(dir: Direction): void;
  assign(tile: number, cameraId: string): void;
  clear(tile: number): void;
  swap(a: number, b: number): void;
  /** Takes a camera off every tile it is on (a flexible unit whose window closed); no change when it is on none. */
  drop(cameraId: string): void;
  setFocused(on: boolean): void;
}

/** placeable: whether a camera may be on the wall now (a flexible unit only inside its window); a tile holding one
 *  that may not shows empty. */
export function useWall(cameras: Camera[] | null, placeable?: (cameraId: string) => boolean): Wall {
  const [ready, setReady] = useState(false);
  const [layout, setLayoutState] = useState<WallLayout>(4);
  // null: the user never arranged the wall, so it shows the enabled cameras in registry order.
  const [saved, setSaved] = useState<(string | null)[] | null>(null);
  const [selected, setSelected] = useState(0);
  const [focused, setFocusedState] = useState(false);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const dirty = useRef(false);

  useEffect(() => {
    // The tiles will play: the player module (~275 kB) loads while the saved wall and the registry arrive, not after.
    preloadFlvPlayer();
    let cancelled = false;
    api.preferences()
      .then((p) => {
        if (cancelled) return;
        setLayoutState(p.wallLayout);
        setSaved(p.wallCameras.length ? normalizeAssignment(p.wallCameras) : null);
      })
      .catch((e) => { if (!cancelled) setLoadError(toApiError(e)); })
      .finally(() => { if (!cancelled) setReady(true); });
    return () => { cancelled = true; };
  }, []);

  const defaults = useMemo(() => defaultAssignment(cameras ?? []), [cameras]);
  const arranged = saved ?? defaults;
  const tiles = useMemo(() => (placeable ? arranged.map((id) => (id && placeable(id) ? id : null)) : arranged), [arranged, placeable]);

  // Save after a change by the user (never the values just loaded), debounced; a pending save is sent on leaving.
  const pending = useRef<{ wallLayout: WallLayout; wallCameras: (string | null)[] } | null>(null);
  const flush = useCallback(() => {
    const body = pending.current;
    pending.current = null;
    if (!body) return;
    api.savePreferences(body).then(() => setSaveError(null), (e) => setSaveError(toApiError(e)));
  }, []);
  useEffect(() => {
    if (!ready || !dirty.current) return;
    pending.current = { wallLayout: layout, wallCameras: saved ?? [] };
    const timer = setTimeout(flush, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [ready, layout, saved, flush]);
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => { window.removeEventListener('pagehide', flush); flush(); };
  }, [flush]);

  const change = useCallback(<T,>(fn: () => T): T => { dirty.current = true; return fn(); }, []);

  const setLayout = useCallback((l: WallLayout) => change(() => {
    setLayoutState(l);
    setSelected((s) => Math.min(s, l - 1));
  }), [change]);

  const editTiles = useCallback((fn: (list: (string | null)[]) => (string | null)[]) => change(() => {
    setSaved((cur) => fn(cur ?? defaults));
  }), [change, defaults]);

  return {
    ready, layout, tiles, selected, focused, loadError, saveError,
    setLayout,
    cycleLayout: () => setLayout(nextLayout(layout)),
    select: (tile) => { if (tile >= 0 && tile < layout) setSelected(tile); },
    move: (dir) => setSelected((s) => moveSelection(s, dir, layout)),
    assign: (tile, cameraId) => editTiles((list) => assignCamera(list, tile, cameraId)),
    clear: (tile) => editTiles((list) => clearTile(list, tile)),
    swap: (a, b) => editTiles((list) => swapTiles(list, a, b)),
    drop: (cameraId) => setSaved((cur) => {
      if (!cur || !cur.includes(cameraId)) return cur;
      dirty.current = true;
      return cur.map((id) => (id === cameraId ? null : id));
    }),
    setFocused: setFocusedState,
  };
}
