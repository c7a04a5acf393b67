// Pieces shared by the room's evidence view and the police panel: state badges, clip progress, hashes, custody.
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustodyAction, CustodyEntry, EvidenceClip, EvidenceItem } from '../../../server/evidence/schema';
import type { Role } from '../../../server/auth/policy';
import { api } from '../api/endpoints';
import { formatDateTime } from '../format';

export function EvidenceStateBadge({ state }: { state: EvidenceItem['state'] }) {
  const { t } = useTranslation();
  const cls = state === 'ready' ? 'badge--ok' : state === 'failed' ? 'badge--off' : state === 'pending' ? 'badge--self' : '';
  return <span className={`badge ${cls}`} data-testid="evidence-state" data-state={state}>{t(`evidenceState.${state}`)}</span>;
}

export function ClipLine({ clip, children }: { clip: EvidenceClip; children?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const pct = Math.round(Math.max(0, Math.min(1, clip.progress)) * 100);
  return (
    <li className="clip" data-testid={`clip-${clip.cameraId}`} data-state={clip.state}>
      <div className="clip__head">
        <strong>{clip.cameraName}</strong>
        <span className="muted"> {t('wall.where', { street: clip.street, municipality: clip.municipalityName })}</span>
        <span className="clip__state"> · {t(`clipState.${clip.state}`)}</span>
      </div>
      {(clip.state === 'producing' || clip.state === 'waiting') && (
        <progress className="clip__progress" max={100} value={pct} aria-label={t('evidence.progress', { name: clip.cameraName })}>{pct} %</progress>
      )}
      {clip.error && <p className="field-error">{clip.error}</p>}
      {clip.state === 'ready' && (
        <dl className="facts clip__facts">
          {clip.actualFrom && clip.actualTo && <div><dt>{t('evidence.actual')}</dt><dd className="mono">{formatDateTime(clip.actualFrom, i18n.language)} – {formatDateTime(clip.actualTo, i18n.language)}</dd></div>}
          {clip.durationMs !== null && <div><dt>{t('evidence.duration')}</dt><dd>{t('evidence.seconds', { s: Math.round(clip.durationMs / 100) / 10 })}</dd></div>}
          {clip.sha256 && <div><dt>SHA-256</dt><dd className="mono hash" data-testid="clip-sha256">{clip.sha256}</dd></div>}
        </dl>
      )}
      {clip.gaps.length > 0 && <p className="banner banner--warning">{t('evidence.gaps', { count: clip.gaps.length })}</p>}
      {children}
    </li>
  );
}

export function ItemSummary({ item }: { item: EvidenceItem }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  return (
    <dl className="facts">
      <div><dt>{t('evidence.requested')}</dt><dd className="mono">{formatDateTime(item.requestedFrom, lng)} – {formatDateTime(item.requestedTo, lng)}</dd></div>
      <div><dt>{t('evidence.preservedBy')}</dt><dd>{item.createdBy.displayName} · {formatDateTime(item.createdAt, lng)}</dd></div>
      {item.reason !== null && <div><dt>{t('evidence.reason')}</dt><dd className="user-text">{item.reason}</dd></div>}
      <div><dt>{t('evidence.hold')}</dt><dd data-testid="evidence-hold">{item.legalHold ? t('evidence.holdOn') : t('evidence.holdOff', { by: item.releasedBy ?? '', reason: item.releaseReason ?? '' })}</dd></div>
      {item.caseNumbers.length > 0 && <div><dt>{t('evidence.caseNumbers')}</dt><dd className="mono">{item.caseNumbers.join(', ')}</dd></div>}
    </dl>
  );
}

export function CustodyLog({ entries }: { entries: CustodyEntry[] }) {
  const { t, i18n } = useTranslation();
  return (
    <ol className="timeline" data-testid="custody-log">
      {entries.map((e) => (
        <li key={e.id} data-action={e.action}>
          <span className="timeline__at mono">{formatDateTime(e.at, i18n.language)}</span>
          <span className="timeline__what">{t(`evidence.custodyActions.${e.action as CustodyAction}`)}</span>
          <span className="timeline__by muted">{e.actor ?? t('audit.system')}{e.role ? ` (${t(`roles.${e.role as Role}`)})` : ''}</span>
          {e.caseNumber && <span className="timeline__details mono">{e.caseNumber}{e.legalBasis ? ` · ${t(`legalBasis.${e.legalBasis as 'other'}`, { defaultValue: e.legalBasis })}` : ''}</span>}
        </li>
      ))}
    </ol>
  );
}

/** The public key's fingerprint and how to check a package with standard tools. */
export function PublicKeyNote() {
  const { t } = useTranslation();
  const [fp, setFp] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.evidencePublicKey().then((k) => { if (!cancelled) setFp(k.fingerprint); }, () => { /* shown as unknown */ });
    return () => { cancelled = true; };
  }, []);
  return (
    <div className="key-note" data-testid="public-key">
      <p>{t('evidence.keyFingerprint')} <span className="mono hash" data-testid="public-key-fingerprint">{fp ?? '…'}</span></p>
      <p className="hint">{t('evidence.verifyHint')}</p>
    </div>
  );
}
