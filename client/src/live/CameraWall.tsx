// The live camera wall: 1, 4, 9 or 16 tiles of sub streams, a focus view of one camera's main stream, and the
// keyboard shortcuts of the supervision room. Only what is on screen plays: tiles outside the layout are not
// rendered, the wall behind the focus view is unmounted, and a hidden tab stops every player.
// The parts: WallToolbar (layout and buttons), WallTile (one tile), FocusView, ShortcutHelp; the keys are in
// useWallKeys, what is said to screen-reader users (and where the focus goes) in useWallAnnouncer.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import { useErrorText } from '../components/errors';
import { useLiveStatus } from '../session/LiveStatus';
import { FocusView } from './FocusView';
import { ShortcutHelp } from './ShortcutHelp';
import { usePageVisible } from './usePageVisible';
import type { Wall } from './useWall';
import { useWallAnnouncer } from './useWallAnnouncer';
import { useWallKeys } from './useWallKeys';
import { columnsOf } from './wall';
import { WallTile } from './WallTile';
import { WallToolbar } from './WallToolbar';

interface Props {
  wall: Wall;
  cameras: Camera[] | null;
  /** M (melding): tag an incident on the selected tile. Called in the key handler itself, so the caller can take the
   *  moment of the key press. Without it the wall has no tag key. */
  onTag?(tile: number): void;
  /** B (bewaren): preserve evidence of the selected tile; called in the key handler so the moment is the key press. */
  onPreserve?(tile: number): void;
  /** T (terugkijken): open the recordings of the selected tile's camera; called in the key handler (moment of the key press). */
  onPlayback?(tile: number): void;
  /** A short line under a tile's location, e.g. a flexible unit's event and until when it is active. */
  tileNote?(cameraId: string): string | null;
}

export function CameraWall({ wall, cameras: loadedCameras, onTag, onPreserve, onPlayback, tileNote }: Props) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const headingId = useId();
  const status = useLiveStatus();
  const pageVisible = usePageVisible();
  const [helpOpen, setHelpOpen] = useState(false);
  const cameras = loadedCameras ?? [];
  const byId = new Map(cameras.map((c) => [c.id, c]));
  // Nothing plays before the saved arrangement and the registry are known (no flash of the default cameras).
  const ready = wall.ready && loadedCameras !== null;
  const { layout, tiles, selected, focused } = wall;
  const focusedCameraId = tiles[selected] ?? null;
  const focusedCamera = focusedCameraId ? byId.get(focusedCameraId) : undefined;

  const { announcement, announce, focusRef } = useWallAnnouncer(wall, byId, cameras.length > 0, focusedCamera);
  useWallKeys(wall, { onTag, onPreserve, onPlayback, onHelp: () => setHelpOpen(true) });

  return (
    <section className="camera-wall" aria-labelledby={headingId} data-testid="camera-wall" data-layout={layout} data-focused={focused ? 'true' : 'false'}>
      <WallToolbar headingId={headingId} wall={wall} onTag={onTag} onPreserve={onPreserve} onHelp={() => setHelpOpen(true)} />
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="wall-announcer">{announcement}</p>
      {wall.loadError && <p className="banner banner--warning">{t('wall.loadFailed')} {errorText(wall.loadError)}</p>}
      {wall.saveError && <p className="banner banner--error" role="alert">{t('wall.saveFailed')} {errorText(wall.saveError)}</p>}

      {!ready && <p className="muted" role="status">{t('common.loading')}</p>}
      {/* The stage is the room left for the pictures; the grid and the focus view size themselves to it (styles.css). */}
      {ready && (
        <div className="camera-wall__stage">
          {focused
            ? (
              <FocusView ref={focusRef} tile={selected} cameraId={focusedCameraId} camera={focusedCamera}
                status={focusedCameraId ? status.get(focusedCameraId) : null} pageVisible={pageVisible} />
            )
            : (
              <ol className="camera-wall__grid" style={{ ['--cols' as string]: columnsOf(layout) }} data-testid="wall-grid">
                {tiles.slice(0, layout).map((cameraId, i) => (
                  <WallTile key={i} index={i} cameraId={cameraId} camera={cameraId ? byId.get(cameraId) : undefined}
                    status={cameraId ? status.get(cameraId) : null} statusKnown={status.loaded || !status.available}
                    selected={i === selected} pageVisible={pageVisible} wall={wall} announce={announce} note={cameraId && tileNote ? tileNote(cameraId) : null} />
                ))}
              </ol>
            )}
        </div>
      )}
      {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} tagging={!!onTag} preserving={!!onPreserve} playback={!!onPlayback} />}
    </section>
  );
}
