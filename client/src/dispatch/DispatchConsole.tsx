// The dispatch centre's console: the live queue of alerts from the supervision room (priority, then age), a sound and
// a visual signal for new and escalated alerts, and the detail of the selected alert with its snapshot, live video and
// the status steps. Keyboard first: ↑/↓ choose an alert, B/E/T/A take a step, G turns the sound on or off.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '../../../server/incidents/schema';
import { useErrorText } from '../components/errors';
import { Dialog } from '../components/Dialog';
import { durationParts } from '../format';
import { CategoryName, DispatchStatus, PriorityBadge } from '../incidents/DispatchStatus';
import { useNow } from '../useNow';
import { AlertDetail, type AlertDetailHandle } from './AlertDetail';
import { Beeper } from './sound';
import { useDispatchQueue, type DispatchQueueState, type Signal } from './useDispatchQueue';

const SOUND_KEY = 'uitkijk.dispatchSound';
const FLASH_MS = 8000;

const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

type SoundState = 'off' | 'on' | 'blocked' | 'unsupported';

export function DispatchConsole() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const queueHeading = useId();
  const [beeper] = useState(() => new Beeper());
  useEffect(() => () => beeper.close(), [beeper]);
  // The wish is remembered; the browser still needs a gesture on every page load, so until then it is 'blocked'.
  const [sound, setSound] = useState<SoundState>(() => (!Beeper.supported ? 'unsupported' : readWish() ? 'blocked' : 'off'));
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const [beeps, setBeeps] = useState(0);
  const [flash, setFlash] = useState<Map<string, Signal>>(new Map());
  const [latest, setLatest] = useState<Signal | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const detail = useRef<AlertDetailHandle>(null);
  const now = useNow(1000);

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

  // Flashes fade after a while (the row stays marked as unacknowledged until someone acknowledges it).
  useEffect(() => {
    if (flash.size === 0) return;
    const timer = setTimeout(() => setFlash((m) => new Map([...m].filter(([, s]) => Date.now() - s.at < FLASH_MS))), 1000);
    return () => clearTimeout(timer);
  }, [flash, now]);

  const toggleSound = useCallback(async () => {
    if (soundRef.current === 'on') { beeper.disable(); setSound('off'); writeWish(false); return; }
    const ok = await beeper.enable();
    setSound(ok ? 'on' : 'blocked');
    writeWish(true);
    if (ok) beeper.beep('test');
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
  const select = (a: Alert | undefined) => { if (a) setSelectedId(a.id); };
  const move = (delta: number) => {
    if (q.open.length === 0) return;
    const i = selected ? q.open.findIndex((a) => a.id === selected.id) : -1;
    const next = q.open[Math.min(q.open.length - 1, Math.max(0, i < 0 ? 0 : i + delta))];
    select(next);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-alert-id="${next?.id}"] .alert-row__open`)?.focus());
  };

  // Unacknowledged alerts in the tab title, so a console in the background still tells.
  const unacknowledged = q.open.filter((a) => a.status === 'raised').length;
  useEffect(() => {
    const base = t('app.documentTitle');
    document.title = unacknowledged > 0 ? `(${unacknowledged}) ${base}` : base;
    return () => { document.title = base; };
  }, [unacknowledged, t]);

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

  const age = (a: Alert) => {
    const p = durationParts(now - Date.parse(a.raisedAt));
    return t(`age.${p.unit}`, { h: p.h, m: p.unit === 'hours' ? String(p.m).padStart(2, '0') : p.m, s: p.s });
  };

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

      {/* The signal: seen (a strip that stands out) and heard by screen readers (assertive), once per alert. */}
      <div role="alert" className="alert-slot" data-testid="alert-signal-slot">
        {latest && now - latest.at < FLASH_MS && (
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
            {q.open.map((a) => {
              const isSel = selected?.id === a.id;
              const escalated = a.status === 'raised' && !!a.escalatedAt;
              // The flash and its badge last while nobody has acknowledged the alert.
              const flashing = a.status === 'raised' && flash.has(a.id);
              const cls = ['alert-row', `alert-row--p${a.priority}`, a.status === 'raised' ? 'alert-row--unacknowledged' : '',
                escalated ? 'alert-row--escalated' : '', flashing ? 'alert-row--flash' : '', isSel ? 'alert-row--selected' : ''].filter(Boolean).join(' ');
              return (
                <li key={a.id} className={cls} data-testid={`alert-row-${a.incidentNumber}`} data-alert-id={a.id} data-status={a.status}
                  data-priority={a.priority} data-escalated={escalated ? 'true' : 'false'}>
                  <button type="button" className="alert-row__open" aria-current={isSel ? 'true' : undefined} onClick={() => select(a)}>
                    <span className="alert-row__line">
                      <PriorityBadge priority={a.priority} />
                      <span className="alert-row__what"><CategoryName category={a.category} inline /></span>
                      <span className="alert-row__age mono" title={a.raisedAt}>{age(a)}</span>
                    </span>
                    <span className="alert-row__line alert-row__meta">
                      <span className="mono">#{a.incidentNumber}</span>
                      <span className="alert-row__where">{a.location.street}, {a.location.municipalityName}</span>
                      {flashing && <span className="badge badge--new">{t(`dispatch.signal.${flash.get(a.id)!.kind}`)}</span>}
                      <DispatchStatus alert={a} forDispatcher />
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
        </section>

        {selected
          ? <AlertDetail key={selected.id} ref={detail} alert={selected} onChanged={q.put} />
          : <section className="panel alert-detail alert-detail--empty"><p className="empty">{t('dispatch.nothingSelected')}</p></section>}
      </div>
      {helpOpen && <DispatchShortcuts onClose={() => setHelpOpen(false)} />}
    </>
  );
}

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

function readWish(): boolean { try { return localStorage.getItem(SOUND_KEY) === 'on'; } catch { return false; } }
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
