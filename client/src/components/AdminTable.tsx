// The admin views' frame (cameras, users): a title, a toolbar, the notice and error slots, loading and retry, and a
// table of records with a row of actions per record. The busy flag, notice and error of the actions are useAdminActions.
import { useCallback, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toApiError, type ApiError } from '../api/http';
import { useErrorText } from './errors';
import { ErrorSlot, NoticeSlot } from './Slots';

interface ViewProps {
  title: string;
  toolbar: ReactNode;
  notice: string | null;
  noticeTestId: string;
  /** What the last action failed with (shown before a load error). */
  actionError: string | null;
  loadError: ApiError | null;
  onRetry(): void;
  /** The records are there (else, without a load error, "loading"). */
  loaded: boolean;
  /** The table (when loaded) and the view's dialogs. */
  children: ReactNode;
}

export function AdminView({ title, toolbar, notice, noticeTestId, actionError, loadError, onRetry, loaded, children }: ViewProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <>
      <h1 tabIndex={-1} className="view-title">{title}</h1>
      <div className="toolbar">{toolbar}</div>
      <NoticeSlot notice={notice} testId={noticeTestId} />
      <ErrorSlot error={actionError ?? (loadError && errorText(loadError))} />
      {loadError && <button type="button" className="button" onClick={onRetry}>{t('common.retry')}</button>}
      {!loaded && !loadError && <p className="muted">{t('common.loading')}</p>}
      {children}
    </>
  );
}

interface TableProps {
  testId: string;
  /** For screen readers: what the table lists. */
  caption: string;
  columns: string[];
  /** The rows (<tr>). */
  children: ReactNode;
  /** Under the table, e.g. "no match". */
  after?: ReactNode;
}

export function AdminTable({ testId, caption, columns, children, after }: TableProps) {
  return (
    <div className="panel table-wrap">
      <table className="table" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => <th key={i} scope="col">{c}</th>)}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {after}
    </div>
  );
}

/** A row's action button: the visible verb, and for screen readers the record it acts on. */
export function RowAction({ label, name, onClick, disabled }: { label: string; name: string; onClick(): void; disabled?: boolean }) {
  return (
    <button type="button" className="button button--small" onClick={onClick} disabled={disabled}>
      {label}<span className="visually-hidden"> {name}</span>
    </button>
  );
}

/** One action at a time: busy while it runs, its failure in actionError; notice says what the last one did. */
export function useAdminActions() {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    try { await action(); } catch (e) { setActionError(errorText(toApiError(e))); } finally { setBusy(false); }
  }, [errorText]);
  return { busy, actionError, setActionError, notice, setNotice, run };
}
