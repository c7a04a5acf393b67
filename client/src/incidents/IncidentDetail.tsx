// One incident: what was tagged, the snapshot of that moment, its dispatch state, its timeline (every change:
// who, when, what) and the evidence preserved for it (live). Notes and descriptions are user text, shown as text
// (never as HTML).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { Incident, IncidentDetail as Detail, TimelineEntry } from '../../../server/incidents/schema';
import { api, downloads } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { PreserveDialog } from '../evidence/PreserveDialog';
import { EvidenceStateBadge } from '../evidence/parts';
import { useLiveEvidence } from '../evidence/useLiveEvidence';
import { useErrorText } from '../components/errors';
import { ErrorSlot, NoticeSlot } from '../components/Slots';
import { formatDateTime } from '../format';
import { useCan } from '../session/SessionContext';
import { CategoryName, DispatchStatus, PriorityBadge } from './DispatchStatus';

interface Props { incident: Incident; onChanged(i: Incident): void; onEdit(): void; onClose(): void }

const timelineKinds = ['created', 'changed', 'closed', 'reopened', 'snapshot', 'alert.raised', 'alert.acknowledged', 'alert.unit_sent',
  'alert.on_scene', 'alert.closed', 'alert.remark', 'alert.escalated'] as const;
type Kind = (typeof timelineKinds)[number];
const isKind = (k: string): k is Kind => (timelineKinds as readonly string[]).includes(k);

export function timelineLabel(t: TFunction, kind: string): string {
  return isKind(kind) ? t(`timeline.${kind.replace('.', '_') as 'created'}`) : kind;
}

function timelineDetails(t: TFunction, e: TimelineEntry): string {
  const d = e.details;
  if (typeof d.remark === 'string' && d.remark) return d.remark;
  if (e.kind === 'snapshot') return t(`incidentForm.snapshotStatus.${(['taken', 'no_stream', 'failed', 'purged'].includes(String(d.status)) ? d.status : 'failed') as 'taken'}`);
  if (e.kind === 'changed') return Object.keys(d).map((k) => t(`timeline.fields.${(['categoryId', 'priority', 'persons', 'notes', 'locationText', 'cameraIds'].includes(k) ? k : 'other') as 'notes'}`)).join(', ');
  if (e.kind === 'alert.escalated' && typeof d.afterSeconds === 'number') return t('timeline.escalatedAfter', { seconds: d.afterSeconds });
  return '';
}

