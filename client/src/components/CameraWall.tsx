// The live camera wall: 1, 4, 9 or 16 tiles of sub streams, a focus view of one camera's main stream, and the
// keyboard shortcuts of the supervision room. Only what is on screen plays: tiles outside the layout are not
// rendered, the wall behind the focus view is unmounted, and a hidden tab stops every player.
import { useCallback, useEffect, useId, useRef, useState, type DragEvent, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import type { CameraStatus, StreamKind, WallLayout } from '../api/endpoints';
import { useErrorText } from './errors';
import { formatDateTime } from '../format';
import type { LiveStreamState } from '../live/liveStream';
import { usePageVisible } from '../live/usePageVisible';
import { useLiveStream } from '../live/useLiveStream';
import type { Wall } from '../live/useWall';
import { columnsOf, LAYOUTS, type Direction } from '../live/wall';
import { useLiveStatus } from '../session/LiveStatus';
import { CAMERA_DRAG_TYPE, LiveBadge } from './CameraList';
import { Dialog } from './Dialog';

const TILE_DRAG_TYPE = 'application/x-uitkijk-tile';

const arrowKeys: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

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
  const [announcement, setAnnouncement] = useState('');
  const cameras = loadedCameras ?? [];
  const byId = new Map(cameras.map((c) => [c.id, c]));
  // Nothing plays before the saved arrangement and the registry are known (no flash of the default cameras).
  const ready = wall.ready && loadedCameras !== null;
  const { layout, tiles, selected, focused } = wall;
  const focusedCameraId = tiles[selected] ?? null;
  const focusedCamera = focusedCameraId ? byId.get(focusedCameraId) : undefined;

  const announce = useCallback((text: string) => setAnnouncement(text), []);

  // Announce what a click, drop or clear did to the tiles (wherever the change came from, e.g. the camera list).
  const prevTiles = useRef<(string | null)[] | null>(null);
  useEffect(() => {
    const prev = prevTiles.current;
    // Not while the saved layout and the registry are still arriving.
    prevTiles.current = wall.ready && cameras.length > 0 ? tiles : null;
    if (!prev || !prevTiles.current) return;
    const changed = tiles.map((id, i) => (id !== prev[i] ? i : -1)).filter((i) => i >= 0 && i < layout);
    const i = changed.includes(selected) ? selected : changed[0];
    if (i === undefined) return;
    const id = tiles[i];
    announce(id ? t('wall.announce.assigned', { name: byId.get(id)?.name ?? id, n: i + 1 }) : t('wall.announce.cleared', { n: i + 1 }));
  }, [tiles]); // only when the assignment changes

  // Keyboard first: the room works with one hand on the keys. Never while typing, never under a dialog.
  const wallRef = useRef(wall);
  wallRef.current = wall;
  const onTagRef = useRef(onTag);
  onTagRef.current = onTag;
  const onPreserveRef = useRef(onPreserve);
  onPreserveRef.current = onPreserve;
  const onPlaybackRef = useRef(onPlayback);
  onPlaybackRef.current = onPlayback;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const w = wallRef.current;
      const k = e.key;
      if (/^[1-9]$/.test(k)) {
        const tile = Number(k) - 1;
        if (tile >= w.layout) return;
        w.select(tile);
      } else if (k === 'f' || k === 'F') {
        w.setFocused(!w.focused);
      } else if (k === 'g' || k === 'G') {
        w.cycleLayout();
      } else if (k in arrowKeys) {
        w.move(arrowKeys[k]!);
      } else if (k === 'Escape' && w.focused) {
        w.setFocused(false);
      } else if (k === '?') {
        setHelpOpen(true);
      } else if ((k === 'm' || k === 'M') && onTagRef.current && !e.repeat) {
        onTagRef.current(w.selected);
      } else if ((k === 'b' || k === 'B') && onPreserveRef.current && !e.repeat) {
        onPreserveRef.current(w.selected);
      } else if ((k === 't' || k === 'T') && onPlaybackRef.current && !e.repeat) {
        onPlaybackRef.current(w.selected);
      } else {
        return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Tell screen-reader users what the keys did.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    announce(t('wall.announce.selected', { n: selected + 1 }));
  }, [selected, announce, t]);
  const firstLayout = useRef(true);
  useEffect(() => {
    if (firstLayout.current || !wall.ready) { if (wall.ready) firstLayout.current = false; return; }
    announce(t('wall.announce.layout', { count: layout }));
  }, [layout, wall.ready, announce, t]);

  // Focus follows the view: into the focus view when it opens, back to the selected tile when it closes.
  const focusRef = useRef<HTMLElement>(null);
  const wasFocused = useRef(focused);
  useEffect(() => {
    if (wasFocused.current === focused) return;
    wasFocused.current = focused;
    if (focused) {
      focusRef.current?.focus();
      announce(focusedCamera ? t('wall.announce.focus', { name: focusedCamera.name }) : t('wall.announce.unfocus'));
    } else {
      document.querySelector<HTMLElement>(`[data-testid="wall-slot-${selected + 1}"] .wall-tile__select`)?.focus();
      announce(t('wall.announce.unfocus'));
    }
  }, [focused]); // only on the change of view, with the names as they are then

  return (
    <section className="camera-wall" aria-labelledby={headingId} data-testid="camera-wall" data-layout={layout} data-focused={focused ? 'true' : 'false'}>
      <div className="camera-wall__bar">
        <h2 id={headingId}>{t('wall.title')}</h2>
        <div className="segmented" role="group" aria-label={t('wall.layout')}>
          {LAYOUTS.map((l) => (
            <button key={l} type="button" className="segmented__option" aria-pressed={l === layout} onClick={() => wall.setLayout(l)}
              data-testid={`layout-${l}`} aria-label={t('wall.layoutOption', { count: l })}>
              <LayoutIcon layout={l} />
              <span aria-hidden="true">{l}</span>
            </button>
          ))}
        </div>
        <span className="camera-wall__selected" data-testid="selected-tile">{t('wall.selectedTile', { n: selected + 1 })}</span>
        <button type="button" className="button button--small" onClick={() => wall.setFocused(!focused)} aria-keyshortcuts="F" data-testid="focus-toggle">
          {focused ? t('wall.unfocus') : t('wall.focus')} <kbd>{focused ? 'Esc' : 'F'}</kbd>
        </button>
        {onTag && (
          <button type="button" className="button button--small button--alarm" onClick={() => onTag(selected)} aria-keyshortcuts="M" data-testid="tag-incident">
            {t('wall.tag')} <kbd>M</kbd>
          </button>
        )}
        {onPreserve && (
          <button type="button" className="button button--small" onClick={() => onPreserve(selected)} aria-keyshortcuts="B" data-testid="preserve-evidence">
            {t('wall.preserve')} <kbd>B</kbd>
          </button>
        )}
        <button type="button" className="button button--small button--quiet" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?" data-testid="shortcut-help-open">
          {t('shortcuts.open')} <kbd>?</kbd>
        </button>
      </div>
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

function LayoutIcon({ layout }: { layout: WallLayout }) {
  const n = columnsOf(layout);
  const cell = 14 / n;
  return (
    <svg className="layout-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {Array.from({ length: layout }, (_, i) => (
        <rect key={i} x={1 + (i % n) * cell + 0.5} y={1 + Math.floor(i / n) * cell + 0.5} width={cell - 1} height={cell - 1} rx="0.5" />
      ))}
    </svg>
  );
}

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

