// The dispatch centre's console: the live queue of alerts from the supervision room (priority, then age), a sound and
// a visual signal for new and escalated alerts, and the detail of the selected alert with its snapshot, live video and
// the status steps. Keyboard first: ↑/↓ choose an alert, B/E/T/A take a step, G turns the sound on or off.
// A new alert costs about the same however long the queue is: the queue comes in chunks that render again only when
// something in them changed, rows are memoized per alert (a row renders again only when its own alert, selection or
// signal changes), ages tick outside React (ages.tsx), only the newest few signalled rows pulse, with an opacity
// animation the compositor runs (styles.css), and rows off screen skip layout and paint (content-visibility).
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '../../../server/dispatch/schema';
import { useErrorText } from '../components/errors';
import { Dialog } from '../components/Dialog';
import { durationParts } from '../format';
import { CategoryName, DispatchStatus, PriorityBadge } from '../incidents/DispatchStatus';
import { isTyping } from '../keys';
import { Age, useAgeClock, type AgeClock } from './ages';
import { AlertDetail, type AlertDetailHandle } from './AlertDetail';
import { Beeper } from './sound';
import { useDispatchQueue, type DispatchQueueState, type Signal } from './useDispatchQueue';

const SOUND_KEY = 'uitkijk.dispatchSound';
const FLASH_MS = 8000;
/** How many of the newest signalled rows pulse at once (the others keep the static signal colours and badge). */
const PULSE_ROWS = 3;
/** The pulse: 6 × 1 s (styles.css, .alert-row--pulse). */
const PULSE_MS = 6000;
const TITLE_MS = 1000;

type SoundState = 'off' | 'on' | 'blocked' | 'unsupported';

