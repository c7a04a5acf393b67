// One tile of the wall: its camera's sub stream, the number, the live status and the caption (name, place, a note).
// A camera from the list or another tile can be dropped on it; a double click opens the focus view.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import type { CameraStatus } from '../api/endpoints';
import { CAMERA_DRAG_TYPE, LiveBadge } from './CameraList';
import { TilePlayer } from './TilePlayer';
import type { Wall } from './useWall';

const TILE_DRAG_TYPE = 'application/x-uitkijk-tile';

interface TileProps {
  index: number;
  cameraId: string | null;
  camera: Camera | undefined;
  status: CameraStatus | null;
  statusKnown: boolean;
  selected: boolean;
  pageVisible: boolean;
  wall: Wall;
  announce(text: string): void;
  note?: string | null;
}

export function WallTile({ index, cameraId, camera, status, statusKnown, selected, pageVisible, wall, announce, note }: TileProps) {
  const { t } = useTranslation();
  const compact = wall.layout >= 9;
  const [dropping, setDropping] = useState(false);
  const n = index + 1;
  const name = camera?.name ?? cameraId ?? t('wall.emptySlot');
  const where = camera ? t('wall.where', { street: camera.location.street, municipality: camera.municipalityName }) : null;
  const tooltip = [name, where, note].filter(Boolean).join('\n');

  // Announce a camera on the wall going offline or coming back (not the first status).
  const prevOnline = useRef<boolean | null>(null);
  useEffect(() => {
    if (!camera || !status) { prevOnline.current = null; return; }
    if (prevOnline.current !== null && prevOnline.current !== status.online) {
      announce(t(status.online ? 'wall.announce.online' : 'wall.announce.offline', { name: camera.name }));
    }
    prevOnline.current = status.online;
  }, [camera, status, announce, t]);

  const acceptsDrop = (e: DragEvent) => e.dataTransfer.types.includes(CAMERA_DRAG_TYPE) || e.dataTransfer.types.includes(TILE_DRAG_TYPE);
  const onDrop = (e: DragEvent) => {
    setDropping(false);
    const id = e.dataTransfer.getData(CAMERA_DRAG_TYPE);
    const from = e.dataTransfer.getData(TILE_DRAG_TYPE);
    if (!id && !from) return;
    e.preventDefault();
    if (id) wall.assign(index, id);
    else wall.swap(Number(from), index);
    wall.select(index);
  };

  return (
    <li className={`wall-tile${selected ? ' wall-tile--selected' : ''}${cameraId ? '' : ' wall-tile--empty'}${dropping ? ' wall-tile--drop' : ''}`}
      data-testid={`wall-slot-${n}`} data-camera-id={cameraId ?? undefined} data-selected={selected ? 'true' : 'false'}
      onDragOver={(e) => {
        if (!acceptsDrop(e)) return;
        e.preventDefault();
        // Must match what the source allows (a camera from the list is copied, a tile is moved), or there is no drop.
        e.dataTransfer.dropEffect = e.dataTransfer.types.includes(CAMERA_DRAG_TYPE) ? 'copy' : 'move';
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)} onDrop={onDrop}>
      <div className="wall-tile__video" onClick={() => wall.select(index)} onDoubleClick={() => { wall.select(index); if (cameraId) wall.setFocused(true); }}
        draggable={cameraId ? true : undefined}
        onDragStart={cameraId ? (e) => { e.dataTransfer.setData(TILE_DRAG_TYPE, String(index)); e.dataTransfer.effectAllowed = 'move'; } : undefined}>
        {cameraId
          ? <TilePlayer cameraId={cameraId} camera={camera} status={status} statusKnown={statusKnown} pageVisible={pageVisible} wanted="sub" compact={compact} />
          : <span className="wall-tile__message">{t('wall.dropHint')}</span>}
        <span className="wall-tile__number" aria-hidden="true">{n}</span>
        {/* On the picture, like the number: the caption below keeps its width for the name. */}
        {camera && <span className="wall-tile__status"><LiveBadge status={statusKnown ? status : null} testId="tile-status" /></span>}
      </div>
      {/* A fixed height, so every tile has the same size and the grid can be fitted to the screen. Names take two
          lines in the small tiles; the whole name, place and note are also in the tooltip. */}
      <div className="wall-tile__caption" title={tooltip}>
        <div className="wall-tile__line">
          {/* The visible text (number, space, name) is part of the accessible name: speech users say what they see. */}
          <button type="button" className="wall-tile__select" aria-pressed={selected} onClick={() => wall.select(index)}
            aria-label={`${t('wall.tile', { n })}: ${name}`} aria-keyshortcuts={n <= 9 ? String(n) : undefined}>
            <span className="wall-tile__slot" aria-hidden="true">{n}</span>{' '}
            <span className="wall-tile__name" data-testid="tile-name">{name}</span>
          </button>
          {cameraId && (
            <button type="button" className="button button--quiet button--tiny" onClick={() => wall.clear(index)}
              aria-label={t('wall.clearTile', { n })} title={t('wall.clearTile', { n })}>
              <span aria-hidden="true">×</span>
            </button>
          )}
        </div>
        {/* Small tiles have room for one line under the name: a flexible unit's event, else the place. */}
        {camera && (!compact || !note) && (
          <div className="wall-tile__line wall-tile__line--meta">
            <span className="wall-tile__where" data-testid="tile-location">{where}</span>
          </div>
        )}
        {camera && note && (
          <div className="wall-tile__line wall-tile__line--meta">
            <span className="badge badge--flexible">{t('camera.kinds.flexible')}</span>
            <span className="wall-tile__where" data-testid="tile-note">{note}</span>
          </div>
        )}
      </div>
    </li>
  );
}
