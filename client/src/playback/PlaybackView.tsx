// "Terugkijken": one camera's recordings on a timeline (recorded stretches, gaps, incident marks) over the last
// hour, 6 or 24 hours or around a chosen moment, and a player that plays from the moment clicked. The server remuxes
// the recording to fragmented MP4 from the keyframe at or before that moment (at most 30 min, a gap ends it) and
// records every playback like a live view. Opened from the wall with T (#/playback/<camera>/<moment>) or by picking
// a camera in the list.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { parseLocal } from '../../../server/bookings/local-time';
import type { Incident } from '../../../server/incidents/schema';
import { api, playbackUrl } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { DateTextInput } from '../components/DateTextInput';
import { useErrorText } from '../components/errors';
import { PreserveDialog, type PreserveRequest } from '../evidence/PreserveDialog';
import { formatDateTime } from '../format';
import { isTyping } from '../keys';
import { CameraList } from '../live/CameraList';
import { MaskCover } from '../masks/MaskCover';
import { useCameraMasks } from '../masks/MasksProvider';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useCan } from '../session/SessionContext';
import { useNow } from '../useNow';
import { Timeline, type Mark } from './Timeline';
import { clockText, locate, toSpans, type Span } from './timeline';

const MIN = 60_000;
/** The windows, in minutes: 10 min to click precisely, the last hour (default), 6 and 24 hours. */
const SPANS = [10, 60, 360, 1440] as const;
type SpanMinutes = (typeof SPANS)[number];
const RATES = [1, 2, 4, 8] as const;

