// One alert as the dispatcher handles it: where, what, how urgent, who is involved, the snapshot of the tagged moment,
// live video of its cameras, and the steps (ontvangen → eenheid onderweg → ter plaatse → afgesloten) with remarks.
// Of two dispatchers acting at once the server lets the first win; the second sees plainly who was first.
import { memo, useId, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertStatus } from '../../../server/incidents/schema';
import type { Alert, AlertStepInput } from '../../../server/dispatch/schema';
import { api, downloads } from '../api/endpoints';
import { toApiError } from '../api/http';
import { ConfirmDialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { useErrorText } from '../components/errors';
import { ErrorSlot, NoticeSlot } from '../components/Slots';
import { formatDateTime } from '../format';
import { CategoryName, DispatchStatus, PriorityBadge } from '../incidents/DispatchStatus';
import { TilePlayer } from '../live/TilePlayer';
import { usePageVisible } from '../live/usePageVisible';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useLiveStatus } from '../session/LiveStatus';

type Step = AlertStepInput['status'];
const steps: { status: Step; key: string }[] = [
  { status: 'acknowledged', key: 'B' }, { status: 'unit_sent', key: 'E' }, { status: 'on_scene', key: 'T' }, { status: 'closed', key: 'A' },
];
/** From which states a step may be taken (the server's rule; the server decides in the end). */
const allowedFrom: Record<Step, AlertStatus[]> = {
  acknowledged: ['raised'], unit_sent: ['acknowledged'], on_scene: ['acknowledged', 'unit_sent'], closed: ['acknowledged', 'unit_sent', 'on_scene'],
};

export interface AlertDetailHandle { step(status: Step): void; focusRemark(): void }

interface Conflict { wanted: Step; now: Alert; code: string }

