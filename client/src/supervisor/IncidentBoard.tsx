// The supervisor's live board: the room's open incidents, the alerts at the dispatch centre with their state,
// escalations (an alert nobody acknowledged in time), failed deliveries to the external dispatch system, and the
// shift log. GET /api/board once and after every reconnect; socket pushes in between.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { incidentSchema, type Incident } from '../../../server/incidents/schema';
import {
  deliveryFailureSchema, dispatchMessageSchema, type Alert, type DeliveryFailure, type DispatchMessage,
} from '../../../server/dispatch/schema';
import { DispatchQueue } from '../../../server/dispatch/queue';
import type { Shift } from '../../../server/reports/schema';
import { api, downloads } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useErrorText } from '../components/errors';
import { durationParts, formatDateTime } from '../format';
import { CategoryName, DispatchStatus, PriorityBadge } from '../incidents/DispatchStatus';
import { useCan, useSession } from '../session/SessionContext';
import { useNow } from '../useNow';

interface Failure { deliveryId: number; alertId: string; format: 'cap' | 'json'; attempts: number; error: string; at: string | null }

export function IncidentBoard() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const { socket } = useSession();
  const can = useCan();
  const monitor = can('dispatch.monitor');
  const now = useNow(5000);
  const queue = useRef(new DispatchQueue());
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [incidents, setIncidents] = useState<Map<string, Incident> | null>(null);
  const [failures, setFailures] = useState<Failure[]>([]);
  const [failureCount, setFailureCount] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [escalation, setEscalation] = useState<Alert | null>(null);

  const load = useCallback(async () => {
    try {
      const [board, failed] = await Promise.all([api.board(), monitor ? api.deliveries({ state: 'failed', limit: 20 }) : Promise.resolve([])]);
      // A fresh queue: the board is the whole truth about open alerts (closed ones drop out).
      const q = new DispatchQueue();
      q.load(board.alerts);
      queue.current = q;
      setAlerts(q.open());
      setIncidents(new Map(board.incidents.map((i) => [i.id, i])));
      setFailureCount(board.counts.deliveryFailures);
      setFailures(failed.map((d) => ({ deliveryId: d.id, alertId: d.alertId, format: d.format, attempts: d.attempts, error: d.lastError ?? '', at: d.createdAt })));
      setError(null);
    } catch (e) { setError(toApiError(e)); }
  }, [monitor]);

  useEffect(() => {
    const onIncident = (payload: Incident) => {
      const p = incidentSchema.safeParse(payload);
      if (!p.success) return;
      setIncidents((m) => {
        if (!m) return m;
        const known = m.get(p.data.id);
        if (known && known.version > p.data.version) return m;
        const next = new Map(m);
        if (p.data.status === 'open') next.set(p.data.id, p.data); else next.delete(p.data.id);
        return next;
      });
    };
    const onAlert = (payload: DispatchMessage) => {
      const p = dispatchMessageSchema.safeParse(payload);
      if (!p.success) return;
      const q = queue.current;
      const r = q.apply(p.data);
      if (r === 'duplicate' || r === 'stale') return;
      setAlerts(q.open());
      if (p.data.kind === 'escalated' && p.data.alert.status === 'raised') setEscalation(p.data.alert);
    };
    const onFailed = (payload: DeliveryFailure) => {
      const p = deliveryFailureSchema.safeParse(payload);
      if (!p.success) return;
      setFailureCount((n) => n + 1);
      setFailures((list) => [{ ...p.data, at: new Date().toISOString() }, ...list.filter((f) => f.deliveryId !== p.data.deliveryId)].slice(0, 50));
    };
    const onConnect = () => { void load(); };
    socket.on('incident:changed', onIncident);
    socket.on('dispatch:alert', onAlert);
    socket.on('dispatch:delivery-failed', onFailed);
    socket.on('connect', onConnect);
    void load();
    return () => {
      socket.off('incident:changed', onIncident); socket.off('dispatch:alert', onAlert);
      socket.off('dispatch:delivery-failed', onFailed); socket.off('connect', onConnect);
    };
  }, [socket, load]);

  const incidentList = incidents ? [...incidents.values()].sort((a, b) => a.priority - b.priority || b.taggedAt.localeCompare(a.taggedAt)) : null;
  const unacknowledged = alerts.filter((a) => a.status === 'raised');
  const escalated = unacknowledged.filter((a) => a.escalatedAt);
  const shownEscalation = escalation && escalated.some((a) => a.id === escalation.id) ? escalation : null;
  const age = (iso: string) => {
    const p = durationParts(now - Date.parse(iso));
    return t(`age.${p.unit}`, { h: p.h, m: p.unit === 'hours' ? String(p.m).padStart(2, '0') : p.m, s: p.s });
  };
  const alertsId = useId();
  const incidentsId = useId();
  const failuresId = useId();

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.board')}</h1>
      {error && (
        <div className="banner banner--error" role="alert">
          <p>{t('board.loadFailed')} {errorText(error)}</p>
          <button type="button" className="button button--small" onClick={() => void load()}>{t('common.retry')}</button>
        </div>
      )}
      <ul className="counters" data-testid="board-counts">
        <Counter label={t('board.counts.openIncidents')} value={incidentList?.length ?? null} />
        <Counter label={t('board.counts.openAlerts')} value={incidents ? alerts.length : null} />
        <Counter label={t('board.counts.unacknowledged')} value={incidents ? unacknowledged.length : null} tone={unacknowledged.length ? 'warn' : undefined} testId="count-unacknowledged" />
        <Counter label={t('board.counts.escalated')} value={incidents ? escalated.length : null} tone={escalated.length ? 'danger' : undefined} testId="count-escalated" />
        {monitor && <Counter label={t('board.counts.deliveryFailures')} value={incidents ? failureCount : null} tone={failureCount ? 'danger' : undefined} testId="count-delivery-failures" />}
      </ul>

      <div role="alert" className="alert-slot">
        {shownEscalation && (
          <p className="signal signal--escalated" data-testid="board-escalation">
            <strong>{t('dispatch.signal.escalated')}</strong>{' '}
            {t('board.escalationText', { number: shownEscalation.incidentNumber, street: shownEscalation.location.street, age: age(shownEscalation.raisedAt) })}
          </p>
        )}
      </div>

      <div className="layout layout--board">
        <section className="panel table-wrap" aria-labelledby={alertsId} data-testid="board-alerts">
          <h2 id={alertsId} className="panel__title">{t('board.alerts')}</h2>
          <table className="table table--dense">
            <thead><tr>
              <th scope="col">{t('incident.numberShort')}</th><th scope="col">{t('incident.priority')}</th><th scope="col">{t('incident.category')}</th>
              <th scope="col">{t('incident.location')}</th><th scope="col">{t('incident.dispatch')}</th><th scope="col">{t('board.raisedAgo')}</th>
            </tr></thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id} className={a.status === 'raised' && a.escalatedAt ? 'row--escalated' : undefined} data-testid={`board-alert-${a.incidentNumber}`} data-status={a.status}>
                  <td className="mono">#{a.incidentNumber}</td>
                  <td><PriorityBadge priority={a.priority} /></td>
                  <td><CategoryName category={a.category} /></td>
                  <td>{a.location.street}<span className="sub">{a.location.municipalityName}</span></td>
                  <td>
                    <DispatchStatus alert={a} />
                    {a.acknowledgedBy && <span className="sub">{t('board.ackBy', { name: a.acknowledgedBy, time: formatDateTime(a.acknowledgedAt!, lng) })}</span>}
                    {a.lastRemark && <span className="sub user-text">{a.lastRemark}</span>}
                  </td>
                  <td className="nowrap mono">{age(a.raisedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {incidents && alerts.length === 0 && <p className="empty">{t('board.noAlerts')}</p>}
        </section>

        <section className="panel table-wrap" aria-labelledby={incidentsId} data-testid="board-incidents">
          <h2 id={incidentsId} className="panel__title">{t('board.incidents')}</h2>
          {!incidentList && !error && <p className="muted">{t('common.loading')}</p>}
          {incidentList && (
            <table className="table table--dense">
              <thead><tr>
                <th scope="col">{t('incident.numberShort')}</th><th scope="col">{t('incident.taggedAt')}</th><th scope="col">{t('incident.priority')}</th>
                <th scope="col">{t('incident.category')}</th><th scope="col">{t('incident.location')}</th><th scope="col">{t('incident.dispatch')}</th>
                <th scope="col">{t('incident.by')}</th>
              </tr></thead>
              <tbody>
                {incidentList.map((i) => (
                  <tr key={i.id} data-testid={`board-incident-${i.number}`}>
                    <td className="mono">#{i.number}</td>
                    <td className="nowrap">{formatDateTime(i.taggedAt, lng)}</td>
                    <td><PriorityBadge priority={i.priority} /></td>
                    <td><CategoryName category={i.category} /></td>
                    <td>{i.location.street}<span className="sub">{i.location.municipalityName}</span></td>
                    <td><DispatchStatus alert={i.alert} /></td>
                    <td>{i.createdBy.name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {incidentList && incidentList.length === 0 && <p className="empty">{t('incidents.noneOpen')}</p>}
        </section>
      </div>

      {monitor && (
        <section className="panel table-wrap board-section" aria-labelledby={failuresId} data-testid="board-failures">
          <h2 id={failuresId} className="panel__title">{t('board.failures')}</h2>
          <p className="muted panel__intro">{t('board.failuresIntro')}</p>
          {failures.length === 0
            ? <p className="empty">{t('board.noFailures')}</p>
            : (
              <table className="table table--dense">
                <thead><tr><th scope="col">{t('board.failure.at')}</th><th scope="col">{t('board.failure.alert')}</th><th scope="col">{t('board.failure.format')}</th>
                  <th scope="col">{t('board.failure.attempts')}</th><th scope="col">{t('board.failure.error')}</th></tr></thead>
                <tbody>
                  {failures.map((f) => (
                    <tr key={f.deliveryId} className="row--escalated" data-testid="board-failure">
                      <td className="nowrap">{f.at ? formatDateTime(f.at, lng) : ''}</td>
                      <td className="mono">{alertNumber(queue.current, f.alertId)}</td>
                      <td>{f.format.toUpperCase()}</td>
                      <td>{f.attempts}</td>
                      <td className="details">{f.error}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
      )}

      <ShiftLog />
    </>
  );
}

const alertNumber = (q: DispatchQueue, id: string) => { const a = q.get(id); return a ? `#${a.incidentNumber}` : id.slice(0, 8); };

function Counter({ label, value, tone, testId }: { label: string; value: number | null; tone?: 'warn' | 'danger'; testId?: string }) {
  return (
    <li className={`counter${tone ? ` counter--${tone}` : ''}`} data-testid={testId}>
      <span className="counter__value" data-value={value ?? undefined}>{value ?? '–'}</span>
      <span className="counter__label">{label}</span>
    </li>
  );
}

/** The room's shift log: who watched when, with the hand-over notes and each shift's report. */
function ShiftLog() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const id = useId();
  const [shifts, setShifts] = useState<Shift[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(async () => {
    try { setShifts(await api.shifts({ scope: 'all', limit: 20 })); setError(null); } catch (e) { setError(toApiError(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);
  return (
    <section className="panel table-wrap board-section" aria-labelledby={id} data-testid="shift-log">
      <div className="panel__bar">
        <h2 id={id} className="panel__title">{t('shift.log')}</h2>
        <button type="button" className="button button--small" onClick={() => void load()}>{t('history.refresh')}</button>
      </div>
      {error && <p className="banner banner--error">{errorText(error)}</p>}
      {shifts && shifts.length === 0 && <p className="empty">{t('shift.logEmpty')}</p>}
      {shifts && shifts.length > 0 && (
        <table className="table table--dense">
          <thead><tr><th scope="col">{t('history.user')}</th><th scope="col">{t('history.started')}</th><th scope="col">{t('history.ended')}</th>
            <th scope="col">{t('incident.cameras')}</th><th scope="col">{t('shift.notes')}</th><th scope="col">{t('shift.report')}</th></tr></thead>
          <tbody>
            {shifts.map((s) => (
              <tr key={s.id}>
                <td>{s.userName}</td>
                <td className="nowrap">{formatDateTime(s.startedAt, lng)}</td>
                <td className="nowrap">{s.endedAt ? formatDateTime(s.endedAt, lng) : <span className="badge badge--ok">{t('shift.ongoing')}</span>}</td>
                <td>{s.cameraIds.length}</td>
                <td className="details user-text">{s.handoverNotes}</td>
                <td className="nowrap">
                  <a href={downloads.shiftReportCsv(s.id)} download>{t('shift.reportCsv')}</a>{' · '}
                  <a href={downloads.shiftReportPdf(s.id, lng)} download>{t('shift.reportPdf')}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
