// The consoles: observer (wall, incidents, shift), supervisor's registry, police, municipality (with its cameras' masks).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '../../../server/dispatch/schema';
import type { Camera } from '../../../server/cameras/schema';
import type { Activation } from '../../../server/bookings/schema';
import { formatClock } from '../format';
import { useActivations } from '../session/Activations';
import { api } from '../api/endpoints';
import { CameraList } from '../live/CameraList';
import { CameraWall } from '../live/CameraWall';
import { PoliceEvidencePanel } from '../evidence/PoliceEvidence';
import { PreserveDialog, type PreserveRequest } from '../evidence/PreserveDialog';
import { IncidentForm, type Tag } from '../incidents/IncidentForm';
import { MunicipalityMasks } from '../masks/MunicipalityMasks';
import { IncidentPanel } from '../incidents/IncidentList';
import { useLiveIncidents } from '../incidents/useLiveIncidents';
import { useWall } from '../live/useWall';
import { ShiftPanel } from '../shifts/ShiftPanel';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useCan, useSession } from '../session/SessionContext';

function ViewHeading({ children }: { children: string }) {
  return <h1 tabIndex={-1} className="view-title">{children}</h1>;
}

export function WatchView() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const { cameras } = useCameraRegistry();
  // A flexible unit is on the wall and in its list only while it is active (inside its approved window).
  const { active, ready: activationsReady } = useActivations();
  const onWallNow = useCallback((c: Camera) => c.kind !== 'flexible' || !!active?.has(c.id), [active]);
  const wallCameras = useMemo(() => (activationsReady ? cameras?.filter(onWallNow) ?? null : null), [cameras, onWallNow, activationsReady]);
  const kinds = useMemo(() => new Map((cameras ?? []).map((c) => [c.id, c.kind])), [cameras]);
  const placeable = useCallback((id: string) => kinds.get(id) !== 'flexible' || !!active?.has(id), [kinds, active]);
  const wall = useWall(wallCameras, placeable);
  const activationNote = useCallback((id: string) => {
    const a = active?.get(id);
    return a ? t('activation.note', { event: a.eventName, until: formatClock(new Date(a.until), i18n.language) }) : null;
  }, [active, t, i18n.language]);
  const tagging = can('incidents.write');
  const incidents = useLiveIncidents('open', 50);
  const [tag, setTag] = useState<Tag | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const wallCameraIds = wall.tiles.slice(0, wall.layout).filter((id): id is string => !!id);

  // M on the wall: the moment is the key press itself, and the snapshot of that moment is asked for at once.
  const onTag = useCallback((tile: number) => {
    const taggedAt = new Date().toISOString();
    const cameraId = wall.tiles[tile] ?? null;
    const snapshot = cameraId ? api.requestSnapshot(cameraId) : null;
    snapshot?.catch(() => { /* the form shows it; saving then lets the server grab one */ });
    setTag({ taggedAt, cameraId, snapshot, wallCameraIds: wall.tiles.slice(0, wall.layout).filter((id): id is string => !!id && id !== cameraId) });
  }, [wall.tiles, wall.layout]);
  // B on the wall: the moment of the key press; the selected tile's camera, the other wall cameras to tick; the
  // incidents open on that camera, to link the evidence to.
  const preserving = can('evidence.preserve');
  const [preserve, setPreserve] = useState<PreserveRequest | null>(null);
  const onPreserve = useCallback((tile: number) => {
    const moment = new Date().toISOString();
    const onWall = wall.tiles.slice(0, wall.layout).filter((id): id is string => !!id);
    const cameraId = wall.tiles[tile] ?? null;
    const names = new Map((cameras ?? []).map((c) => [c.id, c.name]));
    const openIncidents = (incidents.incidents ?? [])
      .filter((i) => i.status === 'open' && !!cameraId && i.cameras.some((c) => c.id === cameraId))
      .sort((a, b) => b.taggedAt.localeCompare(a.taggedAt));
    setPreserve({ moment, cameras: onWall.map((id) => ({ id, name: names.get(id) ?? id })), selected: cameraId ? [cameraId] : [], openIncidents });
  }, [wall.tiles, wall.layout, cameras, incidents.incidents]);
  // T on the wall: look back at the selected tile's camera, from half a minute before the key press.
  const onPlayback = useCallback((tile: number) => {
    const cameraId = wall.tiles[tile];
    if (!cameraId) return;
    const moment = new Date(Date.now() - 30_000).toISOString();
    window.location.hash = `#/playback/${encodeURIComponent(cameraId)}/${encodeURIComponent(moment)}`;
  }, [wall.tiles]);
  const onRaised = useCallback((a: Alert) => setAnnouncement(t('incident.raisedNotice', { number: a.incidentNumber })), [t]);

  // A unit whose window opened goes onto the first free tile (if any); one whose window closed leaves every tile.
  const prevActive = useRef<ReadonlyMap<string, Activation> | null>(null);
  useEffect(() => {
    const prev = prevActive.current;
    prevActive.current = active;
    if (!prev || !active || !cameras || !wall.ready) return;
    const nameOf = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;
    const said: string[] = [];
    for (const id of prev.keys()) {
      if (active.has(id)) continue;
      wall.drop(id);
      said.push(t('activation.left', { name: nameOf(id) }));
    }
    const shown = wall.tiles.slice(0, wall.layout);
    for (const [id, a] of active) {
      if (prev.has(id) || !kinds.has(id)) continue;
      const until = formatClock(new Date(a.until), i18n.language);
      const free = shown.indexOf(null);
      if (shown.includes(id)) said.push(t('activation.arrived', { name: nameOf(id), event: a.eventName, until }));
      else if (free >= 0) {
        wall.assign(free, id);
        shown[free] = id;
        said.push(t('activation.placed', { name: nameOf(id), event: a.eventName, until, n: free + 1 }));
      } else said.push(t('activation.arrivedNoTile', { name: nameOf(id), event: a.eventName, until }));
    }
    if (said.length) setAnnouncement(said.join(' '));
  }, [active]); // only when the active units change

  return (
    <>
      <ViewHeading>{t('views.watch')}</ViewHeading>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="watch-announcer">{announcement}</p>
      <div className="layout layout--wall layout--watch">
        <CameraWall wall={wall} cameras={wallCameras} onTag={tagging ? onTag : undefined} onPreserve={preserving ? onPreserve : undefined}
          onPlayback={can('recordings.read') ? onPlayback : undefined} tileNote={activationNote} />
        <aside className="side-stack" aria-label={t('watch.side')}>
          {can('shifts.log') && <ShiftPanel cameraIds={wallCameraIds} />}
          {can('incidents.read') && <IncidentPanel feed={incidents} />}
          <section className="panel camera-panel" aria-label={t('cameraList.title')}>
            <h2>{t('cameraList.title')}</h2>
            {/* Clicking a camera puts it on the selected tile (dragging puts it on the tile it is dropped on). */}
            <CameraList variant="compact" headingLevel={3} onPick={(c) => wall.assign(wall.selected, c.id)}
              pickHint={t('wall.pick', { n: wall.selected + 1 })} include={onWallNow} note={(c) => activationNote(c.id)} ready={activationsReady} />
          </section>
        </aside>
      </div>
      {tag && (
        <IncidentForm mode="create" tag={tag} onSaved={incidents.upsert} onRaised={onRaised} onClose={() => setTag(null)} />
      )}
      {preserve && (
        <PreserveDialog request={preserve} onClose={() => setPreserve(null)}
          onSaved={(item) => { setPreserve(null); setAnnouncement(t('preserve.saved', { number: item.number })); }} />
      )}
    </>
  );
}

