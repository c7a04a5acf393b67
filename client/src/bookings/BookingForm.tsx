// Request flexible camera supervision for an event, or change a booking. Times are entered as Amsterdam wall clock
// (dd-mm-jjjj uu:mm, DateTextInput); 02:00–03:00 on the last Sunday of October happens twice, so for such a time the
// form asks which one is meant ("first" +02:00, "second" +01:00) and sends it with that offset. The server's own zod
// schema checks the input first; what the server still refuses is shown next to the field it names.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { bookingChangeSchema, bookingCreateSchema, type Booking, type BookingChange, type BookingDetail } from '../../../server/bookings/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { DateTextInput } from '../components/DateTextInput';
import { Field, FieldSet, FormActions, FormInfo } from '../components/Field';
import { fieldErrorsOf, useFormFeedback, type FieldErrors } from '../components/formErrors';
import { ErrorSlot } from '../components/Slots';
import { parseDecimal } from '../format';
import { isConflict, useBookingErrorText } from './parts';
import { isAmbiguous, isNonexistent, splitLocal } from './time';

type Offset = '' | '+02:00' | '+01:00';
interface WindowDraft { key: number; start: string; end: string; startOffset: Offset; endOffset: Offset }
interface Draft {
  eventName: string; address: string; lat: string; lon: string; riskClass: '' | 'A' | 'B' | 'C';
  windows: WindowDraft[]; unitsWanted: string; observersWanted: string;
  decisionRef: string; decisionFrom: string; decisionTo: string;
  contactName: string; contactPhone: string; contactEmail: string; notes: string;
}

let nextKey = 1;
const emptyWindow = (): WindowDraft => ({ key: nextKey++, start: '', end: '', startOffset: '', endOffset: '' });
const emptyDraft = (): Draft => ({
  eventName: '', address: '', lat: '', lon: '', riskClass: '', windows: [emptyWindow()], unitsWanted: '1', observersWanted: '1',
  decisionRef: '', decisionFrom: '', decisionTo: '', contactName: '', contactPhone: '', contactEmail: '', notes: '',
});
function draftOf(b: Booking): Draft {
  return {
    eventName: b.eventName, address: b.address, lat: String(b.location.lat), lon: String(b.location.lon), riskClass: b.riskClass,
    windows: b.windows.map((w) => {
      const s = splitLocal(w.startLocal), e = splitLocal(w.endLocal);
      return { key: nextKey++, start: s.wall, end: e.wall, startOffset: s.offset, endOffset: e.offset };
    }),
    unitsWanted: String(b.unitsWanted), observersWanted: String(b.observersWanted),
    decisionRef: b.decision.reference, decisionFrom: b.decision.from, decisionTo: b.decision.to,
    contactName: b.contact.name, contactPhone: b.contact.phone, contactEmail: b.contact.email, notes: b.notes,
  };
}

/**
 * The part of the draft a field's error is about. An error the server gave stays until this part changes (only the
 * server can say whether the change made it right; it checks again on the next send). The windows and the decision's
 * period go together: a window outside the period is put right by changing either.
 */
function partOf(field: string, x: Draft): string {
  if (field.startsWith('windows') || field === 'decision.from' || field === 'decision.to') {
    return JSON.stringify([x.windows.map((w) => [w.start, w.startOffset, w.end, w.endOffset]), x.decisionFrom, x.decisionTo]);
  }
  if (field.startsWith('location')) return `${x.lat}|${x.lon}`;
  const single: Record<string, string> = {
    eventName: x.eventName, address: x.address, riskClass: x.riskClass, unitsWanted: x.unitsWanted, observersWanted: x.observersWanted,
    'decision.reference': x.decisionRef, 'contact.name': x.contactName, 'contact.phone': x.contactPhone, 'contact.email': x.contactEmail, notes: x.notes,
  };
  return single[field] ?? JSON.stringify(x);
}

const wallWith = (wall: string, offset: Offset) => (offset && isAmbiguous(wall) ? `${wall}${offset}` : wall);
const windowsOf = (d: Draft) => d.windows.map((w) => ({ start: wallWith(w.start, w.startOffset), end: wallWith(w.end, w.endOffset) }));
const toInt = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN);