/** Memoized: the console renders again for every alert that comes in; the detail only when its own alert changes. */
export const AlertDetail = memo(function AlertDetail({ alert, onChanged, ref }: { alert: Alert; onChanged(a: Alert): void; ref?: Ref<AlertDetailHandle> }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const headingId = useId();
  const [remark, setRemark] = useState('');
  const [busy, setBusy] = useState<Step | 'remark' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);
  const [imgFailed, setImgFailed] = useState(false);
  const remarkRef = useRef<HTMLTextAreaElement>(null);
  const open = alert.status !== 'closed';

  async function step(status: Step) {
    if (busy) return;
    setBusy(status); setError(null); setNotice(null); setConflict(null);
    try {
      const a = await api.stepAlert(alert.id, { status, remark: remark.trim() });
      onChanged(a);
      setRemark('');
      setConfirmClose(false);
      setNotice(t('dispatch.stepDone', { step: t(`dispatchStatus.${status}`) }));
    } catch (e) {
      const err = toApiError(e);
      setConfirmClose(false);
      if (err.code === 'alert_conflict' || err.code === 'invalid_transition') {
        // Show the alert as it is now, and who got there first.
        const now = await api.alert(alert.id).catch(() => null);
        if (now) onChanged(now);
        setConflict({ wanted: status, now: now ?? alert, code: err.code });
      } else setError(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  async function postRemark() {
    if (busy || !remark.trim()) return;
    setBusy('remark'); setError(null); setNotice(null); setConflict(null);
    try {
      onChanged(await api.remarkAlert(alert.id, remark.trim()));
      setRemark('');
      setNotice(t('dispatch.remarkDone'));
    } catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(null); }
  }

  const may = (s: Step) => open && allowedFrom[s].includes(alert.status);
  // The step that normally comes next stands out.
  const next = steps.find((s) => may(s.status))?.status ?? null;
  const request = (s: Step) => {
    if (!may(s)) return;
    if (s === 'closed') setConfirmClose(true); else void step(s);
  };
  useImperativeHandle(ref, () => ({ step: request, focusRemark: () => remarkRef.current?.focus() }));

  return (
    <section className={`panel alert-detail alert-detail--p${alert.priority}`} aria-labelledby={headingId} data-testid="alert-detail" data-alert-id={alert.id} data-status={alert.status}>
      <div className="alert-detail__head">
        <PriorityBadge priority={alert.priority} />
        <h2 id={headingId}>
          <span className="mono">#{alert.incidentNumber}</span> <CategoryName category={alert.category} inline />
        </h2>
        <DispatchStatus alert={alert} testId="alert-detail-status" forDispatcher />
      </div>

      {conflict && <ConflictBanner conflict={conflict} onDismiss={() => setConflict(null)} />}
      <NoticeSlot notice={notice} testId="alert-notice" />
      <ErrorSlot error={error} errorTestId="alert-error" />

      <div className="alert-actions" role="group" aria-label={t('dispatch.stepsLabel')}>
        {steps.map(({ status, key }) => (
          <button key={status} type="button" className={`button${status === next ? ' button--primary' : ''}`}
            disabled={!may(status) || busy !== null} onClick={() => request(status)} aria-keyshortcuts={key} data-testid={`alert-step-${status}`}>
            {busy === status ? t('common.working') : t(`dispatch.steps.${status}`)} <kbd>{key}</kbd>
          </button>
        ))}
      </div>
      {open && (
        <div className="alert-remark">
          <Field label={t('dispatch.remark')} hint={t('dispatch.remarkHint')}>
            {(c) => <textarea {...c} ref={remarkRef} rows={2} value={remark} onChange={(e) => setRemark(e.target.value)} maxLength={2000} data-testid="alert-remark" />}
          </Field>
          <button type="button" className="button button--small" onClick={() => void postRemark()} disabled={busy !== null || !remark.trim()} data-testid="alert-remark-send">
            {t('dispatch.remarkOnly')}
          </button>
        </div>
      )}

      <div className="alert-detail__grid">
        <dl className="facts facts--stacked">
          <div><dt>{t('incident.location')}</dt><dd data-testid="alert-location">
            <strong>{alert.location.street}, {alert.location.municipalityName}</strong>
            {alert.location.text && <span className="sub user-text">{alert.location.text}</span>}
            <span className="sub mono">{alert.location.lat.toFixed(5)}, {alert.location.lon.toFixed(5)}</span>
          </dd></div>
          <div><dt>{t('incident.priority')}</dt><dd>{t(`incident.priorities.${alert.priority}`)}</dd></div>
          <div><dt>{t('incident.taggedAt')}</dt><dd className="mono">{formatDateTime(alert.taggedAt, lng)}</dd></div>
          <div><dt>{t('dispatch.raised')}</dt><dd>{t('dispatch.raisedBy', { time: formatDateTime(alert.raisedAt, lng), name: alert.raisedBy })}</dd></div>
          <div><dt>{t('incident.cameras')}</dt><dd>{alert.cameras.map((c) => c.name).join(', ')}</dd></div>
          <div><dt>{t('incident.persons')}</dt><dd className="user-text" data-testid="alert-persons">{alert.persons || t('focus.none')}</dd></div>
          <div><dt>{t('incident.notes')}</dt><dd className="user-text" data-testid="alert-notes">{alert.notes || t('focus.none')}</dd></div>
        </dl>
        <div className="alert-media">
          <section aria-label={t('dispatch.liveTitle')}>
            <h3 className="alert-media__title">{t('dispatch.liveTitle')}</h3>
            {open
              ? <AlertVideo cameras={alert.cameras} />
              : <p className="snapshot__none">{t('dispatch.liveClosed')}</p>}
          </section>
          <figure className="snapshot">
            <figcaption className="alert-media__title">
              {alert.snapshot.takenAt ? t('incident.snapshotAt', { time: formatDateTime(alert.snapshot.takenAt, lng) }) : t('incident.snapshot')}
            </figcaption>
            {alert.snapshot.status === 'taken' && !imgFailed
              ? <img key={alert.snapshot.id} src={`${downloads.snapshot(alert.incidentId)}?v=${alert.snapshot.id ?? ''}`} data-testid="alert-snapshot"
                  alt={t('incident.snapshotAlt', { number: alert.incidentNumber, time: formatDateTime(alert.snapshot.takenAt ?? alert.taggedAt, lng) })}
                  onError={() => setImgFailed(true)} />
              : <p className="snapshot__none">{t(`incidentForm.snapshotStatus.${alert.snapshot.status}`)}</p>}
          </figure>
        </div>
      </div>

      <h3>{t('dispatch.stepsTitle')}</h3>
      <ol className="timeline" data-testid="alert-steps">
        {alert.steps.map((s, i) => (
          <li key={i} data-kind={s.step}>
            <span className="timeline__at mono">{formatDateTime(s.at, lng)}</span>
            <span className="timeline__what">{t(`dispatch.stepNames.${s.step}`)}</span>
            <span className="timeline__by muted">{s.by ?? t('audit.system')}</span>
            {s.remark && <span className="timeline__details user-text">{s.remark}</span>}
          </li>
        ))}
      </ol>

      {confirmClose && (
        <ConfirmDialog title={t('dispatch.closeTitle', { number: alert.incidentNumber })} confirmLabel={t('dispatch.steps.closed')} busy={busy === 'closed'}
          onConfirm={() => void step('closed')} onCancel={() => setConfirmClose(false)} testId="alert-close-confirm">
          <p>{t('dispatch.closeText')}</p>
          <Field label={t('dispatch.remark')}>
            {(c) => <textarea {...c} rows={2} value={remark} onChange={(e) => setRemark(e.target.value)} maxLength={2000} data-testid="alert-close-remark" />}
          </Field>
        </ConfirmDialog>
      )}
    </section>
  );
});

function ConflictBanner({ conflict, onDismiss }: { conflict: Conflict; onDismiss(): void }) {
  const { t, i18n } = useTranslation();
  const now = conflict.now;
  // The step that brought the alert where it is: who took it and when.
  const last = [...now.steps].reverse().find((s) => s.step === now.status);
  const state = t(`dispatchStatus.${now.status}`);
  return (
    <div className="banner banner--conflict" role="alert" data-testid="alert-conflict" data-code={conflict.code}>
      <p><strong>{conflict.code === 'alert_conflict' ? t('dispatch.conflict.title') : t('dispatch.conflict.invalidTitle')}</strong></p>
      <p>
        {last?.by
          ? t('dispatch.conflict.text', { state, name: last.by, time: formatDateTime(last.at, i18n.language) })
          : t('dispatch.conflict.textNoName', { state })}
        {' '}{t('dispatch.conflict.notDone', { step: t(`dispatch.steps.${conflict.wanted}`) })}
      </p>
      <button type="button" className="button button--small" onClick={onDismiss}>{t('dispatch.conflict.ok')}</button>
    </div>
  );
}

/** Live video of the alert's cameras (the server grants dispatchers only cameras of open alerts). */
function AlertVideo({ cameras }: { cameras: Alert['cameras'] }) {
  const { t } = useTranslation();
  const registry = useCameraRegistry();
  const live = useLiveStatus();
  const pageVisible = usePageVisible();
  const shown = cameras.slice(0, 4);
  const statusKnown = live.loaded || !live.available;
  return (
    <ul className={`alert-video alert-video--${shown.length > 1 ? 'grid' : 'single'}`} data-testid="alert-video">
      {shown.map((c) => {
        const camera = registry.cameras?.find((x) => x.id === c.id);
        const status = live.get(c.id);
        return (
          <li key={c.id} className="alert-video__tile" data-camera-id={c.id}>
            <div className="alert-video__picture">
              <TilePlayer cameraId={c.id} camera={camera} status={status} statusKnown={statusKnown} pageVisible={pageVisible}
                wanted={shown.length > 1 ? 'sub' : 'main'} />
            </div>
            <p className="alert-video__caption">{t('live.videoOf', { name: c.name })}</p>
          </li>
        );
      })}
      {cameras.length > shown.length && <li className="muted">{t('dispatch.moreCameras', { count: cameras.length - shown.length })}</li>}
    </ul>
  );
}
