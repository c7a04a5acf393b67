// The supervisor's planning of flexible supervision: a week or month calendar of requests and bookings (live), the
// open requests (urgent first), the selected booking with its capacity per window and the approval, and the roster of
// observers for the period shown. #/planning/<id> opens a booking. Keys (outside text fields): W week, M month,
// P / N previous / next, T today.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Booking } from '../../../server/bookings/schema';
import { isTyping } from '../keys';
import { BookingDetailPanel } from './BookingDetailPanel';
import { Calendar, periodOf, periodTitle, shiftAnchor, type CalendarMode } from './Calendar';
import { BookingStatusBadge, UrgentBadge, useBookingErrorText } from './parts';
import { RosterPanel } from './RosterPanel';
import { dayOf, todayLocal, windowText } from './time';
import { useHashSelection, useLiveBookings } from './useLiveBookings';

export function PlanningView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useBookingErrorText();
  const [mode, setMode] = useState<CalendarMode>('week');
  const [anchor, setAnchor] = useState(() => todayLocal());
  const [selected, select] = useHashSelection('planning');
  const [rosterVersion, setRosterVersion] = useState(0);
  const period = useMemo(() => periodOf(mode, anchor), [mode, anchor]);
  const title = periodTitle(period, lng, (x) => t('planning.weekTitle', x));

  const inPeriod = useCallback((b: Booking) => b.windows.some((w) => w.start < period.to && w.end > period.from), [period.from, period.to]);
  const calendar = useLiveBookings({ from: period.from, to: period.to, limit: 500 }, inPeriod);
  const open = useLiveBookings({ status: 'requested', limit: 500 }, (b) => b.status === 'requested');
  const openList = useMemo(() => open.bookings && [...open.bookings].sort((a, b) => Number(b.urgent) - Number(a.urgent)
    || (a.windows[0]?.start ?? '').localeCompare(b.windows[0]?.start ?? '')), [open.bookings]);

  const upsert = useCallback((b: Booking) => { calendar.upsert(b); open.upsert(b); }, [calendar.upsert, open.upsert]);
  /** From the list of requests: also show its first window's week (or month) in the calendar. */
  const openBooking = (b: Booking) => { select(b.id); if (b.windows[0]) setAnchor(dayOf(b.windows[0].start)); };
  // Opened by a link (#/planning/<id>, a message): the calendar goes to it once it is loaded. Not for a click in the calendar.
  const fromCalendar = useRef(false);
  const follow = useRef(selected !== null);
  useEffect(() => { follow.current = selected !== null && !fromCalendar.current; fromCalendar.current = false; }, [selected]);
  const onLoaded = useCallback((b: Booking) => {
    if (!follow.current) return;
    follow.current = false;
    if (b.windows[0]) setAnchor(dayOf(b.windows[0].start));
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const k = e.key.toLowerCase();
      if (k === 'w') setMode('week');
      else if (k === 'm') setMode('month');
      else if (k === 'p') setAnchor((a) => shiftAnchor(mode, a, -1));
      else if (k === 'n') setAnchor((a) => shiftAnchor(mode, a, 1));
      else if (k === 't') setAnchor(todayLocal());
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mode]);

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.planning')}</h1>
      <div className="layout layout--planning">
        <div className="planning-main">
          <section className="panel" aria-labelledby="planning-period">
            <div className="calendar-bar">
              <h2 id="planning-period" className="calendar-bar__title" data-testid="planning-period" aria-live="polite">{title}</h2>
              <div className="segmented" role="group" aria-label={t('planning.view')}>
                {(['week', 'month'] as const).map((m) => (
                  <button key={m} type="button" className="segmented__option" aria-pressed={mode === m} onClick={() => setMode(m)}
                    aria-keyshortcuts={m === 'week' ? 'W' : 'M'} data-testid={`planning-${m}`}>
                    {t(`planning.${m}`)} <kbd>{m === 'week' ? 'W' : 'M'}</kbd>
                  </button>
                ))}
              </div>
              <div className="calendar-bar__nav">
                <button type="button" className="button button--small" onClick={() => setAnchor((a) => shiftAnchor(mode, a, -1))} aria-keyshortcuts="P" data-testid="planning-prev">
                  <span aria-hidden="true">‹ </span>{t(mode === 'week' ? 'planning.prevWeek' : 'planning.prevMonth')} <kbd>P</kbd>
                </button>
                <button type="button" className="button button--small" onClick={() => setAnchor(todayLocal())} aria-keyshortcuts="T" data-testid="planning-today">
                  {t('planning.today')} <kbd>T</kbd>
                </button>
                <button type="button" className="button button--small" onClick={() => setAnchor((a) => shiftAnchor(mode, a, 1))} aria-keyshortcuts="N" data-testid="planning-next">
                  {t(mode === 'week' ? 'planning.nextWeek' : 'planning.nextMonth')} <kbd>N</kbd><span aria-hidden="true"> ›</span>
                </button>
              </div>
            </div>
            <ul className="legend" aria-label={t('planning.legend')}>
              {(['requested', 'approved', 'rejected', 'cancelled'] as const).map((s) => <li key={s}><BookingStatusBadge status={s} testId={`legend-${s}`} /></li>)}
              <li><span className="cal-chip__urgent" aria-hidden="true">!</span> {t('bookings.urgent')}</li>
            </ul>
            {calendar.error && (
              <div className="banner banner--error" role="alert">
                <p>{errorText(calendar.error)}</p>
                <button type="button" className="button button--small" onClick={() => void calendar.reload()}>{t('common.retry')}</button>
              </div>
            )}
            <div className="calendar-wrap" aria-busy={calendar.bookings === null}>
              <Calendar period={period} bookings={calendar.bookings ?? []} selected={selected} onSelect={(b) => { if (b.id !== selected) fromCalendar.current = true; select(b.id); }} />
            </div>
          </section>
          <RosterPanel from={period.from} to={period.to} title={title} onChanged={() => setRosterVersion((v) => v + 1)} />
        </div>
        <div className="planning-side">
          <section className="panel" aria-labelledby="planning-open" data-testid="open-requests">
            <h2 id="planning-open">{t('planning.openRequests')} <span className="count">{openList ? openList.length : ''}</span></h2>
            {open.error && <p className="banner banner--error" role="alert">{errorText(open.error)}</p>}
            {!openList && !open.error && <p className="muted">{t('common.loading')}</p>}
            {openList && openList.length === 0 && <p className="empty">{t('planning.noOpen')}</p>}
            {openList && openList.length > 0 && (
              <ul className="request-list">
                {openList.map((b) => (
                  <li key={b.id} className={`request${b.urgent ? ' request--urgent' : ''}${b.id === selected ? ' request--selected' : ''}`} data-testid={`open-${b.reference}`}>
                    <button type="button" className="request__open" onClick={() => openBooking(b)} aria-current={b.id === selected ? 'true' : undefined}>
                      <span className="request__line">
                        <span className="mono muted">{b.reference}</span>
                        <span className="request__name">{b.eventName}</span>
                        {b.urgent && <UrgentBadge />}
                      </span>
                      <span className="request__meta">
                        {b.municipalityName} · {b.windows[0] ? windowText(b.windows[0], lng) : '—'}
                        {b.windows.length > 1 ? ` ${t('bookings.moreWindows', { count: b.windows.length - 1 })}` : ''}
                        {' · '}{t('planning.wants', { units: b.unitsWanted, observers: b.observersWanted })}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {selected
            ? <BookingDetailPanel key={selected} id={selected} planning rosterVersion={rosterVersion} onChanged={upsert} onClose={() => select(null)} onLoaded={onLoaded} />
            : <section className="panel"><p className="muted">{t('planning.pick')}</p></section>}
        </div>
      </div>
    </>
  );
}
