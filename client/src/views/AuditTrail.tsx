// The audit trail: read-only, newest first, paged with "before" (the id below which the next page starts).
// Admins also verify the hash chain here.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, type AuditEntry, type ChainReport } from '../api/endpoints';
import { auditActionCodes, isAuditAction } from '../../../server/audit/schema';
import { toApiError, type ApiError } from '../api/http';
import { useErrorText } from '../components/errors';
import { ErrorSlot } from '../components/Slots';
import { formatDateTime } from '../format';
import { useCan } from '../session/SessionContext';

const PAGE_SIZE = 50;

function actionLabel(t: TFunction, action: string): string {
  return isAuditAction(action) ? t(`audit.actions.${action}`) : action;
}

/** The subject as people name it (camera name, incident #, BK-… reference, evidence #); its id on hover. */
function Subject({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  if (!entry.subject) return null;
  if (!entry.subjectKind || entry.subjectLabel === null) return <span className="mono" data-testid="audit-subject">{entry.subject}</span>;
  const text = t(`audit.subjects.${entry.subjectKind}`, { label: entry.subjectLabel });
  if (entry.subjectLabel === entry.subject) return <span data-testid="audit-subject">{text}</span>;
  return <span title={t('audit.idOnHover', { id: entry.subject })} data-subject-id={entry.subject} data-testid="audit-subject">{text}</span>;
}

/** A row that stands for several refusals folded into one (server/live/publish-refusals.ts): how many, and when. */
function folded(details: Record<string, unknown>): { count: number; firstAt: string; lastAt: string } | null {
  const { count, firstAt, lastAt } = details;
  return typeof count === 'number' && typeof firstAt === 'string' && typeof lastAt === 'string' ? { count, firstAt, lastAt } : null;
}

function detailsText(details: Record<string, unknown>): string {
  const shownApart = folded(details) ? ['count', 'firstAt', 'lastAt'] : [];
  return Object.entries(details)
    .filter(([k]) => !shownApart.includes(k))
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : JSON.stringify(v)}`)
    .join(' · ');
}

export function AuditTrail() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const can = useCan();
  const filterId = useId();
  const listId = useId();
  const [rows, setRows] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  // The cursors of the pages before this one: [undefined] is the newest page.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [actionInput, setActionInput] = useState('');
  const [action, setAction] = useState('');
  const before = cursors[cursors.length - 1];

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setRows(await api.audit({ limit: PAGE_SIZE, before, action: action || undefined }));
      setError(null);
    } catch (e) { setError(toApiError(e)); } finally { setLoading(false); }
  }, [before, action]);
  useEffect(() => { void load(); }, [load]);

  const lastId = rows && rows.length ? rows[rows.length - 1]!.id : undefined;
  const hasOlder = !!rows && rows.length === PAGE_SIZE && lastId !== undefined && lastId > 1;

  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    setAction(actionInput.trim());
    setCursors([undefined]);
  };

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.audit')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      {can('audit.verify') && <ChainCheck />}
      <div className="toolbar">
        <form className="inline-form" onSubmit={applyFilter} role="search" aria-label={t('audit.filterLabel')}>
          <div className="field">
            <label htmlFor={filterId}>{t('audit.filter')}</label>
            <input id={filterId} list={listId} value={actionInput} onChange={(e) => setActionInput(e.target.value)} autoComplete="off" spellCheck={false}
              className="mono" data-testid="audit-filter" />
            <datalist id={listId}>
              {auditActionCodes.map((a) => <option key={a} value={a}>{actionLabel(t, a)}</option>)}
            </datalist>
          </div>
          <button type="submit" className="button">{t('audit.applyFilter')}</button>
          {action && <button type="button" className="button button--quiet" onClick={() => { setActionInput(''); setAction(''); setCursors([undefined]); }}>{t('audit.clearFilter')}</button>}
        </form>
        <button type="button" className="button" onClick={() => void load()} disabled={loading}>{t('audit.refresh')}</button>
      </div>
      <ErrorSlot error={error && errorText(error)} />
      {!rows && !error && <p className="muted">{t('common.loading')}</p>}
      {rows && (
        <div className="panel table-wrap">
          <table className="table table--dense" data-testid="audit-table" aria-busy={loading}>
            <caption className="visually-hidden">{t('audit.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.subject')}</th>
                <th scope="col">{t('audit.details')}</th>
                <th scope="col">{t('audit.address')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid={`audit-${r.id}`} data-action={r.action}>
                  <td className="mono">{r.id}</td>
                  <td className="nowrap">{formatDateTime(r.at, i18n.language)}</td>
                  <td>{r.actor ?? <span className="muted">{t('audit.system')}</span>}</td>
                  <td>
                    <span className={`action action--${r.action.split('.')[0]}`}>{actionLabel(t, r.action)}</span>
                    <FoldedCount details={r.details} />
                    <span className="sub mono">{r.action}</span>
                  </td>
                  <td><Subject entry={r} /></td>
                  <td className="details">{detailsText(r.details)}</td>
                  <td className="mono">{r.remoteAddr ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="empty">{t('audit.empty')}</p>}
        </div>
      )}
      <nav className="pager" aria-label={t('audit.paging')}>
        <button type="button" className="button" disabled={cursors.length < 2 || loading} onClick={() => setCursors([undefined])}>{t('audit.newest')}</button>
        <button type="button" className="button" disabled={cursors.length < 2 || loading} onClick={() => setCursors((c) => c.slice(0, -1))}>{t('audit.newer')}</button>
        <span className="muted" aria-live="polite">{t('audit.page', { page: cursors.length })}</span>
        <button type="button" className="button" disabled={!hasOlder || loading} onClick={() => setCursors((c) => [...c, lastId])} data-testid="audit-older">{t('audit.older')}</button>
      </nav>
    </>
  );
}

function FoldedCount({ details }: { details: Record<string, unknown> }) {
  const { t, i18n } = useTranslation();
  const f = folded(details);
  if (!f) return null;
  return <span className="sub" data-testid="audit-folded">{t('audit.repeated', { count: f.count, first: formatDateTime(f.firstAt, i18n.language), last: formatDateTime(f.lastAt, i18n.language) })}</span>;
}

function ChainCheck() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ChainReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function verify() {
    setBusy(true);
    setError(null);
    try { setReport(await api.verifyAudit()); } catch (e) { setReport(null); setError(toApiError(e)); } finally { setBusy(false); }
  }

  return (
    <section className="panel chain-check" aria-label={t('audit.verifyTitle')}>
      <button type="button" className="button button--primary" onClick={() => void verify()} disabled={busy} data-testid="audit-verify">
        {busy ? t('audit.verifying') : t('audit.verify')}
      </button>
      <div role="status" aria-live="polite" data-testid="audit-verify-result">
        {report?.ok && <p className="banner banner--ok">{t('audit.chainOk', { count: report.rows })}</p>}
        {report && !report.ok && (
          <p className="banner banner--error">
            {report.firstBroken
              ? t('audit.chainBroken', { id: report.firstBroken.id, reason: t(`audit.reasons.${report.firstBroken.reason}`), count: report.rows })
              : t('audit.chainBrokenUnknown')}
          </p>
        )}
        {error && <p className="banner banner--error">{errorText(error)}</p>}
      </div>
    </section>
  );
}