/** #/playback/<camera>[/<ISO moment>] */
function readHash(): { cameraId: string | null; moment: number | null } {
  const [view, cam, at] = window.location.hash.replace(/^#\/?/, '').split('/');
  if (view !== 'playback' || !cam) return { cameraId: null, moment: null };
  const moment = at ? Date.parse(decodeURIComponent(at)) : NaN;
  return { cameraId: decodeURIComponent(cam), moment: Number.isFinite(moment) ? moment : null };
}

interface Loaded { cameraId: string; from: number; to: number; ranges: Span[]; gaps: Span[] }

interface Play {
  key: number;
  /** The moment asked for (click, key, mark). */
  requested: number;
  /** Where the playback was asked to start: the moment, or the next recording after a gap. */
  start: number;
  afterGap: boolean;
  /** The recorded range really played (the keyframe at or before `start`), from the playback log; null until known. */
  actual: { from: number; to: number } | null;
}

type PlayState = 'loading' | 'playing' | 'paused' | 'ended' | 'error';

export function PlaybackView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const can = useCan();
  const { cameras } = useCameraRegistry();
  const [initial] = useState(readHash);
  const [cameraId, setCameraId] = useState<string | null>(initial.cameraId);
  const [spanM, setSpanM] = useState<SpanMinutes>(60);
  // null: the window ends now (and moves with it); else the window is centred on this moment.
  const [anchor, setAnchor] = useState<number | null>(() => (initial.moment !== null && initial.moment < Date.now() - 54 * MIN ? initial.moment : null));
  const [cursor, setCursor] = useState<number | null>(initial.moment);
  // A moment to play once the ranges around it are known (from the hash, or typed in).
  const [pending, setPending] = useState<number | null>(initial.moment);
  const now = useNow(10_000);
  const [announcement, setAnnouncement] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const win = useMemo<Span>(() => {
    const span = spanM * MIN;
    // Whole seconds: the window only changes (and is fetched again) when the clock has moved.
    const to = Math.floor(Math.min(anchor === null ? now : anchor + span / 2, now) / 1000) * 1000;
    return { from: to - span, to };
  }, [spanM, anchor, now]);

  const camera = cameras?.find((c) => c.id === cameraId) ?? null;

  // ---- ranges and incidents of the window ----
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!cameraId) return;
    let cancelled = false;
    api.recordingRanges(cameraId, { from: new Date(win.from).toISOString(), to: new Date(win.to).toISOString() })
      .then((r) => {
        if (cancelled) return;
        setLoaded({ cameraId, from: win.from, to: win.to, ranges: toSpans(r.ranges), gaps: toSpans(r.gaps) });
        setLoadError(null);
      }, (e) => { if (!cancelled) setLoadError(toApiError(e)); });
    return () => { cancelled = true; };
  }, [cameraId, win.from, win.to]);
  const current = loaded && loaded.cameraId === cameraId ? loaded : null;

  const readsIncidents = can('incidents.read');
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const minute = Math.floor(now / 60_000);
  useEffect(() => {
    if (!cameraId || !readsIncidents) return;
    let cancelled = false;
    api.incidents({ status: 'all', camera: cameraId, from: new Date(win.from).toISOString(), to: new Date(win.to).toISOString(), limit: 500 })
      .then((list) => { if (!cancelled) setIncidents(list); }, () => { /* no marks */ });
    return () => { cancelled = true; };
  }, [cameraId, readsIncidents, minute, win.from, win.to]);
  const marks = useMemo<Mark[]>(() => incidents
    .map((i) => ({ id: i.id, number: i.number, at: Date.parse(i.taggedAt), label: lng === 'en' ? i.category.en : i.category.nl }))
    .filter((m) => m.at >= win.from && m.at <= win.to)
    .sort((a, b) => a.at - b.at), [incidents, win.from, win.to, lng]);

  // ---- the player ----
  const videoRef = useRef<HTMLVideoElement>(null);
  // Recordings are covered like live video: every mask of the camera's current version, lifts not (a lift is for
  // watching live), and nothing shown before the masks are known.
  const masks = useCameraMasks(cameraId);
  const masksKnown = masks.masks !== null && masks.current;
  const playbackMasks = useMemo(() => (masks.masks ? { current: masks.masks.current, lifts: [] } : null), [masks.masks]);
  const [play, setPlay] = useState<Play | null>(null);
  const [state, setState] = useState<PlayState>('loading');
  const [pos, setPos] = useState<number | null>(null);
  const [rate, setRate] = useState<(typeof RATES)[number]>(1);
  const keyRef = useRef(0);
  const baseRef = useRef<number | null>(null);
  const playRef = useRef(play);
  playRef.current = play;

  const playFrom = useCallback((at: number, how: 'moment' | 'mark' = 'moment') => {
    setCursor(at);
    setNotice(null);
    const spans = current?.ranges ?? [];
    const where = current ? locate(spans, at) : { kind: 'recorded' as const, start: at };
    if (where.kind === 'gap' && where.next === null) {
      setPlay(null);
      const text = t('playback.nothingRecorded', { time: clockText(at) });
      setNotice(text); setAnnouncement(text);
      return;
    }
    const start = where.kind === 'recorded' ? where.start : where.next!;
    const afterGap = where.kind === 'gap';
    baseRef.current = null;
    setPos(null);
    setState('loading');
    setPlay({ key: ++keyRef.current, requested: at, start, afterGap, actual: null });
    setAnnouncement(afterGap
      ? t('playback.gapNext', { time: clockText(at), next: clockText(start) })
      : t(how === 'mark' ? 'playback.playingMark' : 'playback.playingFrom', { time: clockText(start) }));
  }, [current, t]);

  // A moment from the hash (the wall's T) or typed in: play it as soon as the ranges around it are known.
  useEffect(() => {
    if (pending === null || !current || pending < current.from || pending > current.to) return;
    setPending(null);
    playFrom(pending);
  }, [pending, current, playFrom]);

  // The hash may change while the view is open (back, a link): follow it.
  useEffect(() => {
    const onHash = () => {
      const h = readHash();
      if (!h.cameraId) return;
      setCameraId(h.cameraId);
      if (h.moment !== null) {
        setAnchor(h.moment < Date.now() - 0.9 * spanM * MIN ? h.moment : null);
        setCursor(h.moment);
        setPending(h.moment);
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [spanM]);

  // One request per playback: the browser fetches the stream; leaving or stopping aborts it (the server ends the log entry).
  useEffect(() => {
    const v = videoRef.current;
    if (!v || !play || !cameraId) return;
    v.src = playbackUrl(cameraId, new Date(play.start).toISOString());
    v.playbackRate = rate;
    v.play().catch(() => { /* the error event says why */ });
    return () => { v.pause(); v.removeAttribute('src'); v.load(); };
  }, [play?.key]); // a new playback only when asked for one

  useEffect(() => { if (videoRef.current) videoRef.current.playbackRate = rate; }, [rate]);

  // The range really played is in the playback log (the keyframe at or before the moment asked for).
  const findActual = useCallback((p: Play, cam: string) => {
    api.recordingViews({ scope: 'mine', camera: cam, limit: 5 }).then((views) => {
      const hit = views.find((v) => { const f = Date.parse(v.rangeFrom); return f <= p.start + 1000 && f >= p.start - 60_000; });
      if (!hit || playRef.current?.key !== p.key) return;
      setPlay((cur) => (cur && cur.key === p.key ? { ...cur, actual: { from: Date.parse(hit.rangeFrom), to: Date.parse(hit.rangeTo) } } : cur));
    }, () => { /* shown as approximate */ });
  }, []);

  const origin = play ? (play.actual?.from ?? play.start) : null;
  const onTime = () => {
    const v = videoRef.current;
    if (!v || origin === null) return;
    if (baseRef.current === null) baseRef.current = v.buffered.length ? Math.min(v.buffered.start(0), v.currentTime) : v.currentTime;
    setPos(origin + Math.max(0, v.currentTime - baseRef.current) * 1000);
  };

  const stop = () => { setPlay(null); setPos(null); setAnnouncement(t('playback.stopped')); };
  const toggle = useCallback(() => {
    const v = videoRef.current;
    if (!v || !playRef.current) return;
    if (v.paused) void v.play().catch(() => {}); else v.pause();
  }, []);

  // Where to go on after a playback ended (the 30-minute limit, or a gap): the next recorded moment after it.
  const endedAt = play ? (play.actual?.to ?? pos) : null;
  const continueAt = useMemo(() => {
    if (state !== 'ended' || endedAt === null || !current) return null;
    const where = locate(current.ranges, endedAt + 500);
    return where.kind === 'recorded' ? where.start : where.next;
  }, [state, endedAt, current]);

  // ---- choosing the camera and the window ----
  const choose = (id: string) => {
    if (id === cameraId) return;
    setCameraId(id);
    setPlay(null); setPos(null); setCursor(null); setNotice(null); setIncidents([]);
    history.replaceState(null, '', `#/playback/${encodeURIComponent(id)}`);
    const name = cameras?.find((c) => c.id === id)?.name ?? id;
    setAnnouncement(t('playback.chosen', { name }));
    requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="timeline"]')?.focus());
  };

  // ---- preserving from the playback moment (B) ----
  const preserving = can('evidence.preserve');
  const [preserve, setPreserve] = useState<PreserveRequest | null>(null);
  const momentNow = pos ?? cursor;
  const openPreserve = useCallback(() => {
    if (!cameraId || momentNow === null) return;
    videoRef.current?.pause();
    setPreserve({ moment: new Date(momentNow).toISOString(), cameras: [{ id: cameraId, name: camera?.name ?? cameraId }], selected: [cameraId] });
  }, [cameraId, camera, momentNow]);
  const openPreserveRef = useRef(openPreserve);
  openPreserveRef.current = openPreserve;
  useEffect(() => {
    if (!preserving) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat || isTyping(e.target) || document.querySelector('dialog[open]')) return;
      if (e.key === 'b' || e.key === 'B') { e.preventDefault(); openPreserveRef.current(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [preserving]);

  const headingId = useId();
  const where = camera ? t('wall.where', { street: camera.location.street, municipality: camera.municipalityName }) : null;
  const message = !play ? null
    : state === 'loading' ? t('playback.loading')
    : state === 'error' ? t('playback.failed')
    : state === 'ended' ? t('playback.ended', { time: endedAt !== null ? clockText(endedAt) : '' })
    : null;

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.playback')}</h1>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="playback-announcer">{announcement}</p>
      <div className="layout layout--wall">
        <section className="panel playback" aria-labelledby={headingId} data-testid="playback" data-camera-id={cameraId ?? undefined}>
          <div className="playback__head">
            <h2 id={headingId} data-testid="playback-camera">{camera?.name ?? cameraId ?? t('playback.noCamera')}</h2>
            {where && <span className="muted">{where}</span>}
          </div>
          {!cameraId && <p className="empty">{t('playback.chooseCamera')}</p>}
          {cameraId && cameras && !camera && <p className="banner banner--warning">{t('playback.unknownCamera', { id: cameraId })}</p>}
          {cameraId && (
            <>
              <div className="playback__video">
                <video ref={videoRef} className={`playback__player${masksKnown ? '' : ' playback__player--veiled'}`} muted playsInline disablePictureInPicture data-testid="playback-video"
                  hidden={!play} aria-label={t('playback.videoOf', { name: camera?.name ?? cameraId })}
                  onLoadedMetadata={() => { const p = playRef.current; if (p && cameraId) findActual(p, cameraId); }}
                  onPlaying={() => setState('playing')} onPause={(e) => {
                    // Not the pause of a playback being replaced (the new one has no data yet), nor the end.
                    const v = e.currentTarget;
                    if (v.readyState >= 2 && !v.ended) setState((s) => (s === 'ended' || s === 'error' ? s : 'paused'));
                  }}
                  onWaiting={() => setState('loading')} onEnded={() => { setState('ended'); setAnnouncement(t('playback.endedShort')); }}
                  onError={() => { if (playRef.current) setState('error'); }} onTimeUpdate={onTime} data-masks={masksKnown ? 'known' : 'loading'} />
                {play && playbackMasks && <MaskCover video={videoRef} masks={playbackMasks} />}
                {!play && <p className="player__message" data-testid="playback-notice">{notice ?? t('playback.pickMoment')}</p>}
                {message && <p className="player__message playback__message" data-testid="playback-message" data-state={state}>{message}</p>}
              </div>

              <div className="playback__controls">
                <p className="playback__clock" data-testid="playback-clock" data-at={pos !== null ? Math.round(pos) : undefined} data-state={play ? state : 'idle'}>
                  <span className="playback__clock-label">{t('playback.onScreen')}</span>{' '}
                  <span className="mono">{pos !== null ? formatDateTime(new Date(pos), lng) : '—'}</span>
                </p>
                <button type="button" className="button button--small" onClick={toggle} disabled={!play || state === 'ended' || state === 'error'} data-testid="playback-toggle">
                  {state === 'paused' ? t('playback.resume') : t('playback.pause')}
                </button>
                <button type="button" className="button button--small" onClick={stop} disabled={!play} data-testid="playback-stop">{t('playback.stop')}</button>
                <label className="playback__rate">
                  <span>{t('playback.rate')}</span>
                  <select value={rate} onChange={(e) => setRate(Number(e.target.value) as (typeof RATES)[number])} data-testid="playback-rate">
                    {RATES.map((r) => <option key={r} value={r}>{r}×</option>)}
                  </select>
                </label>
                {continueAt !== null && (
                  <button type="button" className="button button--small button--primary" onClick={() => playFrom(continueAt)} data-testid="playback-continue">
                    {t('playback.continue', { time: clockText(continueAt) })}
                  </button>
                )}
                {state === 'error' && play && (
                  <button type="button" className="button button--small" onClick={() => playFrom(play.requested)}>{t('common.retry')}</button>
                )}
                {preserving && (
                  <button type="button" className="button button--small" onClick={openPreserve} disabled={momentNow === null} aria-keyshortcuts="B" data-testid="playback-preserve">
                    {t('playback.preserve')} <kbd>B</kbd>
                  </button>
                )}
              </div>
              {play?.afterGap && <p className="banner banner--info" data-testid="playback-notice">{t('playback.gapNext', { time: clockText(play.requested), next: clockText(play.start) })}</p>}

              {loadError && <p className="banner banner--error" role="alert">{t('playback.rangesFailed')} {errorText(loadError)}</p>}
              <Timeline label={t('playback.timelineOf', { name: camera?.name ?? cameraId })} window={win}
                ranges={current?.ranges ?? null} gaps={current?.gaps ?? []} marks={marks} cursor={cursor} playhead={pos}
                onCursor={setCursor} onPlay={(at) => playFrom(at)} onMark={(m) => playFrom(m.at, 'mark')} onToggle={play ? toggle : undefined} />
              <p className="muted playback__summary" data-testid="playback-summary">
                {current
                  ? (current.ranges.length === 0 ? t('playback.noneInWindow') : t('playback.rangesCount', { count: current.ranges.length, gaps: current.gaps.length }))
                  : t('common.loading')}
                {readsIncidents && current && <> · {t('playback.marksCount', { count: marks.length })}</>}
              </p>

              <WindowControls spanM={spanM} anchor={anchor} window={win}
                onSpan={(m) => setSpanM(m)}
                onLive={() => setAnchor(null)}
                onMoment={(at) => {
                  setAnchor(at < Date.now() - 0.9 * spanM * MIN ? at : null);
                  setCursor(at);
                  setPending(at);
                }} />

              {play && (
                <dl className="facts playback__facts" data-testid="playback-facts">
                  <div><dt>{t('playback.requested')}</dt><dd className="mono">{formatDateTime(new Date(play.requested), lng)}</dd></div>
                  <div><dt>{t('playback.actualFrom')}</dt><dd className="mono" data-testid="playback-actual-from" data-at={play.actual?.from}>
                    {play.actual ? formatDateTime(new Date(play.actual.from), lng) : `≈ ${formatDateTime(new Date(play.start), lng)}`}
                  </dd></div>
                  {play.actual && <div><dt>{t('playback.actualTo')}</dt><dd className="mono">{formatDateTime(new Date(play.actual.to), lng)}</dd></div>}
                </dl>
              )}
              <p className="hint">{t('playback.logged')}</p>
            </>
          )}
        </section>
        <aside className="side-stack" aria-label={t('playback.side')}>
          <section className="panel camera-panel" aria-label={t('cameraList.title')}>
            <h2>{t('cameraList.title')}</h2>
            <CameraList variant="compact" headingLevel={3} onPick={(c) => choose(c.id)} pickHint={t('playback.pickHint')} />
          </section>
        </aside>
      </div>
      {preserve && (
        <PreserveDialog request={preserve} onClose={() => setPreserve(null)}
          onSaved={(item) => { setPreserve(null); setAnnouncement(t('preserve.saved', { number: item.number })); }} />
      )}
    </>
  );
}

/** The window: the last 1, 6 or 24 hours, or around a moment typed in Amsterdam time. */
function WindowControls({ spanM, anchor, window: w, onSpan, onLive, onMoment }: {
  spanM: SpanMinutes; anchor: number | null; window: Span; onSpan(m: SpanMinutes): void; onLive(): void; onMoment(at: number): void;
}) {
  const { t, i18n } = useTranslation();
  const [value, setValue] = useState('');
  const [offset, setOffset] = useState<'' | '+02:00' | '+01:00'>('');
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const errorId = useId();
  const wall = value.slice(0, 16);
  const ambiguous = wall.length === 16 && (() => { const r = parseLocal(wall); return !r.ok && r.code === 'ambiguous_time'; })();

  function submit(e: FormEvent) {
    e.preventDefault();
    const secs = value.length >= 19 ? Number(value.slice(17, 19)) : 0;
    const r = parseLocal(wall + (ambiguous ? offset || '+02:00' : ''));
    if (!r.ok) { setError(r.code === 'nonexistent_time' ? t('playback.momentNonexistent') : t('playback.momentInvalid')); return; }
    const at = r.at.getTime() + secs * 1000;
    if (at > Date.now()) { setError(t('playback.momentFuture')); return; }
    setError(null);
    onMoment(at);
  }

  return (
    <div className="toolbar playback__window">
      <div className="field">
        <span className="label" id={`${inputId}-span`}>{t('playback.span')}</span>
        <div className="segmented" role="group" aria-labelledby={`${inputId}-span`}>
          {SPANS.map((m) => (
            <button key={m} type="button" className="segmented__option" aria-pressed={m === spanM} onClick={() => onSpan(m)} data-testid={`playback-span-${m}`}>
              {m < 60 ? t('playback.minutes', { count: m }) : t('playback.hours', { count: m / 60 })}
            </button>
          ))}
        </div>
      </div>
      <form className="inline-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={inputId}>{t('playback.moment')}</label>
          <DateTextInput id={inputId} kind="dateTimeSeconds" value={value} onChange={(v) => { setValue(v); setError(null); }}
            aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} data-testid="playback-moment" />
        </div>
        {ambiguous && (
          <div className="field">
            <label htmlFor={`${inputId}-offset`}>{t('playback.which')}</label>
            <select id={`${inputId}-offset`} value={offset || '+02:00'} onChange={(e) => setOffset(e.target.value as '+02:00' | '+01:00')}>
              <option value="+02:00">{t('playback.first')}</option>
              <option value="+01:00">{t('playback.second')}</option>
            </select>
          </div>
        )}
        <button type="submit" className="button" disabled={!value} data-testid="playback-go">{t('playback.go')}</button>
        <button type="button" className="button button--quiet" onClick={() => { onLive(); setValue(''); setError(null); }} disabled={anchor === null} data-testid="playback-live">
          {t('playback.toNow')}
        </button>
      </form>
      {error && <p id={errorId} className="field-error" data-field-error>{error}</p>}
      <p className="muted playback__range" data-testid="playback-window">
        {t('playback.window', { from: formatDateTime(new Date(w.from), i18n.language), to: formatDateTime(new Date(w.to), i18n.language) })}
      </p>
    </div>
  );
}
