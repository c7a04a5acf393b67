// The shift log beside the wall: start a shift with the cameras on the wall, keep hand-over notes, end it. The notes
// of the previous shift are shown to whoever starts the next. A shift report (incidents, alerts, response times) is
// a CSV or PDF download.
import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Shift } from '../../../server/reports/schema';
import { api, downloads } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { useErrorText } from '../components/errors';
import { ErrorSlot, NoticeSlot } from '../components/Slots';
import { formatClock, formatDateTime } from '../format';

export function ShiftPanel({ cameraIds }: { cameraIds: string[] }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const headingId = useId();
  const [current, setCurrent] = useState<Shift | null | undefined>(undefined);
  const [previous, setPrevious] = useState<Shift | null>(null);
  const [ended, setEnded] = useState<Shift | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [handover, setHandover] = useState(false);

  const load = useCallback(async () => {
    try {
      const [cur, recent] = await Promise.all([api.currentShift(), api.shifts({ scope: 'all', limit: 10 })]);
      setCurrent(cur);
      setPrevious(recent.find((s) => s.endedAt && s.handoverNotes.trim()) ?? null);
      setError(null);
    } catch (e) { setError(toApiError(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true); setError(null);
    try { await fn(); } catch (e) { setError(toApiError(e)); } finally { setBusy(false); }
  };
  const start = () => run(async () => { setCurrent(await api.startShift(cameraIds)); setEnded(null); });
  const wallDiffers = !!current && [...current.cameraIds].sort().join(',') !== [...cameraIds].sort().join(',');

  return (
    <section className="panel shift-panel" aria-labelledby={headingId} data-testid="shift-panel">
      <h2 id={headingId}>{t('shift.title')}</h2>
      {error && <p className="banner banner--error" role="alert">{errorText(error)}</p>}
      {current === undefined && !error && <p className="muted">{t('common.loading')}</p>}
      {current === null && (
        <>
          <p className="muted" data-testid="shift-state">{t('shift.none')}</p>
          {previous && (
            <div className="handover" data-testid="shift-previous-handover">
              <p className="handover__from">{t('shift.previousHandover', { name: previous.userName, time: formatDateTime(previous.endedAt!, lng) })}</p>
              <p className="user-text">{previous.handoverNotes}</p>
            </div>
          )}
          <div className="actions actions--start">
            <button type="button" className="button button--primary button--small" onClick={() => void start()} disabled={busy} data-testid="shift-start">
              {t('shift.start', { count: cameraIds.length })}
            </button>
            {ended && <a className="button button--small button--quiet" href={downloads.shiftReportCsv(ended.id)} download>{t('shift.reportCsv')}</a>}
            {ended && <a className="button button--small button--quiet" href={downloads.shiftReportPdf(ended.id, lng)} download data-testid="shift-report-pdf">{t('shift.reportPdf')}</a>}
          </div>
        </>
      )}
      {current && (
        <>
          <p data-testid="shift-state">
            {t('shift.running', { time: formatClock(new Date(current.startedAt), lng), count: current.cameraIds.length })}
          </p>
          <div className="actions actions--start">
            <button type="button" className="button button--small" onClick={() => setHandover(true)} disabled={busy} data-testid="shift-handover">
              {t('shift.handover')}
            </button>
            {wallDiffers && (
              <button type="button" className="button button--small button--quiet" disabled={busy}
                onClick={() => void run(async () => setCurrent(await api.updateShift(current.id, { cameraIds })))}>
                {t('shift.takeWall', { count: cameraIds.length })}
              </button>
            )}
            <a className="button button--small button--quiet" href={downloads.shiftReportCsv(current.id)} download>{t('shift.reportCsv')}</a>
            <a className="button button--small button--quiet" href={downloads.shiftReportPdf(current.id, lng)} download data-testid="shift-report-pdf">{t('shift.reportPdf')}</a>
          </div>
        </>
      )}
      {handover && current && (
        <HandoverDialog shift={current} onClose={() => setHandover(false)} onSaved={setCurrent}
          onEnded={(s) => { setCurrent(null); setEnded(s); setHandover(false); void load(); }} />
      )}
    </section>
  );
}

function HandoverDialog({ shift, onClose, onSaved, onEnded }: { shift: Shift; onClose(): void; onSaved(s: Shift): void; onEnded(s: Shift): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [notes, setNotes] = useState(shift.handoverNotes);
  const [busy, setBusy] = useState<null | 'save' | 'end'>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const tooLong = notes.length > 10_000;
  const run = async (kind: 'save' | 'end') => {
    if (tooLong) return;
    setBusy(kind); setError(null); setSaved(false);
    try {
      if (kind === 'save') { onSaved(await api.updateShift(shift.id, { handoverNotes: notes })); setSaved(true); }
      else onEnded(await api.endShift(shift.id, notes));
    } catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(null); }
  };
  return (
    <Dialog title={t('shift.handoverTitle')} onClose={onClose} closable={busy === null} testId="shift-handover-dialog">
      <Field label={t('shift.notes')} hint={t('shift.notesHint')} error={tooLong ? t('shift.notesTooLong') : undefined}>
        {(c) => <textarea {...c} rows={6} value={notes} onChange={(e) => { setNotes(e.target.value); setSaved(false); }} autoFocus data-testid="shift-notes" />}
      </Field>
      <NoticeSlot notice={saved ? t('shift.notesSaved') : null} />
      <ErrorSlot error={error} />
      <div className="actions">
        <button type="button" className="button" onClick={() => void run('save')} disabled={busy !== null || tooLong}>{t('shift.saveNotes')}</button>
        <button type="button" className="button button--primary" onClick={() => void run('end')} disabled={busy !== null || tooLong} data-testid="shift-end">
          {busy === 'end' ? t('common.working') : t('shift.end')}
        </button>
      </div>
    </Dialog>
  );
}
