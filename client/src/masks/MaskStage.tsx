// The admin's drawing surface: the camera's fresh frame (or a neutral field when the camera is offline) with the
// masks drawn over it. Mouse: a click adds a corner to the selected mask, a corner can be dragged. Keyboard: the
// arrows move a cross (Shift: 10 %, Alt: 0.2 %), Enter adds a corner there, Backspace takes the last one away,
// N starts a new mask. What happened is said in a live region.
import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivacyMask } from '../../../server/masks/schema';
import { movePoint, pointIn } from './geometry';
import { MaskShapes } from './MaskPlan';

export type Point = [number, number];

interface Props {
  masks: PrivacyMask[];
  selected: number | null;
  frameUrl: string | null;
  frameAlt: string;
  /** The picture's size (the frame's, else 16:9). */
  width: number;
  height: number;
  onFrameSize(width: number, height: number): void;
  onAddPoint(p: Point): void;
  onMovePoint(mask: number, corner: number, p: Point): void;
  onRemoveLast(): void;
  onNewMask(): void;
  hintId: string;
}

const STEP = { normal: 0.01, coarse: 0.1, fine: 0.002 };

export function MaskStage({ masks, selected, frameUrl, frameAlt, width, height, onFrameSize, onAddPoint, onMovePoint, onRemoveLast, onNewMask, hintId }: Props) {
  const { t } = useTranslation();
  const svg = useRef<SVGSVGElement>(null);
  const [cursor, setCursor] = useState<Point>([0.5, 0.5]);
  const [focused, setFocused] = useState(false);
  const [said, setSaid] = useState('');
  const drag = useRef<{ corner: number; moved: boolean } | null>(null);
  const pct = (v: number) => `${Math.round(v * 1000) / 10} %`;

  const at = (e: { clientX: number; clientY: number }): Point => pointIn(svg.current!.getBoundingClientRect(), e.clientX, e.clientY);
  const add = (p: Point) => {
    onAddPoint(p);
    const corners = selected !== null ? (masks[selected]?.points.length ?? 0) + 1 : 1;
    setSaid(t('masks.cornerAdded', { corner: corners, mask: (selected ?? masks.length) + 1, x: pct(p[0]), y: pct(p[1]) }));
  };

  function onKeyDown(e: KeyboardEvent) {
    const step = e.shiftKey ? STEP.coarse : e.altKey ? STEP.fine : STEP.normal;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      const next = movePoint(cursor, m[0], m[1]);
      setCursor(next);
      setSaid(t('masks.cursorAt', { x: pct(next[0]), y: pct(next[1]) }));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      add(cursor);
    } else if (e.key === 'Backspace' || e.key === 'Delete') {
      e.preventDefault();
      onRemoveLast();
      setSaid(t('masks.cornerRemoved'));
    } else if (e.key === 'n' || e.key === 'N') {
      e.preventDefault();
      onNewMask();
      setSaid(t('masks.newMaskSaid', { mask: masks.length + 1 }));
    }
  }

  const handle = Math.max(width, height) / 110;
  const current = selected !== null ? masks[selected] : undefined;
  return (
    <div className="mask-stage" style={{ aspectRatio: `${width} / ${height}` }}>
      {frameUrl
        ? <img className="mask-stage__frame" src={frameUrl} alt={frameAlt} data-testid="mask-frame"
            onLoad={(e) => onFrameSize(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight)} />
        : <div className="mask-stage__ground" />}
      {/* role="application": the arrows, Enter and Backspace are this surface's own keys, not the screen reader's. */}
      <svg ref={svg} className="mask-stage__draw" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" tabIndex={0} role="application"
        aria-label={t('masks.stageLabel')} aria-describedby={hintId} data-testid="mask-stage"
        onKeyDown={onKeyDown} onFocus={() => setFocused(true)} onBlur={() => setFocused(false)}
        // A press on a corner (dragged or not) never adds one: only a click on the picture itself does.
        onClick={(e) => { if (drag.current) { drag.current = null; return; } const p = at(e); setCursor(p); add(p); }}
        onPointerMove={(e: PointerEvent) => {
          if (!drag.current || selected === null) return;
          drag.current.moved = true;
          onMovePoint(selected, drag.current.corner, at(e));
        }}>
        <MaskShapes masks={masks} width={width} height={height} selected={selected} />
        {current?.points.map(([x, y], i) => (
          <circle key={i} cx={x * width} cy={y * height} r={handle} className="mask-stage__corner" data-testid="mask-corner"
            onPointerDown={(e) => { e.stopPropagation(); (e.currentTarget.ownerSVGElement ?? e.currentTarget).setPointerCapture?.(e.pointerId); drag.current = { corner: i, moved: false }; }} />
        ))}
        {focused && (
          <g className="mask-stage__cursor" data-testid="mask-cursor">
            <line x1={cursor[0] * width - handle * 3} x2={cursor[0] * width + handle * 3} y1={cursor[1] * height} y2={cursor[1] * height} />
            <line y1={cursor[1] * height - handle * 3} y2={cursor[1] * height + handle * 3} x1={cursor[0] * width} x2={cursor[0] * width} />
          </g>
        )}
      </svg>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="mask-stage-said">{said}</p>
    </div>
  );
}
