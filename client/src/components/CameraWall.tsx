// The camera wall: a grid of tile slots. No video yet: each tile says so plainly. The live player of the next
// issue mounts inside `.wall-tile__video` (one per slot, keyed by camera id); nothing here pretends to be video.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';

export const WALL_SLOTS = 16; // 4 x 4: one observer follows 15 to 20 feeds; walls play sub streams.

interface Props { cameras: Camera[]; slots?: number }

export function CameraWall({ cameras, slots = WALL_SLOTS }: Props) {
  const { t } = useTranslation();
  const headingId = useId();
  const onWall = cameras.filter((c) => c.enabled).slice(0, slots);
  const tiles = Array.from({ length: slots }, (_, i) => onWall[i] ?? null);
  return (
    <section className="camera-wall" aria-labelledby={headingId} data-testid="camera-wall">
      <h2 id={headingId}>{t('wall.title')}</h2>
      <ol className="camera-wall__grid">
        {tiles.map((camera, i) => (
          <li key={camera?.id ?? `empty-${i}`} className={`wall-tile${camera ? '' : ' wall-tile--empty'}`}
            data-testid={`wall-slot-${i + 1}`} data-camera-id={camera?.id}>
            <div className="wall-tile__video">
              <span className="wall-tile__novideo">{t('wall.noVideo')}</span>
            </div>
            <div className="wall-tile__caption">
              <span className="wall-tile__slot" aria-hidden="true">{i + 1}</span>
              {camera
                ? <><span className="wall-tile__name">{camera.name}</span><span className="wall-tile__where">{camera.municipalityName}</span></>
                : <span className="wall-tile__name muted">{t('wall.emptySlot')}</span>}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
