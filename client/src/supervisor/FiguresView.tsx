// Figures for supervisors: incidents per night, per municipality and per category, and the dispatch response times
// (the room: key press → raised; the dispatch centre: raised → acknowledged → on scene), for a date range; the same as a
// CSV download.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { figuresQuerySchema, type Figures } from '../../../server/reports/schema';
import { api, downloads } from '../api/endpoints';
import { toApiError } from '../api/http';
import { DateTextInput } from '../components/DateTextInput';
import { useErrorText } from '../components/errors';
import { ErrorSlot } from '../components/Slots';
import { parseDateText } from '../dateText';
import { nameIn, TIME_ZONE } from '../format';

/** A calendar day in the room's time zone, as YYYY-MM-DD. */
function dayIn(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export function FiguresView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const fromId = useId();
  const toId = useId();
  const [from, setFrom] = useState(() => dayIn(new Date(Date.now() - 6 * 86_400_000)));
  const [to, setTo] = useState(() => dayIn(new Date()));
  const [shown, setShown] = useState<{ from: string; to: string } | null>(null);
  const [figures, setFigures] = useState<Figures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const valid = figuresQuerySchema.safeParse({ from, to });
  const rangeError = !parseDateText(from, 'date') || !parseDateText(to, 'date') ? t('figures.errors.date')
    : valid.success ? null : t(valid.error.issues[0]?.path[0] === 'to' ? 'figures.errors.tooLong' : 'figures.errors.order');

  const load = useCallback(async (f: string, tt: string) => {
    setBusy(true); setError(null);
    try { setFigures(await api.figures(f, tt)); setShown({ from: f, to: tt }); } catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(false); }
  }, [errorText]);
  useEffect(() => { void load(from, to); }, []); // the default range once; after that the form decides

  const submit = (e: FormEvent) => { e.preventDefault(); if (!rangeError) void load(from, to); };
  const secs = (s: number | null) => (s === null ? t('focus.none') : s < 120 ? t('figures.seconds', { s: Math.round(s) }) : t('figures.minutes', { m: (s / 60).toFixed(1) }));

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.figures')}</h1>
      <p className="muted">{t('figures.intro')}</p>
      <form className="toolbar" onSubmit={submit} aria-label={t('figures.range')}>
        <div className="field">
          <label htmlFor={fromId}>{t('figures.from')}</label>
          <DateTextInput id={fromId} kind="date" value={from} onChange={setFrom} aria-invalid={rangeError ? true : undefined} data-testid="figures-from" />
        </div>
        <div className="field">
          <label htmlFor={toId}>{t('figures.to')}</label>
          <DateTextInput id={toId} kind="date" value={to} onChange={setTo} aria-invalid={rangeError ? true : undefined} data-testid="figures-to" />
        </div>
        <button type="submit" className="button button--primary" disabled={busy || !!rangeError} data-testid="figures-show">{t('figures.show')}</button>
        {rangeError
          ? <span className="field-error">{rangeError}</span>
          : <a className="button" href={downloads.figuresCsv(from, to)} download data-testid="figures-csv">{t('figures.csv')}</a>}
      </form>
      <ErrorSlot error={error} />
      {!figures && !error && <p className="muted">{t('common.loading')}</p>}
      {figures && shown && (
        <div className="figures" data-testid="figures" aria-busy={busy}>
          <section className="panel">
            <h2>{t('figures.response')}</h2>
            <table className="table table--dense">
              <thead><tr><th scope="col"></th><th scope="col">{t('figures.count')}</th><th scope="col">{t('figures.median')}</th><th scope="col">{t('figures.p90')}</th></tr></thead>
              <tbody>
                {(['tagToRaise', 'raiseToAck', 'ackToOnScene'] as const).map((k) => (
                  <tr key={k} data-testid={`figures-response-${k}`}>
                    <th scope="row">{t(`figures.${k}`)}</th><td>{figures.response[k].count}</td><td>{secs(figures.response[k].medianSeconds)}</td><td>{secs(figures.response[k].p90Seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel">
            <h2>{t('figures.perNight')}</h2>
            <p className="hint">{t('figures.nightHint')}</p>
            <table className="table table--dense" data-testid="figures-nights">
              <thead><tr><th scope="col">{t('figures.night')}</th><th scope="col">{t('figures.incidents')}</th><th scope="col">{t('figures.alerts')}</th></tr></thead>
              <tbody>{figures.perNight.map((n) => <tr key={n.night}><td className="mono nowrap">{n.night}</td><td><Bar value={n.incidents} max={maxOf(figures.perNight.map((x) => x.incidents))} /></td><td>{n.alerts}</td></tr>)}</tbody>
            </table>
            {figures.perNight.length === 0 && <p className="empty">{t('figures.none')}</p>}
          </section>
          <section className="panel">
            <h2>{t('figures.perMunicipality')}</h2>
            <table className="table table--dense">
              <thead><tr><th scope="col">{t('camera.municipality')}</th><th scope="col">{t('figures.incidents')}</th></tr></thead>
              <tbody>{figures.perMunicipality.map((m) => <tr key={m.municipalityId}><td>{m.name}</td><td><Bar value={m.incidents} max={maxOf(figures.perMunicipality.map((x) => x.incidents))} /></td></tr>)}</tbody>
            </table>
            {figures.perMunicipality.length === 0 && <p className="empty">{t('figures.none')}</p>}
          </section>
          <section className="panel">
            <h2>{t('figures.perCategory')}</h2>
            <table className="table table--dense">
              <thead><tr><th scope="col">{t('incident.category')}</th><th scope="col">{t('figures.incidents')}</th></tr></thead>
              <tbody>{figures.perCategory.map((c) => (
                <tr key={c.categoryId}><td>{nameIn(c, lng)}<span className="sub">{c.topLevel}</span></td><td><Bar value={c.incidents} max={maxOf(figures.perCategory.map((x) => x.incidents))} /></td></tr>
              ))}</tbody>
            </table>
            {figures.perCategory.length === 0 && <p className="empty">{t('figures.none')}</p>}
          </section>
        </div>
      )}
    </>
  );
}

const maxOf = (xs: number[]) => Math.max(1, ...xs);

/** A number with a quiet bar behind it (the number is what is read; the bar is for the eye). */
function Bar({ value, max }: { value: number; max: number }) {
  return (
    <span className="bar">
      <span className="bar__fill" style={{ width: `${Math.round((value / max) * 100)}%` }} aria-hidden="true" />
      <span className="bar__value">{value}</span>
    </span>
  );
}
