// Pieces shared by the municipality's bookings and the supervisor's planning: status and urgency badges, error
// texts for the booking codes, the facts and history of a booking, and a dialog that asks for a reason.
import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Booking, BookingDetail, BookingStatus } from '../../../server/bookings/schema';
import type { ApiError } from '../api/http';
import { toApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field, FormActions } from '../components/Field';
import { useErrorText } from '../components/errors';
import { formatDateTime } from '../format';
import { formatHours, windowText } from './time';

export function BookingStatusBadge({ status, testId = 'booking-status' }: { status: BookingStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <span className={`booking-status booking-status--${status}`} data-testid={testId} data-status={status}>
      <span className="booking-status__icon" aria-hidden="true" />
      {t(`bookings.status.${status}`)}
    </span>
  );
}

export function UrgentBadge() {
  const { t } = useTranslation();
  return <span className="badge badge--urgent" data-testid="booking-urgent" title={t('bookings.urgentHint')}>{t('bookings.urgent')}</span>;
}

const bookingCodes = ['window_order', 'window_too_long', 'window_past', 'windows_overlap', 'decision_order', 'outside_decision', 'too_many_units',
  'invalid_time', 'nonexistent_time', 'ambiguous_time', 'booking_decided', 'unit_taken', 'not_a_flexible_unit', 'observer_not_rostered',
  'roster_overlap', 'not_an_observer', 'stale_version', 'not_found'] as const;
type BookingCode = (typeof bookingCodes)[number];
export const isBookingCode = (c: string): c is BookingCode => (bookingCodes as readonly string[]).includes(c);
/** The refusals that mean "someone else changed it first": shown as a conflict with a reload. */
export const isConflict = (e: ApiError) => e.status === 409 && ['stale_version', 'booking_decided', 'unit_taken'].includes(e.code);

/** The booking codes in the reader's language (with the server's detail, which names the window or unit). */
export function useBookingErrorText(): (err: ApiError) => string {
  const { t } = useTranslation();
  const generic = useErrorText();
  return useCallback((err: ApiError) => {
    if (isBookingCode(err.code)) return t(`bookings.errors.${err.code}`, { detail: err.message });
    return generic(err);
  }, [t, generic]);
}

export function WindowList({ booking }: { booking: Booking }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="window-list" data-testid="booking-windows">
      {booking.windows.map((w) => (
        <li key={w.id} data-start-local={w.startLocal} data-end-local={w.endLocal}>
          <span className="mono">{windowText(w, i18n.language)}</span> <span className="muted">({t('bookings.hours', { hours: formatHours(w.hours, i18n.language) })})</span>
        </li>
      ))}
    </ul>
  );
}

export function BookingFacts({ booking: b }: { booking: Booking }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  return (
    <dl className="facts facts--booking">
      {b.statusReason && <div className="facts__wide"><dt>{t('bookings.reason')}</dt><dd className="user-text" data-testid="booking-reason">{b.statusReason}</dd></div>}
      <div><dt>{t('bookings.municipality')}</dt><dd>{b.municipalityName}</dd></div>
      <div><dt>{t('bookings.riskClass')}</dt><dd>{t(`bookings.riskClasses.${b.riskClass}`)}</dd></div>
      <div><dt>{t('bookings.address')}</dt><dd>{b.address}<span className="sub mono">{b.location.lat.toFixed(5)}, {b.location.lon.toFixed(5)}</span></dd></div>
      <div className="facts__wide"><dt>{t('bookings.windows')}</dt><dd><WindowList booking={b} /><span className="sub">{t('bookings.bookedHours', { hours: formatHours(b.bookedHours, lng) })}</span></dd></div>
      <div><dt>{t('bookings.unitsWanted')}</dt><dd>{b.unitsWanted}</dd></div>
      <div><dt>{t('bookings.observersWanted')}</dt><dd>{b.observersWanted}</dd></div>
      <div><dt>{t('bookings.decision')}</dt><dd>{b.decision.reference}<span className="sub mono">{b.decision.from} – {b.decision.to}</span></dd></div>
      <div><dt>{t('bookings.contact')}</dt><dd>{b.contact.name}<span className="sub">{[b.contact.phone, b.contact.email].filter(Boolean).join(' · ')}</span></dd></div>
      {b.status === 'approved' && (
        <div className="facts__wide"><dt>{t('bookings.assigned')}</dt><dd data-testid="booking-assigned">
          {b.units.map((u) => u.name).join(', ') || t('focus.none')}
          {b.observers.length > 0 && <span className="sub">{t('bookings.assignedObservers', { names: b.observers.map((o) => o.displayName).join(', ') })}</span>}
        </dd></div>
      )}
      {b.notes && <div className="facts__wide"><dt>{t('bookings.notes')}</dt><dd className="user-text">{b.notes}</dd></div>}
      <div><dt>{t('bookings.requestedBy')}</dt><dd>{b.createdBy}<span className="sub">{formatDateTime(b.createdAt, lng)}</span></dd></div>
    </dl>
  );
}

