// The municipality's bookings: its own requests with their status, live; a booking's detail and history; a new
// request. #/bookings/<id> opens one (another municipality's is "not found", as the server says).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Booking } from '../../../server/bookings/schema';
import { BookingDetailPanel } from './BookingDetailPanel';
import { BookingForm } from './BookingForm';
import { BookingStatusBadge, UrgentBadge, useBookingErrorText } from './parts';
import { windowText } from './time';
import { useHashSelection, useLiveBookings } from './useLiveBookings';

export function BookingsView() {
  const { t, i18n } = useTranslation();
  const errorText = useBookingErrorText();
  const feed = useLiveBookings({ limit: 500 });
  const [selected, select] = useHashSelection('bookings');
  const [creating, setCreating] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  const saved = (b: Booking) => {
    setCreating(false);
    feed.upsert(b);
    select(b.id);
    setAnnouncement(t('bookings.requestedNotice', { reference: b.reference }));
  };

  return (
    <>
      <div className="view-bar">
        <h1 tabIndex={-1} className="view-title">{t('views.bookings')}</h1>
        <button type="button" className="button button--primary" onClick={() => setCreating(true)} data-testid="booking-new">{t('bookings.new')}</button>
      </div>
      <p className="muted">{t('bookings.intro')}</p>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="bookings-announcer">{announcement}</p>
      <div className="layout layout--bookings">
        <section className="panel table-wrap" aria-labelledby="bookings-list-title">
          <h2 id="bookings-list-title" className="panel__title">{t('bookings.listTitle')}</h2>
          {feed.error && (
            <div className="banner banner--error" role="alert">
              <p>{errorText(feed.error)}</p>
              <button type="button" className="button button--small" onClick={() => void feed.reload()}>{t('common.retry')}</button>
            </div>
          )}
          {!feed.bookings && !feed.error && <p className="muted panel__intro">{t('common.loading')}</p>}
          {feed.bookings && feed.bookings.length === 0 && <p className="empty panel__intro">{t('bookings.none')}</p>}
          {feed.bookings && feed.bookings.length > 0 && (
            <BookingTable bookings={feed.bookings} selected={selected} onSelect={select} lng={i18n.language} />
          )}
        </section>
        {selected
          ? <BookingDetailPanel key={selected} id={selected} onChanged={feed.upsert} onClose={() => select(null)} />
          : <section className="panel"><p className="muted">{t('bookings.pick')}</p></section>}
      </div>
      {creating && <BookingForm booking={null} onSaved={saved} onClose={() => setCreating(false)} />}
    </>
  );
}

export function BookingTable({ bookings, selected, onSelect, lng, showMunicipality }: {
  bookings: Booking[]; selected: string | null; onSelect(id: string): void; lng: string; showMunicipality?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <table className="table table--dense" data-testid="bookings-table">
      <thead>
        <tr>
          <th scope="col">{t('bookings.reference')}</th>
          <th scope="col">{t('bookings.eventName')}</th>
          {showMunicipality && <th scope="col">{t('bookings.municipality')}</th>}
          <th scope="col">{t('bookings.firstWindow')}</th>
          <th scope="col">{t('bookings.statusLabel')}</th>
        </tr>
      </thead>
      <tbody>
        {bookings.map((b) => (
          <tr key={b.id} data-testid={`booking-row-${b.reference}`} data-booking-id={b.id} data-status={b.status} data-version={b.version}
            className={b.id === selected ? 'row--selected' : undefined} aria-current={b.id === selected ? 'true' : undefined}>
            <td className="mono nowrap">
              <button type="button" className="camera-pick" onClick={() => onSelect(b.id)} data-testid="booking-open">{b.reference}</button>
            </td>
            <td>{b.eventName}{b.urgent && <> <UrgentBadge /></>}</td>
            {showMunicipality && <td>{b.municipalityName}</td>}
            <td className="mono">
              {b.windows[0] ? windowText(b.windows[0], lng) : '—'}
              {b.windows.length > 1 && <span className="sub">{t('bookings.moreWindows', { count: b.windows.length - 1 })}</span>}
            </td>
            <td><BookingStatusBadge status={b.status} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
