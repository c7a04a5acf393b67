// What the wall tells screen-reader users: what a click, drop or key did to the tiles, the selection, the layout and
// the focus view. Focus follows the view: into the focus view when it opens, back to the selected tile when it closes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import type { Wall } from './useWall';

export function useWallAnnouncer(wall: Wall, byId: ReadonlyMap<string, Camera>, hasCameras: boolean, focusedCamera: Camera | undefined) {
  const { t } = useTranslation();
  const [announcement, setAnnouncement] = useState('');
  const { layout, tiles, selected, focused } = wall;

  const announce = useCallback((text: string) => setAnnouncement(text), []);

  // Announce what a click, drop or clear did to the tiles (wherever the change came from, e.g. the camera list).
  const prevTiles = useRef<(string | null)[] | null>(null);
  useEffect(() => {
    const prev = prevTiles.current;
    // Not while the saved layout and the registry are still arriving.
    prevTiles.current = wall.ready && hasCameras ? tiles : null;
    if (!prev || !prevTiles.current) return;
    const changed = tiles.map((id, i) => (id !== prev[i] ? i : -1)).filter((i) => i >= 0 && i < layout);
    const i = changed.includes(selected) ? selected : changed[0];
    if (i === undefined) return;
    const id = tiles[i];
    announce(id ? t('wall.announce.assigned', { name: byId.get(id)?.name ?? id, n: i + 1 }) : t('wall.announce.cleared', { n: i + 1 }));
  }, [tiles]); // only when the assignment changes

  // Tell screen-reader users what the keys did.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    announce(t('wall.announce.selected', { n: selected + 1 }));
  }, [selected, announce, t]);
  const firstLayout = useRef(true);
  useEffect(() => {
    if (firstLayout.current || !wall.ready) { if (wall.ready) firstLayout.current = false; return; }
    announce(t('wall.announce.layout', { count: layout }));
  }, [layout, wall.ready, announce, t]);

  // Focus follows the view: into the focus view when it opens, back to the selected tile when it closes.
  const focusRef = useRef<HTMLElement>(null);
  const wasFocused = useRef(focused);
  useEffect(() => {
    if (wasFocused.current === focused) return;
    wasFocused.current = focused;
    if (focused) {
      focusRef.current?.focus();
      announce(focusedCamera ? t('wall.announce.focus', { name: focusedCamera.name }) : t('wall.announce.unfocus'));
    } else {
      document.querySelector<HTMLElement>(`[data-testid="wall-slot-${selected + 1}"] .wall-tile__select`)?.focus();
      announce(t('wall.announce.unfocus'));
    }
  }, [focused]); // only on the change of view, with the names as they are then

  return { announcement, announce, focusRef };
}