export function RegistryView() {
  const { t } = useTranslation();
  return (
    <>
      <ViewHeading>{t('views.registry')}</ViewHeading>
      <div className="panel"><CameraList /></div>
    </>
  );
}

export function InvestigationView() {
  const { t } = useTranslation();
  return (
    <>
      <ViewHeading>{t('views.investigation')}</ViewHeading>
      <div className="layout layout--investigation">
        <PoliceEvidencePanel />
        <section className="panel" aria-label={t('cameraList.title')}>
          <h2>{t('cameraList.title')}</h2>
          <CameraList variant="compact" headingLevel={3} />
        </section>
      </div>
    </>
  );
}

export function MunicipalityView() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { cameras } = useCameraRegistry();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    // The server scopes this list to the user's own municipality.
    api.municipalities()
      .then((list) => { if (!cancelled) setName(list.find((m) => m.id === me.municipalityId)?.name ?? null); })
      .catch(() => { /* fall back to the name carried by the cameras */ });
    return () => { cancelled = true; };
  }, [me.municipalityId]);
  const shownName = name ?? cameras?.find((c) => c.municipalityId === me.municipalityId)?.municipalityName ?? me.municipalityId ?? '';
  return (
    <>
      <ViewHeading>{t('views.municipality', { name: shownName })}</ViewHeading>
      <p className="muted" data-testid="municipality-name">{t('municipality.scope', { name: shownName })}</p>
      <div className="panel"><CameraList /></div>
      {cameras && <MunicipalityMasks cameras={cameras} />}
    </>
  );
}
