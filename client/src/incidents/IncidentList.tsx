// The room's incidents, live, with each one's dispatch state as the dispatch centre reports it. A compact panel beside
// the wall, and a full view with a filter. Opening one shows its detail and timeline.
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident } from '../../../server/incidents/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { useErrorText } from '../components/errors';
import { ErrorSlot } from '../components/Slots';
import { formatClock, formatDateTime } from '../format';
import { useCan } from '../session/SessionContext';
import { CategoryName, DispatchStatus, PriorityBadge } from './DispatchStatus';
import { IncidentDetail } from './IncidentDetail';
import { IncidentForm } from './IncidentForm';
import { useLiveIncidents, type IncidentFilter, type LiveIncidents } from './useLiveIncidents';

/** Detail and edit dialogs for one list (by id, so the dialog follows the live incident). */
function useIncidentDialogs(feed: LiveIncidents) {
  const [open, setOpen] = useState<{ id: string; edit: boolean } | null>(null);
  const incident = open ? feed.incidents?.find((i) => i.id === open.id) ?? null : null;
  const dialogs = open && incident && (open.edit
    ? <IncidentForm mode="edit" incident={incident} onSaved={feed.upsert} onClose={() => setOpen({ id: incident.id, edit: false })} />
    : <IncidentDetail incident={incident} onChanged={feed.upsert} onEdit={() => setOpen({ id: incident.id, edit: true })} onClose={() => setOpen(null)} />);
  return { show: (i: Incident) => setOpen({ id: i.id, edit: false }), dialogs };
}

function RaiseButton({ incident, small }: { incident: Incident; small?: boolean }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button type="button" className={`button button--alarm${small ? ' button--small' : ''}`} disabled={busy} data-testid="incident-raise-row"
        onClick={async () => {
          setBusy(true); setError(null);
          try { await api.raiseAlert(incident.id); } catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(false); }
        }}>
        {busy ? t('common.working') : incident.alert ? t('incident.raiseAgain') : t('incident.raiseShort')}<span className="visually-hidden"> ({t('incident.number', { number: incident.number })})</span>
      </button>
      {error && <span className="field-error" role="alert">{error}</span>}
    </>
  );
}

const mayRaise = (i: Incident) => i.status === 'open' && (!i.alert || i.alert.status === 'closed');

/** Still the wall's business: open, and not closed by the dispatch centre. An incident whose alert the dispatch centre
 *  closed leaves the panel at once (the push of that step); it stays in the incidents view until the observer closes it. */
const stillOpen = (i: Incident) => i.status === 'open' && i.alert?.status !== 'closed';

/** Beside the wall: the open incidents, newest first, each with its dispatch state. */
export function IncidentPanel({ feed }: { feed: LiveIncidents }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const can = useCan();
  const headingId = useId();
  // The dialogs look in the whole feed: a detail left open follows its incident after it leaves the panel.
  const { show, dialogs } = useIncidentDialogs(feed);
  const list = useMemo(() => feed.incidents?.filter(stillOpen) ?? null, [feed.incidents]);
  return (
    <section className="panel incident-panel" aria-labelledby={headingId} data-testid="incident-panel">
      <h2 id={headingId}>{t('incidents.title')} {list && <span className="count">({list.length})</span>}</h2>
      {feed.error && (
        <div className="banner banner--error" role="alert">
          <p>{t('incidents.loadFailed')} {errorText(feed.error)}</p>
          <button type="button" className="button button--small" onClick={() => void feed.reload()}>{t('common.retry')}</button>
        </div>
      )}
      {!list && !feed.error && <p className="muted">{t('common.loading')}</p>}
      {list && list.length === 0 && <p className="empty">{t('incidents.noneOpen')} {t('incidents.tagHint')}</p>}
      {list && list.length > 0 && (
        <ul className="incident-cards">
          {list.map((i) => (
            <li key={i.id} className={`incident-card incident-card--p${i.priority}`} data-testid={`incident-${i.number}`} data-incident-id={i.id}
              data-dispatch={i.alert?.status ?? 'none'}>
              <button type="button" className="incident-card__open" onClick={() => show(i)}>
                <span className="incident-card__line">
                  <PriorityBadge priority={i.priority} />
                  <span className="incident-card__number mono">#{i.number}</span>
                  <CategoryName category={i.category} inline />
                </span>
                <span className="incident-card__line incident-card__meta">
                  <time dateTime={i.taggedAt}>{formatClock(new Date(i.taggedAt), i18n.language)}</time>
                  <span className="incident-card__where">{i.location.street}{i.location.text ? ` · ${i.location.text}` : ''}</span>
                </span>
              </button>
              <div className="incident-card__state">
                <DispatchStatus alert={i.alert} testId="incident-dispatch-status" />
                {can('alerts.raise') && mayRaise(i) && <RaiseButton incident={i} small />}
              </div>
            </li>
          ))}
        </ul>
      )}
      {dialogs}
    </section>
  );
}

