// One console per role. Which views a role gets is decided here; whether it may see each one is decided by the
// policy table (the same one the server enforces), so a view never shows what the server would refuse.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { can, type Action, type Role } from '../../../server/auth/policy';
import { AuditTrail } from './AuditTrail';
import { NodesView } from '../cluster/NodesView';
import { CameraManagement } from './CameraManagement';
import { DispatchConsole } from '../dispatch/DispatchConsole';
import { EvidenceView } from '../evidence/EvidenceView';
import { IncidentsView } from '../incidents/IncidentList';
import { FiguresView } from '../supervisor/FiguresView';
import { IncidentBoard } from '../supervisor/IncidentBoard';
import { InvestigationView, MunicipalityView, RegistryView, WatchView } from './RoleViews';
import { BookingsView } from '../bookings/BookingsView';
import { PlanningView } from '../bookings/PlanningView';
import { UsageView } from '../bookings/UsageView';
import { PlaybackView } from '../playback/PlaybackView';
import { UserManagement } from './UserManagement';
import { ViewingHistory } from './ViewingHistory';

export type ViewId = 'watch' | 'incidents' | 'board' | 'figures' | 'registry' | 'dispatch' | 'investigation' | 'municipality' | 'cameras' | 'users' | 'audit' | 'history' | 'evidence'
  | 'bookings' | 'planning' | 'usage' | 'playback' | 'nodes';

const requirements: Record<ViewId, Action> = {
  watch: 'live.view',
  incidents: 'incidents.read',
  board: 'incidents.board',
  figures: 'figures.read',
  registry: 'cameras.read',
  dispatch: 'alerts.handle',
  investigation: 'cameras.read',
  municipality: 'cameras.read',
  cameras: 'cameras.manage',
  users: 'users.manage',
  audit: 'audit.read',
  history: 'views.read.own',
  evidence: 'evidence.preserve',
  bookings: 'bookings.request',
  planning: 'bookings.plan',
  usage: 'bookings.usage',
  playback: 'recordings.read',
  nodes: 'cluster.read',
};

const consoleViews: Record<Role, ViewId[]> = {
  observer: ['watch', 'playback', 'incidents', 'evidence', 'history'],
  // The shift lead starts on the room's live incident board; may watch too (live.view), and reads everyone's viewing history.
  supervisor: ['board', 'planning', 'watch', 'playback', 'incidents', 'evidence', 'figures', 'usage', 'registry', 'history', 'audit', 'nodes'],
  dispatcher: ['dispatch'],
  police: ['investigation'],
  municipality: ['municipality', 'bookings', 'usage'],
  // No live images for technical staff, but the record of who watched is part of what they oversee.
  admin: ['cameras', 'nodes', 'users', 'history', 'audit'],
};

const viewFromHash = (list: ViewId[]): ViewId => {
  // #/evidence/<id>, #/playback/<camera>/<moment>: the view, then what to show in it.
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return (list as string[]).includes(id) ? (id as ViewId) : list[0]!;
};

/** Simple hash routing: #/audit selects a view (#/evidence/<id> also an item in it); unknown hashes fall back to the role's first view. */
export function useConsoleViews(role: Role): { list: ViewId[]; current: ViewId } {
  const list = consoleViews[role].filter((v) => can(role, requirements[v]));
  const [current, setCurrent] = useState<ViewId>(() => viewFromHash(list));
  const key = list.join(',');
  useEffect(() => {
    const ids = key.split(',') as ViewId[];
    const onHash = () => setCurrent(viewFromHash(ids));
    onHash();
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [key]);
  return { list, current };
}

export function ConsoleNav({ views, current, role }: { views: ViewId[]; current: ViewId; role: Role }) {
  const { t } = useTranslation();
  // Someone who sees only their own history reads "My viewing history".
  // The cluster's words live in their own block of the dictionaries (cluster.*), its nav label too.
  const label = (v: ViewId) => (v === 'nodes' ? t('cluster.nav') : v === 'history' && !can(role, 'views.read.all') ? t('nav.historyMine') : t(`nav.${v}`));
  if (views.length < 2) return null;
  return (
    <nav className="console-nav" aria-label={t('nav.label')}>
      <ul>
        {views.map((v) => (
          <li key={v}>
            <a href={`#/${v}`} aria-current={v === current ? 'page' : undefined} data-testid={`nav-${v}`}>{label(v)}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function RoleConsole({ view }: { view: ViewId }) {
  // When the user switches views, move focus to the new view's heading (not on first load).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [view]);
  switch (view) {
    case 'watch': return <WatchView />;
    case 'incidents': return <IncidentsView />;
    case 'board': return <IncidentBoard />;
    case 'figures': return <FiguresView />;
    case 'registry': return <RegistryView />;
    case 'dispatch': return <DispatchConsole />;
    case 'investigation': return <InvestigationView />;
    case 'municipality': return <MunicipalityView />;
    case 'cameras': return <CameraManagement />;
    case 'users': return <UserManagement />;
    case 'audit': return <AuditTrail />;
    case 'history': return <ViewingHistory />;
    case 'evidence': return <EvidenceView />;
    case 'bookings': return <BookingsView />;
    case 'planning': return <PlanningView />;
    case 'usage': return <UsageView />;
    case 'playback': return <PlaybackView />;
    case 'nodes': return <NodesView />;
  }
}
