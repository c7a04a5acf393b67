// The camera registry as a list grouped by municipality, with search. Read-only; kept live by the registry context.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import type { CameraStatus } from '../api/endpoints';
import { useErrorText } from '../components/errors';
import { isTyping } from '../keys';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useLiveStatus } from '../session/LiveStatus';

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export function matchesSearch(c: Camera, q: string): boolean {
  const needle = fold(q.trim());
  if (!needle) return true;
  return [c.name, c.location.street, c.id, c.municipalityName].some((s) => fold(s).includes(needle));
}

interface Group { id: string; name: string; cameras: Camera[] }
function groupByMunicipality(list: Camera[]): Group[] {
  const groups = new Map<string, Group>();
  for (const c of list) {
    let g = groups.get(c.municipalityId);
    if (!g) groups.set(c.municipalityId, (g = { id: c.municipalityId, name: c.municipalityName, cameras: [] }));
    g.cameras.push(c);
  }
  return [...groups.values()];
}

/** The drag payload of a camera (list row) dropped on a wall tile. */
export const CAMERA_DRAG_TYPE = 'application/x-uitkijk-camera';

interface Props {
  /** 'compact' for a sidebar beside the wall, 'full' for a registry overview. */
  variant?: 'compact' | 'full';
  headingLevel?: 2 | 3;
  /** When given, each enabled camera's name is a button (and the row can be dragged): the wall puts it on a tile. */
  onPick?: (camera: Camera) => void;
  /** Completes the name button's accessible name, e.g. "show on tile 2". */
  pickHint?: string;
  /** Which cameras this list shows (e.g. the wall's list: a flexible unit only while it is active). Default: all. */
  include?: (camera: Camera) => boolean;
  /** A line under a camera's name, e.g. a flexible unit's event and until when it is active. */
  note?: (camera: Camera) => string | null;
  /** False while what `include` depends on is still loading: the list waits rather than showing a partial list. */
  ready?: boolean;
}

export function CameraList({ variant = 'full', headingLevel = 2, onPick, pickHint, include, note, ready = true }: Props) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { cameras: registry, error, reload } = useCameraRegistry();
  const cameras = useMemo(() => (!ready ? null : registry && include ? registry.filter(include) : registry), [registry, include, ready]);
  const live = useLiveStatus();
  const [query, setQuery] = useState('');
  const searchId = useId();
  const hintId = useId();
  const searchRef = useRef<HTMLInputElement>(null);

  // Keyboard first: "/" jumps to the search field from anywhere outside a text field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      searchRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const shown = useMemo(() => (cameras ?? []).filter((c) => matchesSearch(c, query)), [cameras, query]);
  const groups = useMemo(() => groupByMunicipality(shown), [shown]);
  const H = headingLevel === 2 ? 'h2' : 'h3';

  return (
    <div className={`camera-list camera-list--${variant}`} data-testid="camera-list">
      <div className="field field--search">
        <label htmlFor={searchId}>{t('cameraList.search')}</label>
        <input id={searchId} ref={searchRef} type="search" value={query} onChange={(e) => setQuery(e.target.value)}
          aria-describedby={hintId} autoComplete="off" data-testid="camera-search" />
        <p id={hintId} className="hint">{t('cameraList.searchHint')}</p>
      </div>
      <p className="muted" role="status" aria-live="polite" data-testid="camera-count">
        {cameras ? t('cameraList.count', { count: shown.length, total: cameras.length }) : ''}
      </p>
      {error && (
        <div className="banner banner--error" role="alert">
          <p>{t('cameraList.loadFailed')} {errorText(error)}</p>
          <button type="button" className="button" onClick={() => void reload()}>{t('common.retry')}</button>
        </div>
      )}
      {!cameras && !error && <p className="muted">{t('common.loading')}</p>}
      {cameras && shown.length === 0 && <p className="empty">{query ? t('cameraList.noMatch') : t('cameraList.empty')}</p>}
      {groups.map((g) => (
        <section key={g.id} className="camera-group" aria-labelledby={`group-${g.id}`} data-testid={`municipality-group-${g.id}`}>
          <H id={`group-${g.id}`} className="camera-group__title">
            {g.name} <span className="count">{t('cameraList.groupCount', { count: g.cameras.length })}</span>
          </H>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('camera.name')}</th>
                {variant === 'full' && <th scope="col">{t('camera.street')}</th>}
                {variant === 'full' && <th scope="col">{t('camera.kind')}</th>}
                {variant === 'full' && <th scope="col">{t('camera.source')}</th>}
                <th scope="col">{t('camera.status')}</th>
              </tr>
            </thead>
            <tbody>
              {g.cameras.map((c) => (
                <tr key={c.id} data-testid={`camera-${c.id}`} className={c.enabled ? undefined : 'row--disabled'}
                  draggable={onPick && c.enabled ? true : undefined}
                  onDragStart={onPick && c.enabled ? (e) => { e.dataTransfer.setData(CAMERA_DRAG_TYPE, c.id); e.dataTransfer.effectAllowed = 'copy'; } : undefined}>
                  <td>
                    {onPick && c.enabled
                      ? (
                        <button type="button" className="camera-pick camera-name" onClick={() => onPick(c)} data-testid={`pick-${c.id}`} title={t('wall.dragCamera')}>
                          {c.name}{pickHint && <span className="visually-hidden">, {pickHint}</span>}
                        </button>
                      )
                      : <span className="camera-name">{c.name}</span>}
                    {/* Compact: permanent is the norm, so only a flexible unit carries a badge. */}
                    {variant === 'compact' && c.kind === 'flexible' && <> <span className="badge badge--flexible">{t('camera.kinds.flexible')}</span></>}
                    {variant === 'compact'
                      ? <span className="sub">{c.location.street}</span>
                      : <span className="sub mono">{c.id}</span>}
                    {note?.(c) && <span className="sub camera-note" data-testid="camera-note">{note(c)}</span>}
                  </td>
                  {variant === 'full' && (
                    <td>
                      {c.location.street}
                      <span className="sub mono">{c.location.lat.toFixed(4)}, {c.location.lon.toFixed(4)}</span>
                    </td>
                  )}
                  {variant === 'full' && <td><span className={`badge badge--${c.kind}`}>{t(`camera.kinds.${c.kind}`)}</span></td>}
                  {variant === 'full' && <td>{t(`camera.sources.${c.source.type}`)}</td>}
                  <td>
                    {live.available && c.enabled
                      ? <LiveBadge status={live.get(c.id)} />
                      : <StatusBadge enabled={c.enabled} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

export function StatusBadge({ enabled }: { enabled: boolean }) {
  const { t } = useTranslation();
  return <span className={`badge ${enabled ? 'badge--ok' : 'badge--off'}`}>{enabled ? t('camera.enabled') : t('camera.disabled')}</span>;
}

/** Online or offline, by a shape and a word as well as a colour. `null` while the status is not known yet. */
export function LiveBadge({ status, testId }: { status: CameraStatus | null; testId?: string }) {
  const { t } = useTranslation();
  const state = status === null ? 'unknown' : status.online ? 'online' : 'offline';
  return (
    <span className={`live-badge live-badge--${state}`} data-testid={testId} data-state={state}>
      <span className="live-badge__dot" aria-hidden="true" />
      {t(`live.${state}`)}
    </span>
  );
}