export function IncidentDetail({ incident, onChanged, onEdit, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const can = useCan();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [imgFailed, setImgFailed] = useState(false);
  const [preserving, setPreserving] = useState(false);
  // The items preserved for this incident (a list read: no consultation of an item's footage, so nothing to record).
  const evidence = useLiveEvidence(can('evidence.read') ? { incident: incident.id, limit: 50 } : null);

  // The timeline again whenever the incident changes (the list keeps `incident` live).
  useEffect(() => {
    let cancelled = false;
    api.incident(incident.id).then((d) => { if (!cancelled) { setDetail(d); setLoadError(null); } }, (e) => { if (!cancelled) setLoadError(toApiError(e)); });
    return () => { cancelled = true; };
  }, [incident.id, incident.version]);

  const i = detail && detail.version > incident.version ? detail : incident;
  const alertOpen = !!i.alert && i.alert.status !== 'closed';
  const mayRaise = can('alerts.raise') && i.status === 'open' && !alertOpen;
  const mayWrite = can('incidents.write');

  async function act(fn: () => Promise<void>, done: string) {
    setBusy(true); setActionError(null); setNotice(null);
    try { await fn(); setNotice(done); } catch (e) { setActionError(errorText(toApiError(e))); } finally { setBusy(false); }
  }
  const raise = () => act(async () => { await api.raiseAlert(i.id); }, t('incident.raisedNotice', { number: i.number }));
  const setStatus = (status: 'open' | 'closed') => act(async () => {
    onChanged(await api.updateIncident(i.id, { status, expectedVersion: i.version }));
  }, status === 'closed' ? t('incident.closedNotice', { number: i.number }) : t('incident.reopenedNotice', { number: i.number }));

  return (
    <Dialog title={t('incident.detailTitle', { number: i.number })} onClose={onClose} wide testId="incident-detail">
      <div className="incident-detail" data-incident-id={i.id}>
        <div className="incident-detail__head">
          <PriorityBadge priority={i.priority} />
          <CategoryName category={i.category} inline />
          <DispatchStatus alert={i.alert} testId="incident-detail-status" />
          {i.status === 'closed' && <span className="badge badge--off">{t('incident.statusClosed')}</span>}
        </div>
        <div className="incident-detail__body">
          <dl className="facts facts--stacked">
            <div><dt>{t('incident.taggedAt')}</dt><dd className="mono">{formatDateTime(i.taggedAt, lng)}</dd></div>
            <div><dt>{t('incident.by')}</dt><dd>{i.createdBy.name}</dd></div>
            <div><dt>{t('incident.location')}</dt><dd>
              {t('wall.where', { street: i.location.street, municipality: i.location.municipalityName })}
              {i.location.text && <span className="sub">{i.location.text}</span>}
            </dd></div>
            <div><dt>{t('incident.cameras')}</dt><dd>{i.cameras.map((c) => c.name).join(', ')}</dd></div>
            <div><dt>{t('incident.persons')}</dt><dd className="user-text" data-testid="incident-detail-persons">{i.persons || t('focus.none')}</dd></div>
            <div><dt>{t('incident.notes')}</dt><dd className="user-text" data-testid="incident-detail-notes">{i.notes || t('focus.none')}</dd></div>
          </dl>
          <figure className="snapshot">
            {i.snapshot.status === 'taken' && !imgFailed
              ? <img src={`${downloads.snapshot(i.id)}?v=${i.snapshot.id ?? ''}`} alt={t('incident.snapshotAlt', { number: i.number, time: formatDateTime(i.snapshot.takenAt ?? i.taggedAt, lng) })}
                  onError={() => setImgFailed(true)} data-testid="incident-snapshot" />
              : <p className="snapshot__none">{t(`incidentForm.snapshotStatus.${i.snapshot.status}`)}</p>}
            <figcaption className="muted">{i.snapshot.takenAt ? t('incident.snapshotAt', { time: formatDateTime(i.snapshot.takenAt, lng) }) : t('incident.snapshot')}</figcaption>
          </figure>
        </div>

        <h3>{t('incident.timeline')}</h3>
        {loadError && <p className="banner banner--error">{errorText(loadError)}</p>}
        {!detail && !loadError && <p className="muted">{t('common.loading')}</p>}
        {detail && (
          <ol className="timeline" data-testid="incident-timeline">
            {detail.timeline.map((e) => (
              <li key={e.id} data-kind={e.kind}>
                <span className="timeline__at mono">{formatDateTime(e.at, lng)}</span>
                <span className="timeline__what">{timelineLabel(t, e.kind)}</span>
                <span className="timeline__by muted">{e.by ?? t('audit.system')}</span>
                {timelineDetails(t, e) && <span className="timeline__details user-text">{timelineDetails(t, e)}</span>}
              </li>
            ))}
          </ol>
        )}

        {can('evidence.read') && (
          <section aria-labelledby={`incident-evidence-${i.id}`}>
            <h3 id={`incident-evidence-${i.id}`}>{t('incident.evidence')}</h3>
            {evidence.error && <p className="banner banner--error">{errorText(evidence.error)}</p>}
            {!evidence.items && !evidence.error && <p className="muted">{t('common.loading')}</p>}
            {evidence.items?.length === 0 && <p className="muted" data-testid="incident-evidence-none">{t('incident.evidenceNone')}</p>}
            {!!evidence.items?.length && (
              <ul className="evidence-list" data-testid="incident-evidence">
                {evidence.items.map((e) => (
                  <li key={e.id} className="evidence-item__head" data-evidence-id={e.id} data-state={e.state}>
                    {/* The room's evidence view (#/evidence/<id>) shows the clips, hashes and hold of the item. */}
                    {can('evidence.preserve')
                      ? <a href={`#/evidence/${e.id}`} title={t('incident.evidenceOpen')}>{t('evidence.itemTitle', { number: e.number })}</a>
                      : <strong>{t('evidence.itemTitle', { number: e.number })}</strong>}
                    <EvidenceStateBadge state={e.state} />
                    {e.legalHold && <span className="badge badge--permanent">{t('evidence.holdBadge')}</span>}
                    <span className="mono">{formatDateTime(e.requestedFrom, lng)} – {formatDateTime(e.requestedTo, lng)}</span>
                    <span className="muted">{e.clips.map((c) => c.cameraName).join(', ')}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}

        <NoticeSlot notice={notice} />
        <ErrorSlot error={actionError} />
        <div className="actions">
          {mayWrite && i.status === 'open' && <button type="button" className="button" onClick={onEdit} disabled={busy}>{t('common.edit')}</button>}
          {mayWrite && i.status === 'open' && !alertOpen && <button type="button" className="button" onClick={() => void setStatus('closed')} disabled={busy}>{t('incident.close')}</button>}
          {mayWrite && i.status === 'closed' && <button type="button" className="button" onClick={() => void setStatus('open')} disabled={busy}>{t('incident.reopen')}</button>}
          {can('evidence.preserve') && i.cameras.length > 0 && (
            <button type="button" className="button" onClick={() => setPreserving(true)} disabled={busy} data-testid="incident-preserve">{t('wall.preserve')}</button>
          )}
          {mayRaise && (
            <button type="button" className="button button--alarm" onClick={() => void raise()} disabled={busy} data-testid="incident-detail-raise">{i.alert ? t('incident.raiseAgainLong') : t('incident.raise')}</button>
          )}
          <button type="button" className="button button--primary" onClick={onClose}>{t('common.close')}</button>
        </div>
      </div>
      {preserving && (
        <PreserveDialog request={{ moment: i.taggedAt, cameras: i.cameras, selected: i.cameras.map((c) => c.id), incident: { id: i.id, number: i.number } }}
          onClose={() => setPreserving(false)} onSaved={(item) => { setPreserving(false); evidence.upsert(item); setNotice(t('preserve.saved', { number: item.number })); }} />
      )}
    </Dialog>
  );
}
