// The read-only consoles: observer (wall + list), supervisor's registry, dispatcher, police, municipality.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/endpoints';
import { CameraList } from '../components/CameraList';
import { CameraWall } from '../components/CameraWall';
import { PlaceholderPanel } from '../components/PlaceholderPanel';
import { useWall } from '../live/useWall';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useSession } from '../session/SessionContext';

function ViewHeading({ children }: { children: string }) {
  return <h1 tabIndex={-1} className="view-title">{children}</h1>;
}

export function WatchView() {
  const { t } = useTranslation();
  const { cameras } = useCameraRegistry();
  const wall = useWall(cameras);
  return (
    <>
      <ViewHeading>{t('views.watch')}</ViewHeading>
      <div className="layout layout--wall">
        <CameraWall wall={wall} cameras={cameras} />
        <aside className="panel" aria-label={t('cameraList.title')}>
          <h2>{t('cameraList.title')}</h2>
          {/* Clicking a camera puts it on the selected tile (dragging puts it on the tile it is dropped on). */}
          <CameraList variant="compact" headingLevel={3} onPick={(c) => wall.assign(wall.selected, c.id)}
            pickHint={t('wall.pick', { n: wall.selected + 1 })} />
        </aside>
      </div>
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

export function DispatchView() {
  const { t } = useTranslation();
  return (
    <>
      <ViewHeading>{t('views.dispatch')}</ViewHeading>
      <div className="layout layout--side">
        <PlaceholderPanel title={t('alerts.title')} testId="alerts-queue">
          <p>{t('alerts.none')}</p>
          <p className="muted">{t('alerts.later')}</p>
        </PlaceholderPanel>
        <section className="panel" aria-label={t('cameraList.locations')}>
          <h2>{t('cameraList.locations')}</h2>
          <CameraList headingLevel={3} />
        </section>
      </div>
    </>
  );
}

export function InvestigationView() {
  const { t } = useTranslation();
  return (
    <>
      <ViewHeading>{t('views.investigation')}</ViewHeading>
      <div className="layout layout--side">
        <PlaceholderPanel title={t('evidence.title')} testId="evidence-panel">
          <p>{t('evidence.notYet')}</p>
          <p className="muted">{t('evidence.later')}</p>
        </PlaceholderPanel>
        <section className="panel" aria-label={t('cameraList.title')}>
          <h2>{t('cameraList.title')}</h2>
          <CameraList headingLevel={3} />
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
    </>
  );
}
