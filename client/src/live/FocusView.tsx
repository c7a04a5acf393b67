// The focus view: one camera full size on its main stream, with what the camera sends and what is played.
import { useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import type { CameraStatus } from '../api/endpoints';
import { formatDateTime } from '../format';
import { LiftDialog } from '../masks/LiftDialog';
import { useCameraMasks } from '../masks/MasksProvider';
import { useLiveStatus } from '../session/LiveStatus';
import { useCan } from '../session/SessionContext';
import { LiveBadge } from './CameraList';
import type { LiveStreamState } from './liveStream';
import { TilePlayer } from './TilePlayer';

interface FocusProps {
  tile: number;
  cameraId: string | null;
  camera: Camera | undefined;
  status: CameraStatus | null;
  pageVisible: boolean;
  ref: Ref<HTMLElement>;
}

/** One camera full size, its main stream. */
export function FocusView({ tile, cameraId, camera, status, pageVisible, ref }: FocusProps) {
  const { t, i18n } = useTranslation();
  const live = useLiveStatus();
  const [s, setS] = useState<LiveStreamState | null>(null);
  const name = camera?.name ?? cameraId ?? t('wall.emptySlot');
  // The supervisor lifts a liftable mask from here: the camera is in view, full size.
  const mayLift = useCan()('masks.lift');
  const masks = useCameraMasks(mayLift ? cameraId : null);
  const [lifting, setLifting] = useState(false);
  const hasLiftable = !!masks.masks?.current.masks.some((m) => m.kind === 'liftable');
  return (
    <section ref={ref} tabIndex={-1} className="focus-view" aria-label={t('focus.label', { name })} data-testid="focus-view" data-camera-id={cameraId ?? undefined}>
      <div className="focus-view__head">
        <h3 className="focus-view__title">
          <span className="wall-tile__slot">{tile + 1}</span> {name}
        </h3>
        {camera && <span className="muted">{t('wall.where', { street: camera.location.street, municipality: camera.municipalityName })}</span>}
        {camera && <LiveBadge status={live.loaded || !live.available ? status : null} testId="focus-status" />}
        {mayLift && cameraId && hasLiftable && (
          <button type="button" className="button button--small" onClick={() => setLifting(true)} data-testid="mask-lift-open">
            {t('masks.liftOpen')}
          </button>
        )}
      </div>
      {lifting && cameraId && masks.masks && (
        <LiftDialog cameraId={cameraId} cameraName={name} masks={masks.masks} onChanged={masks.refresh} onClose={() => setLifting(false)} />
      )}
      {/* The frame takes the room left; the picture in it is the largest 16:9 that fits. */}
      <div className="focus-view__frame">
        <div className="focus-view__video">
          {cameraId
            ? <TilePlayer key={cameraId} cameraId={cameraId} camera={camera} status={status} statusKnown={live.loaded || !live.available} pageVisible={pageVisible} wanted="main" onState={setS} />
            : <p className="player__message">{t('focus.empty')}</p>}
        </div>
      </div>
      {camera && (
        <dl className="focus-view__details" aria-label={t('focus.details')}>
          <div><dt>{t('focus.camera')}</dt><dd>
            {status?.width && status.height ? t('live.resolution', { width: status.width, height: status.height }) : t('focus.none')}
            {status?.fps ? ` · ${t('live.fps', { fps: Math.round(status.fps) })}` : ''}
          </dd></div>
          <div><dt>{t('focus.bitrate')}</dt><dd>{status?.bitrateKbps ? t('live.bitrate', { kbps: Math.round(status.bitrateKbps) }) : t('focus.none')}</dd></div>
          <div><dt>{t('focus.played')}</dt><dd data-testid="focus-played">
            {s?.granted ? t(`live.stream.${s.granted}`) : t('focus.none')}
            {s && s.width > 0 ? ` · ${t('live.resolution', { width: s.width, height: s.height })}` : ''}
          </dd></div>
          <div><dt>{t('focus.latency')}</dt><dd>{s?.latencyMs != null ? t('focus.ms', { ms: s.latencyMs }) : t('focus.none')}</dd></div>
          <div><dt>{t('focus.firstFrame')}</dt><dd>{s?.firstFrameMs != null ? t('focus.ms', { ms: s.firstFrameMs }) : t('focus.none')}</dd></div>
          <div><dt>{t('focus.since')}</dt><dd>{status?.since ? formatDateTime(status.since, i18n.language) : t('focus.none')}</dd></div>
        </dl>
      )}
    </section>
  );
}