export const DispatchConsole = memo(function DispatchConsole() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const queueHeading = useId();
  const [beeper] = useState(() => new Beeper());
  useEffect(() => () => beeper.close(), [beeper]);
  // Sound is on unless this dispatcher turned it off (remembered). The browser may still want a gesture on this page
  // load: until then it is 'blocked' and a banner asks for one click or key.
  const [sound, setSound] = useState<SoundState>(() => (!Beeper.supported ? 'unsupported' : readWish() ? 'blocked' : 'off'));
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const [beeps, setBeeps] = useState(0);
  const [flash, setFlash] = useState<ReadonlyMap<string, Signal>>(new Map());
  const [latest, setLatest] = useState<Signal | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const detail = useRef<AlertDetailHandle>(null);
  const ageText = useCallback((ms: number) => {
    const p = durationParts(ms);
    return t(`age.${p.unit}`, { h: p.h, m: p.unit === 'hours' ? String(p.m).padStart(2, '0') : p.m, s: p.s });
  }, [t]);
  const clock = useAgeClock(ageText);
  const signalLabels = useMemo(() => ({ new: t('dispatch.signal.new'), escalated: t('dispatch.signal.escalated') }), [t]);

  const queueRef = useRef<DispatchQueueState | null>(null);
  const onSignal = useCallback((s: Signal) => {
    setFlash((m) => new Map(m).set(s.alert.id, s));
    setLatest(s);
    if (soundRef.current === 'on' && beeper.beep(s.kind)) setBeeps((n) => n + 1);
    // Nothing in hand (no selection, or the selected alert is closed): the new alert takes the detail.
    setSelectedId((cur) => {
      const c = cur ? queueRef.current?.queue.get(cur) : undefined;
      return !c || c.status === 'closed' ? s.alert.id : cur;
    });
  }, [beeper]);
  const q = useDispatchQueue(onSignal);
  queueRef.current = q;

  // Flashes fade after a while (the row stays marked as unacknowledged until someone acknowledges it): one timer, for
  // the first flash to end, and at most one pass a second (while alerts pour in, each would otherwise cost a render).
  const lastPrune = useRef(0);
  useEffect(() => {
    if (flash.size === 0) return;
    let first = Infinity;
    for (const s of flash.values()) first = Math.min(first, s.at);
    const at = Math.max(first + FLASH_MS, lastPrune.current + 1000);
    const timer = setTimeout(() => {
      lastPrune.current = Date.now();
      setFlash((m) => {
        const now = Date.now();
        const kept = new Map([...m].filter(([, s]) => now - s.at < FLASH_MS));
        return kept.size === m.size ? m : kept;
      });
    }, Math.max(0, at - Date.now()));
    return () => clearTimeout(timer);
  }, [flash]);
  // The signal strip goes when its signal has had its time.
  useEffect(() => {
    if (!latest) return;
    const timer = setTimeout(() => setLatest((cur) => (cur === latest ? null : cur)), Math.max(0, latest.at + FLASH_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [latest]);
  // Only the newest few signalled rows pulse (many rows animating at once would cost every frame).
  const pulsing = useMemo(() => {
    const now = Date.now();
    return new Set([...flash.values()].filter((s) => now - s.at < PULSE_MS).sort((x, y) => y.at - x.at).slice(0, PULSE_ROWS).map((s) => s.alert.id));
  }, [flash]);

  const enableSound = useCallback(async () => {
    const ok = await beeper.enable();
    setSound(ok ? 'on' : 'blocked');
    writeWish(true);
    if (ok) beeper.beep('test');
  }, [beeper]);
  const toggleSound = useCallback(async () => {
    if (soundRef.current === 'on') { beeper.disable(); setSound('off'); writeWish(false); return; }
    await enableSound();
  }, [beeper, enableSound]);

  // On from the start when the browser allows it without another gesture (the login click in this page counts).
  useEffect(() => {
    if (soundRef.current !== 'blocked') return;
    let live = true;
    void beeper.tryStart().then((ok) => { if (ok && live && soundRef.current === 'blocked') setSound('on'); });
    return () => { live = false; };
  }, [beeper]);

  // Sound wished for but blocked: the first click or key anywhere turns it on.
  useEffect(() => {
    if (sound !== 'blocked') return;
    const wake = () => { void beeper.enable().then((ok) => { if (ok) setSound('on'); }); };
    window.addEventListener('pointerdown', wake, { once: true });
    window.addEventListener('keydown', wake, { once: true });
    return () => { window.removeEventListener('pointerdown', wake); window.removeEventListener('keydown', wake); };
  }, [sound, beeper]);

  // The selection: the chosen alert, else the top of the queue. A closed alert stays in view until another is chosen.
  const selected: Alert | null = (selectedId ? q.queue.get(selectedId) ?? null : null) ?? q.open[0] ?? null;
  useEffect(() => { if (!selectedId && q.open[0]) setSelectedId(q.open[0].id); }, [selectedId, q.open]);
  const select = useCallback((id: string) => setSelectedId(id), []);
  const move = (delta: number) => {
    if (q.open.length === 0) return;
    const i = selected ? q.open.findIndex((a) => a.id === selected.id) : -1;
    const next = q.open[Math.min(q.open.length - 1, Math.max(0, i < 0 ? 0 : i + delta))];
    if (next) select(next.id);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-alert-id="${next?.id}"] .alert-row__open`)?.focus());
  };

  // Unacknowledged alerts in the tab title, so a console in the background still tells. Setting the title is costly
  // (the browser takes it up at once): at most every TITLE_MS while alerts pour in, the first change without delay.
  const unacknowledged = q.unacknowledged;
  const title = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | null }>({ last: 0, timer: null });
  useEffect(() => {
    const base = t('app.documentTitle');
    const text = unacknowledged > 0 ? `(${unacknowledged}) ${base}` : base;
    const s = title.current;
    if (s.timer) clearTimeout(s.timer);
    const write = () => { s.timer = null; s.last = Date.now(); if (document.title !== text) document.title = text; };
    const wait = s.last + TITLE_MS - Date.now();
    if (wait <= 0) write(); else s.timer = setTimeout(write, wait);
  }, [unacknowledged, t]);
  useEffect(() => () => {
    if (title.current.timer) clearTimeout(title.current.timer);
    document.title = t('app.documentTitle');
  }, [t]);

  const keys = useRef({ move, toggleSound, detail });
  keys.current = { move, toggleSound, detail };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const k = keys.current;
      switch (e.key) {
        case 'ArrowDown': case 'j': case 'J': k.move(1); break;
        case 'ArrowUp': case 'k': case 'K': k.move(-1); break;
        case 'g': case 'G': void k.toggleSound(); break;
        case 'b': case 'B': k.detail.current?.step('acknowledged'); break;
        case 'e': case 'E': k.detail.current?.step('unit_sent'); break;
        case 't': case 'T': k.detail.current?.step('on_scene'); break;
        case 'a': case 'A': k.detail.current?.step('closed'); break;
        case 'o': case 'O': k.detail.current?.focusRemark(); break;
        case '?': setHelpOpen(true); break;
        default: return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <div className="dispatch-bar">
        <h1 tabIndex={-1} className="view-title">{t('views.dispatch')}</h1>
        <p className="dispatch-bar__counts" data-testid="dispatch-counts">
          {t('dispatch.counts', { open: q.open.length, unacknowledged })}
        </p>
        <button type="button" className={`button sound-toggle sound-toggle--${sound}`} aria-pressed={sound === 'on'} onClick={() => void toggleSound()}
          disabled={sound === 'unsupported'} aria-keyshortcuts="G" data-testid="sound-toggle" data-state={sound} data-beeps={beeps}>
          <SpeakerIcon on={sound === 'on'} />
          {t(`dispatch.sound.${sound}`)} <kbd>G</kbd>
        </button>
        <button type="button" className="button button--small button--quiet" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
          {t('shortcuts.open')} <kbd>?</kbd>
        </button>
      </div>

      {/* A console that cannot be heard is a risk: said plainly until the sound runs. */}
      {(sound === 'blocked' || sound === 'off') && (
        <div className="banner banner--warning sound-banner" role="status" data-testid="sound-banner" data-state={sound}>
          <p><strong>{t(`dispatch.soundBanner.${sound}`)}</strong></p>
          <button type="button" className="button button--primary" onClick={() => void enableSound()} data-testid="sound-banner-enable">
            {t('dispatch.soundBanner.enable')}
          </button>
        </div>
      )}

      {/* The signal: seen (a strip that stands out) and heard by screen readers (assertive), once per alert. */}
      <div role="alert" className="alert-slot" data-testid="alert-signal-slot">
        {latest && (
          <p className={`signal signal--${latest.kind}`} data-testid="alert-signal" data-kind={latest.kind}>
            <strong>{t(`dispatch.signal.${latest.kind}`)}</strong>{' '}
            {t('dispatch.signalText', { number: latest.alert.incidentNumber, priority: latest.alert.priority, street: latest.alert.location.street,
              municipality: latest.alert.location.municipalityName })}
            {' · '}<CategoryName category={latest.alert.category} inline />
          </p>
        )}
      </div>

      <div className="layout layout--dispatch">
        <section className="panel alert-queue" aria-labelledby={queueHeading} data-testid="alerts-queue" data-loaded={q.loaded ? 'true' : 'false'}>
          <h2 id={queueHeading}>{t('alerts.title')} <span className="count">({q.open.length})</span></h2>
          {q.error && (
            <div className="banner banner--error" role="alert">
              <p>{t('dispatch.loadFailed')} {errorText(q.error)}</p>
              <button type="button" className="button button--small" onClick={() => void q.reload()}>{t('common.retry')}</button>
            </div>
          )}
          {!q.loaded && !q.error && <p className="muted">{t('common.loading')}</p>}
          {q.loaded && q.open.length === 0 && <p className="empty" data-testid="alerts-empty">{t('alerts.none')}</p>}
          <ol className="alert-rows">
            {q.chunks.map((c) => (
              <AlertRows key={c.key} items={c.items} selectedId={selected?.id ?? null} flash={flash} pulsing={pulsing}
                clock={clock} onSelect={select} labels={signalLabels} />
            ))}
          </ol>
        </section>

        {selected
          ? <AlertDetail key={selected.id} ref={detail} alert={selected} onChanged={q.put} />
          : <section className="panel alert-detail alert-detail--empty"><p className="empty">{t('dispatch.nothingSelected')}</p></section>}
      </div>
      {helpOpen && <DispatchShortcuts onClose={() => setHelpOpen(false)} />}
    </>
  );
});

interface AlertRowsProps {
  items: readonly Alert[];
  selectedId: string | null;
  flash: ReadonlyMap<string, Signal>;
  pulsing: ReadonlySet<string>;
  clock: AgeClock;
  onSelect(id: string): void;
  labels: Record<Signal['kind'], string>;
}

/** One chunk of the queue (useDispatchQueue's AlertChunk): its rows, rendered again only when something that shows in
 *  one of them changed. So a new alert costs a look at each chunk and each row of one chunk, not at every row. */
const AlertRows = memo(function AlertRows({ items, selectedId, flash, pulsing, clock, onSelect, labels }: AlertRowsProps) {
  return items.map((a) => (
    <AlertRow key={a.id} alert={a} selected={selectedId === a.id} signal={flash.get(a.id)?.kind ?? null} pulse={pulsing.has(a.id)}
      clock={clock} onSelect={onSelect} labels={labels} />
  ));
}, (p, n) => {
  if (p.items !== n.items || p.clock !== n.clock || p.onSelect !== n.onSelect || p.labels !== n.labels) return false;
  if (p.selectedId === n.selectedId && p.flash === n.flash && p.pulsing === n.pulsing) return true;
  return n.items.every((a) => (p.selectedId === a.id) === (n.selectedId === a.id) && p.flash.get(a.id)?.kind === n.flash.get(a.id)?.kind
    && p.pulsing.has(a.id) === n.pulsing.has(a.id));
});

interface AlertRowProps {
  alert: Alert;
  selected: boolean;
  /** The alert's signal while it lasts (FLASH_MS), else null. */
  signal: Signal['kind'] | null;
  /** One of the newest few signals: the row pulses. */
  pulse: boolean;
  clock: AgeClock;
  onSelect(id: string): void;
  /** The badge's words for each kind of signal. */
  labels: Record<Signal['kind'], string>;
}

/** One alert in the queue. Memoized: it renders again only when one of its props changes (its alert's version, the
 *  selection, its signal), never because another alert came in or a second passed (the age ticks by itself). */
const AlertRow = memo(function AlertRow({ alert: a, selected, signal, pulse, clock, onSelect, labels }: AlertRowProps) {
  const escalated = a.status === 'raised' && !!a.escalatedAt;
  // The flash and its badge last while nobody has acknowledged the alert.
  const shown = a.status === 'raised' ? signal : null;
  const flashing = shown !== null;
  const cls = ['alert-row', `alert-row--p${a.priority}`, a.status === 'raised' ? 'alert-row--unacknowledged' : '',
    escalated ? 'alert-row--escalated' : '', flashing ? 'alert-row--flash' : '', flashing && pulse ? 'alert-row--pulse' : '',
    selected ? 'alert-row--selected' : ''].filter(Boolean).join(' ');
  return (
    <li className={cls} data-testid={`alert-row-${a.incidentNumber}`} data-alert-id={a.id} data-status={a.status}
      data-priority={a.priority} data-escalated={escalated ? 'true' : 'false'}>
      <button type="button" className="alert-row__open" aria-current={selected ? 'true' : undefined} onClick={() => onSelect(a.id)}>
        <span className="alert-row__line">
          <PriorityBadge priority={a.priority} />
          <span className="alert-row__what"><CategoryName category={a.category} inline /></span>
          <Age since={a.raisedAt} clock={clock} className="alert-row__age mono" />
        </span>
        <span className="alert-row__line alert-row__meta">
          <span className="mono">#{a.incidentNumber}</span>
          <span className="alert-row__where">{a.location.street}, {a.location.municipalityName}</span>
          {shown !== null && <span className="badge badge--new">{labels[shown]}</span>}
          <DispatchStatus alert={a} forDispatcher />
        </span>
      </button>
    </li>
  );
});

/** A loudspeaker with sound waves (on) or a cross (off). */
function SpeakerIcon({ on }: { on: boolean }) {
  return (
    <svg className="sound-toggle__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"
      fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      {on
        ? <><path d="M16 9a4 4 0 0 1 0 6" /><path d="M18.5 6.5a7.5 7.5 0 0 1 0 11" /></>
        : <><path d="M16 9l5 6" /><path d="M21 9l-5 6" /></>}
    </svg>
  );
}

/** On unless turned off here before: a fresh console must not take its first alert in silence. */
function readWish(): boolean { try { return localStorage.getItem(SOUND_KEY) !== 'off'; } catch { return true; } }
function writeWish(on: boolean) { try { localStorage.setItem(SOUND_KEY, on ? 'on' : 'off'); } catch { /* storage blocked */ } }

function DispatchShortcuts({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const rows: [string[], string][] = [
    [['↑', '↓'], t('dispatch.keys.move')],
    [['B'], t('dispatch.steps.acknowledged')],
    [['E'], t('dispatch.steps.unit_sent')],
    [['T'], t('dispatch.steps.on_scene')],
    [['A'], t('dispatch.steps.closed')],
    [['O'], t('dispatch.keys.remark')],
    [['G'], t('dispatch.keys.sound')],
    [['?'], t('shortcuts.keys.help')],
  ];
  return (
    <Dialog title={t('shortcuts.title')} onClose={onClose} testId="dispatch-shortcuts">
      <table className="table shortcut-table">
        <thead><tr><th scope="col">{t('shortcuts.key')}</th><th scope="col">{t('shortcuts.does')}</th></tr></thead>
        <tbody>{rows.map(([keys, what]) => <tr key={what}><td className="nowrap">{keys.map((k) => <kbd key={k}>{k}</kbd>)}</td><td>{what}</td></tr>)}</tbody>
      </table>
      <div className="actions"><button type="button" className="button button--primary" onClick={onClose} autoFocus>{t('common.close')}</button></div>
    </Dialog>
  );
}
