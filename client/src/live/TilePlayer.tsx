// A <video> with its live stream, for a wall tile (sub stream), the focus view and a dispatcher's alert (main stream),
// under the camera's privacy-mask cover. No frame shows before the camera's masks are known.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import type { CameraStatus, StreamKind } from '../api/endpoints';
import { MaskCover } from '../masks/MaskCover';
import { useCameraMasks } from '../masks/MasksProvider';
import { useNow } from '../useNow';
import type { LiveStreamState } from './liveStream';
import { markLive } from './marks';
import { useLiveStream } from './useLiveStream';

interface PlayerProps {
  cameraId: string;
  camera: Camera | undefined;
  status: CameraStatus | null;
  statusKnown: boolean;
  pageVisible: boolean;
  wanted: StreamKind;
  /** Small tiles (9 and 16) say it in one word. */
  compact?: boolean;
  onState?(s: LiveStreamState | null): void;
}

/** A <video> with its live stream and what the operator needs to know about it: state, latency, resolution. */
export function TilePlayer({ cameraId, camera, status, statusKnown, pageVisible, wanted, compact, onState }: PlayerProps) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const online = status?.online ?? false;
  const playable = !!camera && camera.enabled;
  const active = playable && online && pageVisible;
  // While the camera status is still loading (a wall just opened), the grant is already asked for.
  const s = useLiveStream(video, { cameraId, wanted, active, prefetch: playable && pageVisible && !statusKnown, subStreamLive: !!camera?.hasSubStream && !!status?.subStreamOnline });
  useEffect(() => { onState?.(s); }, [s, onState]);
  const now = useNow(s?.phase === 'retrying' ? 500 : null);
  // Read alongside the grant; the video stays invisible (opacity 0) until they are here, whatever the stream does.
  const masks = useCameraMasks(cameraId);
  const masksKnown = masks.masks !== null && masks.current;
  useEffect(() => { if (masksKnown) markLive('masks-known', cameraId); }, [masksKnown, cameraId]);

  let message: string | null = null;
  if (!camera) message = t('live.cameraUnknown');
  else if (!camera.enabled) message = t('live.cameraDisabled');
  else if (!statusKnown) message = t('live.waitingStatus');
  else if (!online) message = compact ? t('live.offline') : t('live.cameraOffline');
  else if (!pageVisible) message = t('live.paused');
  else if (!s || s.phase === 'connecting') message = t('live.connecting');
  else if (s.phase === 'retrying') {
    const seconds = Math.max(0, Math.ceil(((s.retryAt ?? 0) - now) / 1000));
    message = seconds > 0 ? t('live.retrying', { seconds }) : t('live.retryingNow');
  } else if (s.phase === 'refused') message = t('live.refused');
  else if (!masksKnown) message = masks.error ? t('masks.coverFailed') : t('masks.coverLoading');

  const playing = s?.phase === 'playing' && masksKnown;
  return (
    <div className={`player${playing ? ' player--playing' : ''}${!online && statusKnown ? ' player--offline' : ''}`}
      data-testid="player" data-phase={!statusKnown ? 'waiting' : !online ? 'offline' : s?.phase ?? 'idle'} data-stream={s?.granted ?? undefined}
      data-first-frame-ms={s?.firstFrameMs ?? undefined} data-masks={masksKnown ? 'known' : masks.error ? 'failed' : 'loading'}>
      <video ref={video} className="player__video" muted playsInline autoPlay disablePictureInPicture data-testid="tile-video"
        aria-label={camera ? t('live.videoOf', { name: camera.name }) : undefined} />
      {masks.masks && <MaskCover video={video} masks={masks.masks} compact={compact} />}
      {message && (
        <p className={`player__message${!online && statusKnown ? ' player__message--offline' : ''}`} data-testid="player-message">
          {!online && statusKnown && <span className="player__offline-icon" aria-hidden="true" />}
          {message}
        </p>
      )}
      {playing && (
        <p className="player__stats">
          <span className="player__latency" data-testid="tile-latency" data-ms={s.latencyMs ?? undefined} title={t('live.latencyTitle')}>
            {s.latencyMs === null ? t('live.latencyNone') : t('live.latency', { ms: s.latencyMs })}
          </span>
          {/* What is shown (decoded size of the stream played), at the frame rate the camera sends (from the status). */}
          <span className="player__format" data-testid="tile-format"
            title={status?.width && status.height ? t('live.cameraFormat', { width: status.width, height: status.height }) : undefined}>
            {s.width > 0 ? t('live.resolution', { width: s.width, height: s.height }) : null}
            {status?.fps ? <> · {t('live.fps', { fps: Math.round(status.fps) })}</> : null}
            {s.granted && <> · {t(`live.stream.${s.granted}`)}</>}
          </span>
        </p>
      )}
    </div>
  );
}
