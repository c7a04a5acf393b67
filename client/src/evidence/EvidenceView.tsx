// "Bewijs" for observers and supervisors: every preserved item, live (state, progress per clip, hashes when ready,
// legal hold). Supervisors end a legal hold with a reason.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EvidenceItem } from '../../../server/evidence/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { useErrorText } from '../components/errors';
import { Field, FormActions } from '../components/Field';
import { useCan } from '../session/SessionContext';
import { ClipLine, EvidenceStateBadge, ItemSummary, PublicKeyNote } from './parts';
import { useLiveEvidence } from './useLiveEvidence';

export function EvidenceView() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const can = useCan();
  const feed = useLiveEvidence({ limit: 100 });
  const [releasing, setReleasing] = useState<EvidenceItem | null>(null);
  // Opened from an incident (#/evidence/<id>): bring that item into view once the list is there.
  const [focusId] = useState(() => /^#\/evidence\/([0-9a-f-]{36})$/i.exec(window.location.hash)?.[1] ?? null);
  const loaded = !!feed.items;
  useEffect(() => {
    if (!focusId || !loaded) return;
    const el = document.querySelector<HTMLElement>(`[data-evidence-id="${focusId}"]`);
    el?.scrollIntoView({ block: 'start' });
    el?.focus();
  }, [focusId, loaded]);
  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.evidence')}</h1>
      <p className="muted">{t('evidence.roomIntro')}</p>
      {feed.error && <p className="banner banner--error">{errorText(feed.error)}</p>}
      {!feed.items && !feed.error && <p className="muted" role="status">{t('common.loading')}</p>}
      {feed.items?.length === 0 && <p className="empty">{t('evidence.none')}</p>}
      <ul className="evidence-list" data-testid="evidence-list">
        {feed.items?.map((item) => (
          <li key={item.id} className="panel evidence-item" data-testid={`evidence-${item.number}`} data-evidence-id={item.id} data-state={item.state}
            tabIndex={item.id === focusId ? -1 : undefined} aria-current={item.id === focusId ? 'true' : undefined}>
            <div className="evidence-item__head">
              <h2>{t('evidence.itemTitle', { number: item.number })}</h2>
              <EvidenceStateBadge state={item.state} />
              {item.legalHold && <span className="badge badge--permanent">{t('evidence.holdBadge')}</span>}
              {can('evidence.release') && item.legalHold && (
                <button type="button" className="button button--small" onClick={() => setReleasing(item)} data-testid="evidence-release">{t('evidence.release')}</button>
              )}
              {can('evidence.preserve') && item.state === 'failed' && (
                <button type="button" className="button button--small" onClick={() => { void api.retryEvidence(item.id).then(feed.upsert, () => { /* the list shows the state */ }); }}>{t('evidence.retry')}</button>
              )}
            </div>
            <ItemSummary item={item} />
            <ul className="clips">{item.clips.map((c) => <ClipLine key={c.id} clip={c} />)}</ul>
          </li>
        ))}
      </ul>
      <PublicKeyNote />
      {releasing && <ReleaseDialog item={releasing} onDone={(i) => { feed.upsert(i); setReleasing(null); }} onClose={() => setReleasing(null)} />}
    </>
  );
}

function ReleaseDialog({ item, onDone, onClose }: { item: EvidenceItem; onDone(i: EvidenceItem): void; onClose(): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (reason.trim().length < 3) { setError(t('preserve.reasonRequired')); return; }
    setBusy(true); setError(null);
    try { onDone(await api.releaseEvidence(item.id, reason.trim())); } catch (err) { setError(errorText(toApiError(err))); } finally { setBusy(false); }
  }
  return (
    <Dialog title={t('evidence.releaseTitle', { number: item.number })} onClose={onClose} closable={!busy} role="alertdialog" testId="release-dialog">
      <form className="form" onSubmit={submit} noValidate>
        <p>{t('evidence.releaseText')}</p>
        <Field label={t('evidence.releaseReason')} error={error ?? undefined}>
          {(c) => <textarea {...c} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus data-testid="release-reason" />}
        </Field>
        <FormActions busy={busy} onCancel={onClose} submitLabel={t('evidence.release')} submitTestId="release-confirm" danger />
      </form>
    </Dialog>
  );
}
