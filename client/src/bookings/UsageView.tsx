// Usage per municipality per month, for cost sharing: per booking the booked hours, the hours actually supervised,
// incidents and alerts; totals per municipality; the same as CSV and PDF. A municipality user sees its own (the
// server scopes it); a supervisor all, or one municipality.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { monthSchema, type Usage } from '../../../server/bookings/schema';
import type { Municipality } from '../../../server/cameras/schema';
import { api, downloads } from '../api/endpoints';
import { toApiError } from '../api/http';
import { DateTextInput } from '../components/DateTextInput';
import { ErrorSlot } from '../components/Slots';
import { useSession } from '../session/SessionContext';
import { useBookingErrorText } from './parts';
import { thisMonth } from './time';

export function UsageView() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const errorText = useBookingErrorText();
  const monthId = useId();
  const muniId = useId();
  const all = me.role !== 'municipality';
  const [month, setMonth] = useState(() => thisMonth());
  const [municipality, setMunicipality] = useState('');
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [shown, setShown] = useState<{ month: string; municipality: string } | null>(null);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fmt = (n: number) => n.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'nl-NL', { maximumFractionDigits: 2 });

  useEffect(() => {
    if (!all) return;
    api.municipalities().then(setMunicipalities, () => { /* the filter then offers "all" only */ });
  }, [all]);

  const load = useCallback(async (m: string, muni: string) => {
    setBusy(true); setError(null);
    try { setUsage(await api.usage(m, muni || undefined)); setShown({ month: m, municipality: muni }); } catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(false); }
  }, [errorText]);
  useEffect(() => { void load(month, municipality); }, []); // the current month once; after that the form decides

  const valid = monthSchema.safeParse(month).success;
  const submit = (e: FormEvent) => { e.preventDefault(); if (valid) void load(month, municipality); };
  const muniParam = municipality || undefined;

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.usage')}</h1>
      <p className="muted">{t(all ? 'usage.introAll' : 'usage.intro')}</p>
      <form className="toolbar" onSubmit={submit} aria-label={t('usage.filter')}>
        <div className="field">
          <label htmlFor={monthId}>{t('usage.month')}</label>
          <DateTextInput id={monthId} kind="month" value={month} onChange={setMonth} aria-invalid={valid ? undefined : true} data-testid="usage-month" />
        </div>
        {all && (
          <div className="field">
            <label htmlFor={muniId}>{t('bookings.municipality')}</label>
            <select id={muniId} value={municipality} onChange={(e) => setMunicipality(e.target.value)} data-testid="usage-municipality">
              <option value="">{t('usage.allMunicipalities')}</option>
              {municipalities.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
            </select>
          </div>
        )}
        <button type="submit" className="button button--primary" disabled={busy || !valid} data-testid="usage-show">{t('usage.show')}</button>
        {valid
          ? (
            <>
              <a className="button" href={downloads.usage(month, 'csv', muniParam)} download data-testid="usage-csv">{t('usage.csv')}</a>
              <a className="button" href={downloads.usage(month, 'pdf', muniParam)} download data-testid="usage-pdf">{t('usage.pdf')}</a>
            </>
          )
          : <span className="field-error">{t('usage.monthInvalid')}</span>}
      </form>
      <ErrorSlot error={error} />
      {!usage && !error && <p className="muted">{t('common.loading')}</p>}
      {usage && shown && (
        <div className="usage" data-testid="usage" aria-busy={busy} data-month={usage.month}>
          <section className="panel table-wrap">
            <h2 className="panel__title">{t('usage.perBooking', { month: usage.month })}</h2>
            {usage.rows.length === 0
              ? <p className="empty panel__intro">{t('usage.none')}</p>
              : (
                <table className="table table--dense" data-testid="usage-rows">
                  <thead>
                    <tr>
                      <th scope="col">{t('bookings.reference')}</th>
                      {all && <th scope="col">{t('bookings.municipality')}</th>}
                      <th scope="col">{t('bookings.eventName')}</th>
                      <th scope="col">{t('usage.risk')}</th>
                      <th scope="col" className="num">{t('usage.windows')}</th>
                      <th scope="col" className="num">{t('usage.units')}</th>
                      <th scope="col" className="num">{t('usage.bookedHours')}</th>
                      <th scope="col" className="num">{t('usage.supervisedHours')}</th>
                      <th scope="col" className="num">{t('usage.incidents')}</th>
                      <th scope="col" className="num">{t('usage.alerts')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {usage.rows.map((r) => (
                      <tr key={r.bookingId} data-testid={`usage-row-${r.reference}`}>
                        <td className="mono nowrap">{r.reference}</td>
                        {all && <td>{r.municipalityName}</td>}
                        <td>{r.eventName}</td>
                        <td>{r.riskClass}</td>
                        <td className="num">{r.windows}</td>
                        <td className="num">{r.units}</td>
                        <td className="num" data-testid="usage-booked">{fmt(r.bookedHours)}</td>
                        <td className="num" data-testid="usage-supervised">{fmt(r.supervisedHours)}</td>
                        <td className="num">{r.incidents}</td>
                        <td className="num">{r.alerts}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
          </section>
          <section className="panel table-wrap">
            <h2 className="panel__title">{t('usage.totals')}</h2>
            {usage.totals.length === 0
              ? <p className="empty panel__intro">{t('usage.none')}</p>
              : (
                <table className="table table--dense" data-testid="usage-totals">
                  <thead>
                    <tr>
                      <th scope="col">{t('bookings.municipality')}</th>
                      <th scope="col" className="num">{t('usage.bookings')}</th>
                      <th scope="col" className="num">{t('usage.bookedHours')}</th>
                      <th scope="col" className="num">{t('usage.supervisedHours')}</th>
                      <th scope="col" className="num">{t('usage.incidents')}</th>
                      <th scope="col" className="num">{t('usage.alerts')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {usage.totals.map((m) => (
                      <tr key={m.municipalityId}>
                        <th scope="row">{m.municipalityName}</th>
                        <td className="num">{m.bookings}</td>
                        <td className="num">{fmt(m.bookedHours)}</td>
                        <td className="num">{fmt(m.supervisedHours)}</td>
                        <td className="num">{m.incidents}</td>
                        <td className="num">{m.alerts}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
          </section>
        </div>
      )}
    </>
  );
}