/** The full list: open, closed or all, with the dispatch state and the times. */
export function IncidentsView() {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const errorText = useErrorText();
  const can = useCan();
  const filterId = useId();
  const [filter, setFilter] = useState<IncidentFilter>('open');
  const feed = useLiveIncidents(filter, 500);
  const { show, dialogs } = useIncidentDialogs(feed);
  const list = feed.incidents;
  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.incidents')}</h1>
      <p className="muted">{t('incidents.intro')}</p>
      <div className="toolbar">
        <div className="field">
          <label htmlFor={filterId}>{t('incidents.filter')}</label>
          <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value as IncidentFilter)} data-testid="incidents-filter">
            <option value="open">{t('incidents.filters.open')}</option>
            <option value="closed">{t('incidents.filters.closed')}</option>
            <option value="all">{t('incidents.filters.all')}</option>
          </select>
        </div>
        <button type="button" className="button" onClick={() => void feed.reload()} disabled={feed.loading}>{t('history.refresh')}</button>
      </div>
      <ErrorSlot error={feed.error && errorText(feed.error)} />
      {!list && !feed.error && <p className="muted">{t('common.loading')}</p>}
      {list && (
        <div className="panel table-wrap">
          <table className="table table--dense" data-testid="incidents-table" aria-busy={feed.loading}>
            <caption className="visually-hidden">{t('incidents.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('incident.numberShort')}</th>
                <th scope="col">{t('incident.taggedAt')}</th>
                <th scope="col">{t('incident.priority')}</th>
                <th scope="col">{t('incident.category')}</th>
                <th scope="col">{t('incident.location')}</th>
                <th scope="col">{t('incident.dispatch')}</th>
                <th scope="col">{t('incident.by')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((i) => (
                <tr key={i.id} data-testid={`incident-row-${i.number}`} data-incident-id={i.id} className={i.status === 'closed' ? 'row--disabled' : undefined}>
                  <td className="mono">
                    <button type="button" className="camera-pick" onClick={() => show(i)}>#{i.number}<span className="visually-hidden"> {t('incident.open')}</span></button>
                  </td>
                  <td className="nowrap">{formatDateTime(i.taggedAt, lng)}</td>
                  <td><PriorityBadge priority={i.priority} /></td>
                  <td><CategoryName category={i.category} /></td>
                  <td>{t('wall.where', { street: i.location.street, municipality: i.location.municipalityName })}{i.location.text && <span className="sub">{i.location.text}</span>}</td>
                  <td>
                    <DispatchStatus alert={i.alert} testId="incident-dispatch-status" />
                    {i.alert?.lastRemark && <span className="sub user-text">{i.alert.lastRemark}</span>}
                  </td>
                  <td>{i.createdBy.name}</td>
                  <td><div className="row-actions">{can('alerts.raise') && mayRaise(i) && <RaiseButton incident={i} small />}</div></td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.length === 0 && <p className="empty">{t('incidents.none')}</p>}
        </div>
      )}
      {dialogs}
    </>
  );
}
