// One camera's timeline: a horizontal bar over the chosen window with the recorded stretches, the gaps (hatched,
// not only another colour), incident marks above it and a time axis in Amsterdam wall clock below it. The bar is a
// slider: a click or the arrow keys set a cursor, a click or Enter plays from there.
import { useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../format';
import { axisTicks, clamp, clockText, fractionOf, isRecorded, type Span } from './timeline';

export interface Mark { id: string; number: number; at: number; label: string }

interface Props {
  label: string;
  window: Span;
  /** null while the ranges are loading. */
  ranges: Span[] | null;
  gaps: Span[];
  marks: Mark[];
  cursor: number | null;
  /** The wall-clock moment now on screen, while a playback runs. */
  playhead: number | null;
  onCursor(at: number): void;
  onPlay(at: number): void;
  onMark(mark: Mark): void;
  /** Space on the bar: pause or resume the running playback. */
  onToggle?(): void;
}

const SMALL = 10_000, LARGE = 60_000, PAGE = 600_000;

const pct = (f: number) => `${(f * 100).toFixed(3)}%`;

export function Timeline({ label, window: w, ranges, gaps, marks, cursor, playhead, onCursor, onPlay, onMark, onToggle }: Props) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const hintId = useId();
  const barRef = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const spans = ranges ?? [];

  const momentAt = (clientX: number): number => {
    const box = barRef.current!.getBoundingClientRect();
    return Math.round(w.from + clamp((clientX - box.left) / box.width, 0, 1) * (w.to - w.from));
  };

  // Where the keys start from without a cursor: the end of the last recording in view, else the end of the window.
  const start = () => cursor ?? (spans.length ? Math.max(w.from, spans.at(-1)!.to - SMALL) : w.to);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const step = e.shiftKey ? LARGE : SMALL;
    const move = (to: number) => { e.preventDefault(); onCursor(clamp(to, w.from, w.to)); };
    switch (e.key) {
      case 'ArrowRight': case 'ArrowUp': return move(start() + step);
      case 'ArrowLeft': case 'ArrowDown': return move(start() - step);
      case 'PageUp': return move(start() + PAGE);
      case 'PageDown': return move(start() - PAGE);
      case 'Home': return move(w.from);
      case 'End': return move(w.to);
      case 'Enter': e.preventDefault(); onPlay(start()); return;
      case ' ': if (onToggle) { e.preventDefault(); onToggle(); } return;
    }
  };

  const valueText = cursor === null
    ? t('playback.noCursor')
    : `${formatDateTime(new Date(cursor), lng)}, ${isRecorded(spans, cursor) ? t('playback.atRecorded') : t('playback.atGap')}`;
  const ticks = axisTicks(w, lng);

  return (
    <div className="timeline-box" data-testid="timeline-box">
      <div className="timeline__marks" role="group" aria-label={t('playback.marks')} data-testid="timeline-marks">
        {marks.map((m) => (
          <button key={m.id} type="button" className="timeline__mark" style={{ left: pct(fractionOf(m.at, w)) }}
            onClick={() => onMark(m)} data-testid={`timeline-mark-${m.number}`} data-at={m.at}
            aria-label={t('playback.markLabel', { number: m.number, time: clockText(m.at), what: m.label })} title={`#${m.number} · ${clockText(m.at)} · ${m.label}`}>
            <span aria-hidden="true">#{m.number}</span>
          </button>
        ))}
      </div>
      <div ref={barRef} className="timeline__bar" role="slider" tabIndex={0} aria-label={label} aria-describedby={hintId}
        aria-valuemin={w.from} aria-valuemax={w.to} aria-valuenow={cursor ?? undefined} aria-valuetext={valueText}
        data-testid="timeline" data-from={w.from} data-to={w.to} data-cursor={cursor ?? undefined} aria-busy={ranges === null}
        onKeyDown={onKeyDown}
        onClick={(e: MouseEvent) => { const at = momentAt(e.clientX); onCursor(at); onPlay(at); }}
        onMouseMove={(e: MouseEvent) => setHover(momentAt(e.clientX))} onMouseLeave={() => setHover(null)}>
        {gaps.map((g) => (
          <span key={`g${g.from}`} className="timeline__gap" style={{ left: pct(fractionOf(g.from, w)), width: pct(fractionOf(g.to, w) - fractionOf(g.from, w)) }}
            data-testid="timeline-gap" aria-hidden="true" />
        ))}
        {spans.map((r) => (
          <span key={`r${r.from}`} className="timeline__range" style={{ left: pct(fractionOf(r.from, w)), width: `max(2px, ${pct(fractionOf(r.to, w) - fractionOf(r.from, w))})` }}
            data-testid="timeline-range" data-from={r.from} data-to={r.to} aria-hidden="true" />
        ))}
        {marks.map((m) => <span key={`m${m.id}`} className="timeline__mark-line" style={{ left: pct(fractionOf(m.at, w)) }} aria-hidden="true" />)}
        {playhead !== null && playhead >= w.from && playhead <= w.to && (
          <span className="timeline__playhead" style={{ left: pct(fractionOf(playhead, w)) }} data-testid="timeline-playhead" aria-hidden="true" />
        )}
        {cursor !== null && (
          <span className={`timeline__cursor${fractionOf(cursor, w) > 0.9 ? ' timeline__cursor--end' : ''}`} style={{ left: pct(fractionOf(cursor, w)) }} aria-hidden="true">
            <span className="timeline__cursor-label">{clockText(cursor)}</span>
          </span>
        )}
        {hover !== null && (
          <span className="timeline__hover" style={{ left: pct(fractionOf(hover, w)) }} aria-hidden="true">
            <span className="timeline__hover-label">{clockText(hover)}</span>
          </span>
        )}
      </div>
      <div className="timeline__axis" aria-hidden="true">
        {ticks.map((k) => (
          <span key={k.at} className={`timeline__tick${k.day ? ' timeline__tick--day' : ''}`} style={{ left: pct(fractionOf(k.at, w)) }}>{k.label}</span>
        ))}
      </div>
      <div className="timeline__legend">
        <span><span className="timeline__swatch timeline__swatch--range" aria-hidden="true" /> {t('playback.legendRecorded')}</span>
        <span><span className="timeline__swatch timeline__swatch--gap" aria-hidden="true" /> {t('playback.legendGap')}</span>
        <span><span className="timeline__swatch timeline__swatch--mark" aria-hidden="true" /> {t('playback.legendMark')}</span>
      </div>
      <p id={hintId} className="hint">{t('playback.keysHint')}</p>
    </div>
  );
}