interface Props {
  booking: BookingDetail | null;   // null: a new request
  onSaved(b: Booking): void;
  onClose(): void;
  /** Someone changed the booking meanwhile (409): reload it. */
  onConflict?(): void;
}

export function BookingForm({ booking, onSaved, onClose, onConflict }: Props) {
  const { t } = useTranslation();
  const errorText = useBookingErrorText();
  const [d, setD] = useState<Draft>(() => (booking ? draftOf(booking) : emptyDraft()));
  // The errors of the last send, and the draft they were about (what err() below shows of them).
  const [sent, setSent] = useState<{ errors: FieldErrors; draft: Draft }>({ errors: {}, draft: d });
  const setErrors = (errors: FieldErrors) => setSent({ errors, draft: d });
  const errors = sent.errors;
  const form = useFormFeedback(errorText, setErrors);
  const { busy, formError } = form;
  const [conflict, setConflict] = useState<string | null>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));

  const fieldText = (field: string, err?: ApiError): string => {
    if (err) return errorText(err);
    if (/^windows\.\d+\.(start|end)$/.test(field)) return t('bookings.form.errors.dateTime');
    if (/^windows(\.\d+)?$/.test(field)) return t('bookings.form.errors.windows');
    switch (field) {
      case 'eventName': return t('bookings.form.errors.eventName');
      case 'address': return t('bookings.form.errors.address');
      case 'location': case 'location.lat': return t('bookings.form.errors.lat');
      case 'location.lon': return t('bookings.form.errors.lon');
      case 'riskClass': return t('bookings.form.errors.riskClass');
      case 'unitsWanted': return t('bookings.form.errors.unitsWanted');
      case 'observersWanted': return t('bookings.form.errors.observersWanted');
      case 'decision.reference': return t('bookings.form.errors.decisionReference');
      case 'decision.from': case 'decision.to': return t('bookings.form.errors.decisionDate');
      case 'contact.name': return t('bookings.form.errors.contactName');
      case 'contact.phone': return t('bookings.form.errors.contactPhone');
      case 'contact.email': return t('bookings.form.errors.contactEmail');
      case 'notes': return t('bookings.form.errors.notes');
      default: return t('errors.invalid_input', { detail: field });
    }
  };
  const knownFields = () => ['eventName', 'address', 'location', 'location.lat', 'location.lon', 'riskClass', 'windows', 'unitsWanted', 'observersWanted',
    'decision.reference', 'decision.from', 'decision.to', 'contact.name', 'contact.phone', 'contact.email', 'notes',
    ...d.windows.flatMap((_, i) => [`windows.${i}`, `windows.${i}.start`, `windows.${i}.end`])];

  /** The daylight-saving rules, before the server is asked: a time that does not exist, or one that needs a choice. */
  function clockErrors(): FieldErrors {
    const out: FieldErrors = {};
    d.windows.forEach((w, i) => {
      for (const [which, value, offset] of [['start', w.start, w.startOffset], ['end', w.end, w.endOffset]] as const) {
        const f = `windows.${i}.${which}`;
        if (!value) out[f] = t('bookings.form.errors.dateTime');
        else if (isNonexistent(value)) out[f] = t('bookings.errors.nonexistent_time');
        else if (isAmbiguous(value) && !offset) out[f] = t('bookings.form.chooseOffset');
      }
    });
    return out;
  }

  function build(): { ok: true; body: unknown } | { ok: false; errors: FieldErrors } | { ok: 'unchanged' } {
    const location = { lat: parseDecimal(d.lat) ?? Number.NaN, lon: parseDecimal(d.lon) ?? Number.NaN };
    const decision = { reference: d.decisionRef, from: d.decisionFrom, to: d.decisionTo };
    const contact = { name: d.contactName, phone: d.contactPhone, email: d.contactEmail.trim() };
    const full = {
      eventName: d.eventName, address: d.address, location, riskClass: d.riskClass || undefined, windows: windowsOf(d),
      unitsWanted: toInt(d.unitsWanted), observersWanted: toInt(d.observersWanted), decision, contact, notes: d.notes,
    };
    const clock = clockErrors();
    let parsed;
    if (!booking) parsed = bookingCreateSchema.safeParse(full);
    else {
      // Only what changed, so the history and the audit trail name exactly that.
      const body: Record<string, unknown> = {};
      const b = booking;
      if (d.eventName.trim() !== b.eventName) body.eventName = full.eventName;
      if (d.address.trim() !== b.address) body.address = full.address;
      if (location.lat !== b.location.lat || location.lon !== b.location.lon) body.location = location;
      if (d.riskClass !== b.riskClass) body.riskClass = full.riskClass;
      const before = JSON.stringify(b.windows.map((w) => ({ start: wallWith(splitLocal(w.startLocal).wall, splitLocal(w.startLocal).offset), end: wallWith(splitLocal(w.endLocal).wall, splitLocal(w.endLocal).offset) })));
      if (JSON.stringify(full.windows) !== before) body.windows = full.windows;
      if (full.unitsWanted !== b.unitsWanted) body.unitsWanted = full.unitsWanted;
      if (full.observersWanted !== b.observersWanted) body.observersWanted = full.observersWanted;
      if (decision.reference.trim() !== b.decision.reference || decision.from !== b.decision.from || decision.to !== b.decision.to) body.decision = decision;
      if (contact.name.trim() !== b.contact.name || contact.phone.trim() !== b.contact.phone || contact.email !== b.contact.email) body.contact = contact;
      if (d.notes !== b.notes) body.notes = d.notes;
      if (Object.keys(body).length === 0) return { ok: 'unchanged' };
      parsed = bookingChangeSchema.safeParse({ ...body, expectedVersion: b.version });
    }
    const out: FieldErrors = parsed.success ? { ...clock } : fieldErrorsOf(parsed.error, fieldText, { into: clock });
    if (Object.keys(out).length) return { ok: false, errors: out };
    return { ok: true, body: parsed.data };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.clear(); setConflict(null);
    const built = build();
    if (built.ok === 'unchanged') { form.unchanged(t('bookings.form.unchanged')); return; }
    if (built.ok === false) { form.invalid(built.errors); return; }
    setErrors({});
    form.setBusy(true);
    try {
      const saved = booking ? await api.changeBooking(booking.id, built.body as BookingChange) : await api.requestBooking(built.body as Parameters<typeof api.requestBooking>[0]);
      onSaved(saved);
    } catch (err) {
      const apiErr = toApiError(err);
      if (isConflict(apiErr) || apiErr.code === 'booking_decided') { form.setBusy(false); setConflict(errorText(apiErr)); return; }
      form.refused(apiErr, knownFields(), fieldText);
    }
  }

  // An error goes as soon as its field is right: the form's own checks run again on every change (so their message
  // also follows what is typed), and an error only the server could give goes when its part of the draft changes.
  // No new errors appear while typing: only those of the last send are shown, or fewer.
  const checkedNow = Object.keys(errors).length > 0 ? build() : null;
  const liveErrors = checkedNow && checkedNow.ok === false ? checkedNow.errors : {};
  const err = (f: string): string | undefined => {
    if (!errors[f]) return undefined;
    return liveErrors[f] ?? (partOf(f, d) === partOf(f, sent.draft) ? errors[f] : undefined);
  };
  // "Check the marked fields" goes with the last marked field.
  const shownFormError = formError === t('common.checkFields') && !Object.keys(errors).some((f) => err(f)) ? null : formError;
  return (
    <Dialog title={booking ? t('bookings.form.changeTitle', { reference: booking.reference }) : t('bookings.form.newTitle')} onClose={onClose}
      testId="booking-form" wide closable={!busy}>
      <form ref={form.formRef} className="form form--grid" onSubmit={submit} noValidate>
        {!booking && <p className="hint span-2">{t('bookings.form.intro')}</p>}
        {booking?.status === 'approved' && <p className="banner banner--info span-2">{t('bookings.form.reopenHint')}</p>}
        <Field label={t('bookings.eventName')} error={err('eventName')} className="span-2">
          {(p) => <input {...p} value={d.eventName} onChange={(e) => set('eventName', e.target.value)} autoComplete="off" maxLength={200} autoFocus data-testid="bf-event" />}
        </Field>
        <Field label={t('bookings.address')} error={err('address')} className="span-2">
          {(p) => <input {...p} value={d.address} onChange={(e) => set('address', e.target.value)} autoComplete="off" maxLength={300} data-testid="bf-address" />}
        </Field>
        <Field label={t('bookings.form.lat')} hint={t('bookings.form.latHint')} error={err('location.lat') ?? err('location')}>
          {(p) => <input {...p} inputMode="decimal" value={d.lat} onChange={(e) => set('lat', e.target.value)} autoComplete="off" className="mono" data-testid="bf-lat" />}
        </Field>
        <Field label={t('bookings.form.lon')} hint={t('bookings.form.lonHint')} error={err('location.lon')}>
          {(p) => <input {...p} inputMode="decimal" value={d.lon} onChange={(e) => set('lon', e.target.value)} autoComplete="off" className="mono" data-testid="bf-lon" />}
        </Field>
        <FieldSet legend={t('bookings.riskClass')} error={err('riskClass')} className="fieldset--inline span-2">
          {(['A', 'B', 'C'] as const).map((r) => (
            <label key={r} className="choice">
              <input type="radio" name="riskClass" value={r} checked={d.riskClass === r} onChange={() => set('riskClass', r)} data-testid={`bf-risk-${r}`}
                aria-invalid={err('riskClass') ? true : undefined} />
              {t(`bookings.riskClasses.${r}`)}
            </label>
          ))}
        </FieldSet>

        <WindowsFieldset windows={d.windows} err={err} update={(change) => setD((x) => ({ ...x, windows: change(x.windows) }))} />

        <Field label={t('bookings.unitsWanted')} hint={t('bookings.form.unitsHint')} error={err('unitsWanted')}>
          {(p) => <input {...p} type="number" min={1} max={50} value={d.unitsWanted} onChange={(e) => set('unitsWanted', e.target.value)} data-testid="bf-units" />}
        </Field>
        <Field label={t('bookings.observersWanted')} error={err('observersWanted')}>
          {(p) => <input {...p} type="number" min={0} max={20} value={d.observersWanted} onChange={(e) => set('observersWanted', e.target.value)} data-testid="bf-observers" />}
        </Field>

        <fieldset className="fieldset span-2">
          <legend>{t('bookings.decision')}</legend>
          <p className="hint">{t('bookings.form.decisionHint')}</p>
          <div className="form-row form-row--3">
            <Field label={t('bookings.form.decisionReference')} error={err('decision.reference')}>
              {(p) => <input {...p} value={d.decisionRef} onChange={(e) => set('decisionRef', e.target.value)} autoComplete="off" maxLength={100} data-testid="bf-decision-ref" />}
            </Field>
            <Field label={t('bookings.form.decisionFrom')} error={err('decision.from')}>
              {(p) => <DateTextInput {...p} kind="date" value={d.decisionFrom} onChange={(v) => set('decisionFrom', v)} data-testid="bf-decision-from" />}
            </Field>
            <Field label={t('bookings.form.decisionTo')} error={err('decision.to')}>
              {(p) => <DateTextInput {...p} kind="date" value={d.decisionTo} onChange={(v) => set('decisionTo', v)} data-testid="bf-decision-to" />}
            </Field>
          </div>
        </fieldset>

        <fieldset className="fieldset span-2">
          <legend>{t('bookings.contact')}</legend>
          <div className="form-row form-row--3">
            <Field label={t('bookings.form.contactName')} error={err('contact.name')}>
              {(p) => <input {...p} value={d.contactName} onChange={(e) => set('contactName', e.target.value)} autoComplete="name" maxLength={120} data-testid="bf-contact-name" />}
            </Field>
            <Field label={t('bookings.form.contactPhone')} error={err('contact.phone')}>
              {(p) => <input {...p} type="tel" value={d.contactPhone} onChange={(e) => set('contactPhone', e.target.value)} autoComplete="tel" maxLength={40} data-testid="bf-contact-phone" />}
            </Field>
            <Field label={t('bookings.form.contactEmail')} hint={t('bookings.form.optional')} error={err('contact.email')}>
              {(p) => <input {...p} type="email" value={d.contactEmail} onChange={(e) => set('contactEmail', e.target.value)} autoComplete="email" maxLength={200} data-testid="bf-contact-email" />}
            </Field>
          </div>
        </fieldset>

        <Field label={t('bookings.notes')} hint={t('bookings.form.optional')} className="span-2" error={err('notes')}>
          {(p) => <textarea {...p} rows={3} value={d.notes} onChange={(e) => set('notes', e.target.value)} data-testid="bf-notes" />}
        </Field>

        <ErrorSlot error={shownFormError} className="span-2" testId="booking-form-error">
          {conflict && (
            <div className="banner banner--conflict" data-testid="booking-form-conflict">
              <p><strong>{conflict}</strong></p>
              {onConflict && <button type="button" className="button button--small" onClick={onConflict}>{t('bookings.reload')}</button>}
            </div>
          )}
        </ErrorSlot>
        <FormInfo info={form.info} className="span-2" />
        <FormActions busy={busy} onCancel={onClose} submitLabel={booking ? t('common.save') : t('bookings.form.submit')} submitTestId="booking-form-submit" className="span-2" />
      </form>
    </Dialog>
  );
}