function WallTile({ index, cameraId, camera, status, statusKnown, selected, pageVisible, wall, announce, note }: TileProps) {
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

  const playing = s?.phase === 'playing';
  return (
    <div className={`player${playing ? ' player--playing' : ''}${!online && statusKnown ? ' player--offline' : ''}`}
      data-testid="player" data-phase={!statusKnown ? 'waiting' : !online ? 'offline' : s?.phase ?? 'idle'} data-stream={s?.granted ?? undefined}
      data-first-frame-ms={s?.firstFrameMs ?? undefined}>
      <video ref={video} className="player__video" muted playsInline autoPlay disablePictureInPicture data-testid="tile-video"
        aria-label={camera ? t('live.videoOf', { name: camera.name }) : undefined} />
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

/** The current time, refreshed every `everyMs` while given (for countdowns). */
function useNow(everyMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (everyMs === null) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

interface FocusProps {
  tile: number;
  cameraId: string | null;
  camera: Camera | undefined;
  status: CameraStatus | null;
  pageVisible: boolean;
  ref: Ref<HTMLElement>;
}

/** One camera full size, its main stream. */
function FocusView({ tile, cameraId, camera, status, pageVisible, ref }: FocusProps) {
  const { t, i18n } = useTranslation();
  const live = useLiveStatus();
  const [s, setS] = useState<LiveStreamState | null>(null);
  const name = camera?.name ?? cameraId ?? t('wall.emptySlot');
  return (
    <section ref={ref} tabIndex={-1} className="focus-view" aria-label={t('focus.label', { name })} data-testid="focus-view" data-camera-id={cameraId ?? undefined}>
      <div className="focus-view__head">
        <h3 className="focus-view__title">
          <span className="wall-tile__slot">{tile + 1}</span> {name}
        </h3>
        {camera && <span className="muted">{t('wall.where', { street: camera.location.street, municipality: camera.municipalityName })}</span>}
        {camera && <LiveBadge status={live.loaded || !live.available ? status : null} testId="focus-status" />}
      </div>
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

function ShortcutHelp({ onClose, tagging, preserving, playback }: { onClose(): void; tagging: boolean; preserving: boolean; playback: boolean }) {
  const { t } = useTranslation();
  const rows: [string[], string][] = [
    ...(tagging ? [[['M'], t('shortcuts.keys.tag')] as [string[], string]] : []),
    ...(preserving ? [[['B'], t('shortcuts.keys.preserve')] as [string[], string]] : []),
    ...(playback ? [[['T'], t('shortcuts.keys.playback')] as [string[], string]] : []),
    [['1', '…', '9'], t('shortcuts.keys.tile')],
    [['←', '↑', '→', '↓'], t('shortcuts.keys.arrows')],
    [['F'], t('shortcuts.keys.focus')],
    [['Esc'], t('shortcuts.keys.escape')],
    [['G'], t('shortcuts.keys.layout')],
    [['/'], t('shortcuts.keys.search')],
    [['?'], t('shortcuts.keys.help')],
  ];
  return (
    <Dialog title={t('shortcuts.title')} onClose={onClose} testId="shortcut-help">
      <p className="muted">{t('shortcuts.intro')}</p>
      <table className="table shortcut-table">
        <thead><tr><th scope="col">{t('shortcuts.key')}</th><th scope="col">{t('shortcuts.does')}</th></tr></thead>
        <tbody>
          {rows.map(([keys, what]) => (
            <tr key={what}>
              <td className="nowrap">
                {keys.map((k, i) => (k === '…' ? <span key={i} className="muted"> … </span> : <kbd key={i}>{k}</kbd>))}
                {keys[0] === '←' && <span className="visually-hidden">{t('shortcuts.arrowKeys')}</span>}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t('shortcuts.mouse')}</p>
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onClose} autoFocus>{t('common.close')}</button>
      </div>
    </Dialog>
  );
}
