// One booking: its facts, windows, status and history, kept current by 'booking:changed'; change and cancel for
// whoever may (the municipality its own, the supervisor all). In the planning also the capacity per window and
// approve (assigning units and rostered observers) or reject. A refusal because someone else was first (409) is
// shown plainly, with a reload.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bookingSchema, type Booking, type BookingDetail, type Capacity } from '../../../server/bookings/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useCan, useSession } from '../session/SessionContext';
import { BookingForm } from './BookingForm';
import { BookingFacts, BookingHistory, BookingStatusBadge, isConflict, ReasonDialog, UrgentBadge, useBookingErrorText } from './parts';
import { windowText } from './time';

interface Props {
  id: string;
  /** The supervisor's planning: capacity, approve and reject. */
  planning?: boolean;
  /** Bumped when the roster changed (the capacity counts rostered observers). */
  rosterVersion?: number;
  onChanged?(b: Booking): void;
  onClose?(): void;
  /** Each time the booking has been (re)loaded. */
  onLoaded?(b: BookingDetail): void;
}

export function BookingDetailPanel({ id, planning, rosterVersion = 0, onChanged, onClose, onLoaded }: Props) {
  const { t } = useTranslation();
  const { socket } = useSession();
  const can = useCan();
  const errorText = useBookingErrorText();
  const headingId = useId();
  const [detail, setDetail] = useState<BookingDetail | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'change' | 'cancel' | 'reject' | null>(null);

  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;
  const versionRef = useRef<number | null>(null);
  versionRef.current = detail?.version ?? null;

  const load = useCallback(async () => {
    try {
      const b = await api.booking(id);
      setDetail(b);
      setLoadError(null);
      onLoadedRef.current?.(b);
    } catch (e) {
      setLoadError(toApiError(e));
    }
  }, [id]);
  useEffect(() => { setDetail(null); setLoadError(null); setConflict(null); setNotice(null); void load(); }, [load]);

  // Someone else changed it: load it again (the push has no history).
  useEffect(() => {
    const onChanged = (payload: Booking) => {
      const p = bookingSchema.safeParse(payload);
      if (!p.success || p.data.id !== id) return;
      if (versionRef.current !== null && versionRef.current < p.data.version) void load();
    };
    socket.on('booking:changed', onChanged);
    return () => { socket.off('booking:changed', onChanged); };
  }, [socket, id, load]);

  const done = useCallback((b: Booking, text: string) => {
    onChanged?.(b);
    setConflict(null);
    setNotice(text);
    void load();
  }, [onChanged, load]);
  const refused = useCallback((e: ApiError) => {
    if (!isConflict(e) && e.code !== 'booking_decided') return false;
    setConflict(errorText(e));
    return true;
  }, [errorText]);
  const reload = () => { setConflict(null); setNotice(null); void load(); };

  if (loadError) {
    return (
      <section className="panel booking-detail" data-testid={loadError.status === 404 ? 'booking-not-found' : 'booking-load-error'}>
        <p className="banner banner--error" role="alert">{loadError.status === 404 ? t('bookings.notFound') : errorText(loadError)}</p>
        {onClose && <button type="button" className="button button--small" onClick={onClose}>{t('common.close')}</button>}
      </section>
    );
  }
  if (!detail) return <section className="panel booking-detail"><p className="muted" role="status">{t('common.loading')}</p></section>;
  const b = detail;
  const open = b.status === 'requested' || b.status === 'approved';
  return (
    <section className="panel booking-detail" aria-labelledby={headingId} data-testid="booking-detail" data-booking-id={b.id} data-status={b.status} data-version={b.version}>
      <div className="booking-detail__head">
        <h2 id={headingId} tabIndex={-1}><span className="mono muted">{b.reference}</span> {b.eventName}</h2>
        <BookingStatusBadge status={b.status} testId="booking-detail-status" />
        {b.urgent && <UrgentBadge />}
        {onClose && (
          <button type="button" className="button button--quiet button--icon booking-detail__close" onClick={onClose} aria-label={t('common.close')}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>
      <div role="alert" className="alert-slot">
        {conflict && (
          <div className="banner banner--conflict" data-testid="booking-conflict">
            <p><strong>{conflict}</strong></p>
            <button type="button" className="button button--small" onClick={reload} data-testid="booking-reload">{t('bookings.reload')}</button>
          </div>
        )}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">{notice}</p>
      {notice && <p className="banner banner--ok" data-testid="booking-notice">{notice}</p>}
      <BookingFacts booking={b} />
      {open && can('bookings.change') && (
        <div className="actions actions--start">
          <button type="button" className="button" onClick={() => setDialog('change')} data-testid="booking-change">{t('bookings.change')}</button>
          <button type="button" className="button button--danger" onClick={() => setDialog('cancel')} data-testid="booking-cancel">{t('bookings.cancel')}</button>
        </div>
      )}
      {planning && open && (
        <PlanPanel booking={b} rosterVersion={rosterVersion} onApproved={(x) => done(x, t('bookings.approvedNotice', { reference: x.reference }))}
          onRefused={refused} onReject={() => setDialog('reject')} />
      )}
      <h3>{t('bookings.history')}</h3>
      <BookingHistory booking={b} />

      {dialog === 'change' && (
        <BookingForm booking={b} onClose={() => setDialog(null)} onConflict={() => { setDialog(null); reload(); }}
          onSaved={(x) => { setDialog(null); done(x, t('bookings.changedNotice', { reference: x.reference })); }} />
      )}
      {dialog === 'cancel' && (
        <ReasonDialog title={t('bookings.cancelTitle', { reference: b.reference })} text={t('bookings.cancelText')} label={t('bookings.reason')}
          confirmLabel={t('bookings.cancel')} danger testId="booking-cancel-dialog" onClose={() => setDialog(null)} onRefused={refused}
          onSubmit={async (reason) => done(await api.cancelBooking(b.id, b.version, reason), t('bookings.cancelledNotice', { reference: b.reference }))} />
      )}
      {dialog === 'reject' && (
        <ReasonDialog title={t('planning.rejectTitle', { reference: b.reference })} text={t('planning.rejectText')} label={t('bookings.reason')}
          confirmLabel={t('planning.reject')} danger testId="booking-reject-dialog" onClose={() => setDialog(null)} onRefused={refused}
          onSubmit={async (reason) => done(await api.rejectBooking(b.id, b.version, reason), t('planning.rejectedNotice', { reference: b.reference }))} />
      )}
    </section>
  );
}

interface PlanProps {
  booking: BookingDetail;
  rosterVersion: number;
  onApproved(b: Booking): void;
  onRefused(e: ApiError): boolean;
  onReject(): void;
}

/** Capacity per window, and the approval: which units (free in every window) and which rostered observers. */
function PlanPanel({ booking: b, rosterVersion, onApproved, onRefused, onReject }: PlanProps) {
  const { t, i18n } = useTranslation();
  const errorText = useBookingErrorText();
  const [capacity, setCapacity] = useState<Capacity | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [units, setUnits] = useState<string[]>([]);
  const [observers, setObservers] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const unitsId = useId();

  const load = useCallback(async () => {
    try { setCapacity(await api.bookingCapacity(b.id)); setError(null); } catch (e) { setError(errorText(toApiError(e))); }
  }, [b.id, errorText]);
  useEffect(() => { void load(); }, [load, b.version, rosterVersion]);

  // Units free in every window, observers rostered over every window (an approval covers all windows).
  const freeUnits = useMemo(() => {
    if (!capacity || capacity.windows.length === 0) return [];
    const [first, ...rest] = capacity.windows;
    return first!.freeUnits.filter((u) => rest.every((w) => w.freeUnits.some((x) => x.cameraId === u.cameraId)));
  }, [capacity]);
  const rostered = useMemo(() => {
    if (!capacity || capacity.windows.length === 0) return [];
    const [first, ...rest] = capacity.windows;
    return first!.rosteredObservers.filter((o) => rest.every((w) => w.rosteredObservers.some((x) => x.userId === o.userId)))
      .map((o) => ({ ...o, assignedElsewhere: capacity.windows.some((w) => w.rosteredObservers.some((x) => x.userId === o.userId && x.assignedElsewhere)) }));
  }, [capacity]);
  // Default: the first N free units and the first M rostered observers not planned elsewhere.
  useEffect(() => {
    setUnits(freeUnits.slice(0, b.unitsWanted).map((u) => u.cameraId));
    setObservers(rostered.filter((o) => !o.assignedElsewhere).slice(0, b.observersWanted).map((o) => o.userId));
  }, [freeUnits, rostered, b.unitsWanted, b.observersWanted]);

  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));

  async function approve() {
    setBusy(true); setError(null);
    try {
      onApproved(await api.approveBooking(b.id, { expectedVersion: b.version, unitIds: units, observerIds: observers }));
    } catch (e) {
      const apiErr = toApiError(e);
      if (!onRefused(apiErr)) setError(errorText(apiErr));
      void load();
    } finally { setBusy(false); }
  }

  return (
    <section className="plan" aria-label={t('planning.capacity')} data-testid="plan-panel">
      <h3>{t('planning.capacity')}</h3>
      {!capacity && !error && <p className="muted" role="status">{t('common.loading')}</p>}
      {capacity && (
        <ol className="capacity" data-testid="capacity">
          {capacity.windows.map((w, i) => (
            <li key={w.windowId} className={`capacity__window${w.conflicts.length ? ' capacity__window--conflict' : ''}`} data-testid={`capacity-window-${i}`}
              data-conflicts={w.conflicts.join(' ')}>
              <div className="capacity__head">
                <span className="mono">{windowText(w, i18n.language)}</span>
                {w.conflicts.length === 0
                  ? <span className="badge badge--ok">{t('planning.noConflicts')}</span>
                  : w.conflicts.map((c) => <span key={c} className="badge badge--off" data-conflict={c}>{t(`planning.conflictKinds.${c}`)}</span>)}
              </div>
              <dl className="capacity__facts">
                <div>
                  <dt>{t('planning.freeUnits')}</dt>
                  <dd><strong>{t('planning.unitsOf', { free: w.freeUnits.length, total: w.unitsTotal, wanted: capacity.unitsWanted })}</strong>
                    {w.freeUnits.length > 0 && <span className="sub">{w.freeUnits.map((u) => u.name).join(', ')}</span>}</dd>
                </div>
                {w.takenUnits.length > 0 && (
                  <div>
                    <dt>{t('planning.takenUnits')}</dt>
                    <dd>{w.takenUnits.map((u) => `${u.cameraId} (${u.reference} ${u.eventName})`).join(', ')}</dd>
                  </div>
                )}
                <div>
                  <dt>{t('planning.rosteredObservers')}</dt>
                  <dd><strong>{t('planning.observersOf', { available: w.observersAvailable, wanted: capacity.observersWanted })}</strong>
                    <span className="sub">{w.rosteredObservers.map((o) => (o.assignedElsewhere ? t('planning.elsewhere', { name: o.displayName }) : o.displayName)).join(', ') || t('planning.noneRostered')}</span></dd>
                </div>
              </dl>
            </li>
          ))}
        </ol>
      )}
      {error && <p className="banner banner--error" role="alert">{error}</p>}
      {capacity && b.status === 'requested' && (
        <div className="plan__approve">
          <fieldset className="fieldset" aria-describedby={unitsId}>
            <legend>{t('planning.chooseUnits', { wanted: b.unitsWanted })}</legend>
            <p id={unitsId} className="hint">{t('planning.chooseUnitsHint')}</p>
            <div className="fieldset__options">
              {freeUnits.map((u) => (
                <label key={u.cameraId} className="choice">
                  <input type="checkbox" checked={units.includes(u.cameraId)} onChange={(e) => setUnits((l) => toggle(l, u.cameraId, e.target.checked))}
                    data-testid={`plan-unit-${u.cameraId}`} />
                  {u.name} <span className="muted mono">{u.cameraId}</span>
                </label>
              ))}
              {freeUnits.length === 0 && <p className="field-error">{t('planning.noFreeUnits')}</p>}
            </div>
          </fieldset>
          <fieldset className="fieldset">
            <legend>{t('planning.chooseObservers', { wanted: b.observersWanted })}</legend>
            <div className="fieldset__options">
              {rostered.map((o) => (
                <label key={o.userId} className="choice">
                  <input type="checkbox" checked={observers.includes(o.userId)} onChange={(e) => setObservers((l) => toggle(l, o.userId, e.target.checked))}
                    data-testid={`plan-observer-${o.userId}`} />
                  {o.displayName}{o.assignedElsewhere && <span className="muted"> · {t('planning.alsoElsewhere')}</span>}
                </label>
              ))}
              {rostered.length === 0 && <p className="hint">{t('planning.rosterFirst')}</p>}
            </div>
          </fieldset>
          {units.length > 0 && units.length < b.unitsWanted && <p className="banner banner--warning">{t('planning.fewerUnits', { chosen: units.length, wanted: b.unitsWanted })}</p>}
          {observers.length < b.observersWanted && <p className="banner banner--warning">{t('planning.fewerObservers', { chosen: observers.length, wanted: b.observersWanted })}</p>}
          <div className="actions actions--start">
            <button type="button" className="button button--primary" onClick={() => void approve()} disabled={busy || units.length === 0} data-testid="plan-approve">
              {busy ? t('common.working') : t('planning.approve', { count: units.length })}
            </button>
            <button type="button" className="button button--danger" onClick={onReject} disabled={busy} data-testid="plan-reject">{t('planning.reject')}</button>
          </div>
        </div>
      )}
    </section>
  );
}
