// The dispatch state of an incident or alert, in the words the room uses: a shape, a word and a colour (never colour
// alone). raised → ontvangen → eenheid onderweg → ter plaatse → afgesloten; an unacknowledged alert past the
// escalation time says so.
import { useTranslation } from 'react-i18next';
import type { AlertStatus, AlertSummary, Category } from '../../../server/incidents/schema';
import { nameIn } from '../format';

export type DispatchState = AlertStatus | 'none' | 'escalated';

export function dispatchStateOf(alert: Pick<AlertSummary, 'status' | 'escalatedAt'> | null): DispatchState {
  if (!alert) return 'none';
  if (alert.status === 'raised' && alert.escalatedAt) return 'escalated';
  return alert.status;
}

/** `forDispatcher`: the dispatch centre's own words for an alert it has not acknowledged yet. */
export function DispatchStatus({ alert, testId, forDispatcher }: { alert: Pick<AlertSummary, 'status' | 'escalatedAt'> | null; testId?: string; forDispatcher?: boolean }) {
  const { t } = useTranslation();
  const state = dispatchStateOf(alert);
  const label = forDispatcher && state === 'raised' ? t('dispatchStatus.unacknowledged')
    : forDispatcher && state === 'escalated' ? t('dispatchStatus.unacknowledgedEscalated') : t(`dispatchStatus.${state}`);
  return (
    <span className={`dispatch-status dispatch-status--${state}`} data-testid={testId} data-state={state}>
      <span className="dispatch-status__icon" aria-hidden="true" />
      {label}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: 1 | 2 | 3 }) {
  const { t } = useTranslation();
  return (
    <span className={`prio prio--${priority}`} data-priority={priority} title={t(`incident.priorities.${priority}`)}>
      <span aria-hidden="true">P{priority}</span>
      <span className="visually-hidden">{t(`incident.priorities.${priority}`)}</span>
    </span>
  );
}

/** "Vechtpartij" with its top level ("Veiligheid & Openbare orde") as a quiet second line or suffix. */
export function CategoryName({ category, inline }: { category: Category; inline?: boolean }) {
  const { i18n } = useTranslation();
  const lng = i18n.language;
  return inline
    ? <span className="category"><span className="category__name">{nameIn(category, lng)}</span> <span className="muted">· {nameIn(category.topLevel, lng)}</span></span>
    : <span className="category"><span className="category__name">{nameIn(category, lng)}</span><span className="sub">{nameIn(category.topLevel, lng)}</span></span>;
}