/** The periods of the booking: one row per window (start, end, and which one of a time that happens twice). */
function WindowsFieldset({ windows, err, update }: {
  windows: WindowDraft[];
  err(field: string): string | undefined;
  update(change: (windows: WindowDraft[]) => WindowDraft[]): void;
}) {
  const { t } = useTranslation();
  const setWindow = (i: number, patch: Partial<WindowDraft>) => update((ws) => ws.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  return (
    <fieldset className="fieldset span-2 windows-fieldset">
      <legend>{t('bookings.windows')}</legend>
      <p className="hint">{t('bookings.form.windowsHint')}</p>
      {err('windows') && <p className="field-error" data-field-error>{err('windows')}</p>}
      <ol className="window-rows">
        {windows.map((w, i) => (
          <li key={w.key} className="window-row" data-testid={`window-${i}`}>
            <div className="window-row__fields">
              {(['start', 'end'] as const).map((which) => {
                const value = which === 'start' ? w.start : w.end;
                const offset = which === 'start' ? w.startOffset : w.endOffset;
                const f = `windows.${i}.${which}`;
                return (
                  <div key={which} className="window-row__field">
                    <Field label={t(which === 'start' ? 'bookings.form.windowStart' : 'bookings.form.windowEnd', { n: i + 1 })} error={err(f)}>
                      {(p) => <DateTextInput {...p} kind="dateTime" value={value} data-testid={`window-${i}-${which}`}
                        onChange={(v) => setWindow(i, which === 'start' ? { start: v, startOffset: '' } : { end: v, endOffset: '' })} />}
                    </Field>
                    {value && isAmbiguous(value) && (
                      <FieldSet legend={t('bookings.form.ambiguousLegend', { time: value.slice(11, 16) })} className="fieldset--inline ambiguous-choice">
                        {(['+02:00', '+01:00'] as const).map((o) => (
                          <label key={o} className="choice">
                            <input type="radio" name={`offset-${w.key}-${which}`} checked={offset === o} data-testid={`window-${i}-${which}-${o === '+02:00' ? 'first' : 'second'}`}
                              onChange={() => setWindow(i, which === 'start' ? { startOffset: o } : { endOffset: o })} />
                            {t(o === '+02:00' ? 'bookings.form.offsetFirst' : 'bookings.form.offsetSecond')}
                          </label>
                        ))}
                      </FieldSet>
                    )}
                  </div>
                );
              })}
              {windows.length > 1 && (
                <button type="button" className="button button--small button--quiet window-row__remove" data-testid={`window-${i}-remove`}
                  onClick={() => update((ws) => ws.filter((_, j) => j !== i))}>
                  {t('bookings.form.removeWindow', { n: i + 1 })}
                </button>
              )}
            </div>
            {err(`windows.${i}`) && <p className="field-error" data-field-error>{err(`windows.${i}`)}</p>}
          </li>
        ))}
      </ol>
      <button type="button" className="button button--small" onClick={() => update((ws) => [...ws, emptyWindow()])}
        disabled={windows.length >= 20} data-testid="window-add">{t('bookings.form.addWindow')}</button>
    </fieldset>
  );
}