const historyKinds = ['requested', 'changed', 'approved', 'rejected', 'cancelled'] as const;

export function BookingHistory({ booking }: { booking: BookingDetail }) {
  const { t, i18n } = useTranslation();
  return (
    <ol className="timeline" data-testid="booking-history" aria-label={t('bookings.history')}>
      {booking.history.map((h, i) => {
        const d = h.details as { reason?: string; fields?: string[]; reopened?: boolean; urgent?: boolean; unitIds?: string[] };
        const kind = (historyKinds as readonly string[]).includes(h.kind) ? h.kind as (typeof historyKinds)[number] : null;
        return (
          <li key={i} data-kind={h.kind}>
            <span className="timeline__what">{kind ? t(`bookings.historyKinds.${kind}`) : h.kind}</span>
            <span className="timeline__at">{formatDateTime(h.at, i18n.language)}{h.actor ? ` · ${h.actor}` : ''}</span>
            {d.reason && <span className="timeline__details user-text">{d.reason}</span>}
            {d.fields && d.fields.length > 0 && <span className="timeline__details">{t('bookings.changedFields', { fields: d.fields.map((f) => fieldName(f, (k) => t(k))).join(', ') })}{d.reopened ? ` · ${t('bookings.reopened')}` : ''}</span>}
            {d.urgent && <span className="timeline__details">{t('bookings.urgent')}</span>}
            {d.unitIds && d.unitIds.length > 0 && <span className="timeline__details mono">{d.unitIds.join(', ')}</span>}
          </li>
        );
      })}
    </ol>
  );
}

const fieldNames = ['eventName', 'address', 'location', 'riskClass', 'windows', 'unitsWanted', 'observersWanted', 'decision', 'contact', 'notes'] as const;
type FieldName = (typeof fieldNames)[number];
function fieldName(f: string, t: (key: `bookings.fieldNames.${FieldName}`) => string): string {
  return (fieldNames as readonly string[]).includes(f) ? t(`bookings.fieldNames.${f as FieldName}`) : f;
}

interface ReasonProps {
  title: string;
  text: string;
  label: string;
  confirmLabel: string;
  danger?: boolean;
  testId: string;
  onSubmit(reason: string): Promise<unknown>;
  onClose(): void;
  /** A refusal the caller shows itself (e.g. a conflict with a reload): the dialog closes. */
  onRefused?(err: ApiError): boolean;
}

/** Reject or cancel: a reason is required (it is sent to the other side and kept in the history). */
export function ReasonDialog({ title, text, label, confirmLabel, danger, testId, onSubmit, onClose, onRefused }: ReasonProps) {
  const { t } = useTranslation();
  const errorText = useBookingErrorText();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!reason.trim()) { setError(t('bookings.reasonRequired')); return; }
    setBusy(true); setError(null);
    try { await onSubmit(reason.trim()); onClose(); } catch (err) {
      const apiErr = toApiError(err);
      setBusy(false);
      if (onRefused?.(apiErr)) { onClose(); return; }
      setError(errorText(apiErr));
    }
  }
  return (
    <Dialog title={title} onClose={onClose} closable={!busy} role="alertdialog" testId={testId}>
      <form className="form" onSubmit={submit} noValidate>
        <p>{text}</p>
        <Field label={label} error={error ?? undefined}>
          {(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} autoFocus data-testid="reason" />}
        </Field>
        <FormActions busy={busy} onCancel={onClose} submitLabel={confirmLabel} submitTestId="reason-confirm" danger={danger} />
      </form>
    </Dialog>
  );
}
