// The observers' roster for the period the calendar shows: who is planned in the room when (capacity counts
// observers rostered over a whole window). Add an observer (Amsterdam wall clock) or remove an entry.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RosterEntry } from '../../../server/bookings/schema';
import type { RosterObserver } from '../../../server/bookings/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { DateTextInput } from '../components/DateTextInput';
import { Field } from '../components/Field';
import { ErrorSlot } from '../components/Slots';
import { parseDateText } from '../dateText';
import { useBookingErrorText } from './parts';
import { windowText } from './time';

interface Props { from: string; to: string; title: string; onChanged(): void }

export function RosterPanel({ from, to, title, onChanged }: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useBookingErrorText();
  const headingId = useId();
  const [entries, setEntries] = useState<RosterEntry[] | null>(null);
  const [observers, setObservers] = useState<RosterObserver[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [userId, setUserId] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const formRef = useRef<HTMLFormElement>(null);

  const load = useCallback(async () => {
    try { setEntries(await api.roster(from, to)); setLoadError(null); } catch (e) { setLoadError(errorText(toApiError(e))); }
  }, [from, to, errorText]);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => { api.rosterObservers().then(setObservers, (e) => setLoadError(errorText(toApiError(e)))); }, [errorText]);

  async function add(e: FormEvent) {
    e.preventDefault();
    const out: Record<string, string> = {};
    if (!userId) out.userId = t('roster.chooseObserver');
    if (!parseDateText(start, 'dateTime')) out.start = t('bookings.form.errors.dateTime');
    if (!parseDateText(end, 'dateTime')) out.end = t('bookings.form.errors.dateTime');
    setErrors(out); setFormError(null);
    if (Object.keys(out).length) { formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(); return; }
    setBusy(true);
    try {
      const entry = await api.addRoster({ userId, start, end });
      setAnnouncement(t('roster.added', { name: entry.displayName }));
      setStart(''); setEnd('');
      await load();
      onChanged();
    } catch (err) {
      const apiErr = toApiError(err);
      const f = apiErr.field && ['userId', 'start', 'end'].includes(apiErr.field) ? apiErr.field : null;
      if (f) setErrors({ [f]: errorText(apiErr) }); else setFormError(errorText(apiErr));
    } finally { setBusy(false); }
  }

  async function remove(entry: RosterEntry) {
    setFormError(null);
    try {
      await api.removeRoster(entry.id);
      setAnnouncement(t('roster.removed', { name: entry.displayName }));
      await load();
      onChanged();
    } catch (err) { setFormError(errorText(toApiError(err))); }
  }

  return (
    <section className="panel roster" aria-labelledby={headingId} data-testid="roster">
      <h2 id={headingId}>{t('roster.title', { period: title })}</h2>
      <p className="visually-hidden" role="status" aria-live="polite">{announcement}</p>
      {loadError && <p className="banner banner--error" role="alert">{loadError}</p>}
      {entries && entries.length === 0 && <p className="empty">{t('roster.none')}</p>}
      {entries && entries.length > 0 && (
        <table className="table table--dense" data-testid="roster-table">
          <thead><tr><th scope="col">{t('roster.observer')}</th><th scope="col">{t('roster.when')}</th><th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th></tr></thead>
          <tbody>
            {entries.map((r) => (
              <tr key={r.id} data-testid={`roster-entry-${r.id}`} data-user-id={r.userId}>
                <td>{r.displayName}</td>
                <td className="mono">{windowText(r, i18n.language)}</td>
                <td><button type="button" className="button button--small button--quiet" onClick={() => void remove(r)}
                  aria-label={t('roster.remove', { name: r.displayName, when: windowText(r, i18n.language) })} data-testid="roster-remove">{t('roster.removeShort')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form ref={formRef} className="roster__form" onSubmit={add} noValidate aria-label={t('roster.add')}>
        <Field label={t('roster.observer')} error={errors.userId}>
          {(p) => (
            <select {...p} value={userId} onChange={(e) => setUserId(e.target.value)} data-testid="roster-observer">
              <option value="">{t('roster.chooseObserver')}</option>
              {observers.map((o) => <option key={o.userId} value={o.userId}>{o.displayName}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('roster.start')} error={errors.start}>
          {(p) => <DateTextInput {...p} kind="dateTime" value={start} onChange={setStart} data-testid="roster-start" />}
        </Field>
        <Field label={t('roster.end')} error={errors.end}>
          {(p) => <DateTextInput {...p} kind="dateTime" value={end} onChange={setEnd} data-testid="roster-end" />}
        </Field>
        <button type="submit" className="button" disabled={busy} data-testid="roster-add">{busy ? t('common.working') : t('roster.add')}</button>
      </form>
      <ErrorSlot error={formError} />
    </section>
  );
}
