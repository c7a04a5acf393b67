// The wall's keyboard shortcuts. Keyboard first: the room works with one hand on the keys. Never while typing, never
// under a dialog. The handlers are called in the key handler itself, so the caller can take the moment of the key press.
import { useEffect, useRef } from 'react';
import { isTyping } from '../keys';
import type { Wall } from './useWall';
import type { Direction } from './wall';

const arrowKeys: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

export interface WallKeyHandlers {
  /** M (melding): tag an incident on the selected tile. Without it the wall has no tag key. */
  onTag?(tile: number): void;
  /** B (bewaren): preserve evidence of the selected tile. */
  onPreserve?(tile: number): void;
  /** T (terugkijken): open the recordings of the selected tile's camera. */
  onPlayback?(tile: number): void;
  /** ?: show the shortcuts. */
  onHelp(): void;
}

/** 1–9 select a tile, arrows move the selection, F focus, Esc back, G the next layout, ? the shortcuts; M, B, T when given. */
export function useWallKeys(wall: Wall, handlers: WallKeyHandlers): void {
  const wallRef = useRef(wall);
  wallRef.current = wall;
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const w = wallRef.current;
      const { onTag, onPreserve, onPlayback, onHelp } = handlersRef.current;
      const k = e.key;
      if (/^[1-9]$/.test(k)) {
        const tile = Number(k) - 1;
        if (tile >= w.layout) return;
        w.select(tile);
      } else if (k === 'f' || k === 'F') {
        w.setFocused(!w.focused);
      } else if (k === 'g' || k === 'G') {
        w.cycleLayout();
      } else if (k in arrowKeys) {
        w.move(arrowKeys[k]!);
      } else if (k === 'Escape' && w.focused) {
        w.setFocused(false);
      } else if (k === '?') {
        onHelp();
      } else if ((k === 'm' || k === 'M') && onTag && !e.repeat) {
        onTag(w.selected);
      } else if ((k === 'b' || k === 'B') && onPreserve && !e.repeat) {
        onPreserve(w.selected);
      } else if ((k === 't' || k === 'T') && onPlayback && !e.repeat) {
        onPlayback(w.selected);
      } else {
        return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
