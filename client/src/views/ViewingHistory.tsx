// The record of live views and of playbacks of recordings (Wpg: who consulted which images, from when to when),
// newest first in one table. An observer sees their own; a supervisor (views.read.all) sees everyone's and may
// narrow it to their own.
import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type LiveView, type RecordingView } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useErrorText } from '../components/errors';
import { ErrorSlot } from '../components/Slots';
import { durationParts, formatDateTime } from '../format';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useCan } from '../session/SessionContext';

const LIMIT = 200;

type Kind = 'live' | 'recording';
type HistoryRow = (LiveView & { kind: 'live' }) | (RecordingView & { kind: 'recording' });

export function ViewingHistory() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const can = useCan();
  const canAll = can('views.read.all');
  const { cameras } = useCameraRegistry();
  const scopeId = useId();
  const cameraId = useId();
  const kindId = useId();
  const [scope, setScope] = useState<'mine' | 'all'>(canAll ? 'all' : 'mine');
  const [camera, setCamera] = useState('');
  const [kind, setKind] = useState<Kind | ''>('');
  const [rows, setRows] = useState<HistoryRow[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const q = { scope, camera: camera || undefined, limit: LIMIT };
      const [live, recorded] = await Promise.all([
        kind === 'recording' ? [] : api.liveViews(q),
        kind === 'live' ? [] : api.recordingViews(q),
      ]);
      const merged: HistoryRow[] = [...live.map((v) => ({ ...v, kind: 'live' as const })), ...recorded.map((v) => ({ ...v, kind: 'recording' as const }))];
      merged.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      setRows(merged.slice(0, LIMIT));
      setNow(Date.now());
      setError(null);
    } catch (e) { setError(toApiError(e)); } finally { setLoading(false); }
  }, [scope, camera, kind]);
  useEffect(() => { void load(); }, [load]);

  const duration = (v: HistoryRow) => {
    const ms = (v.endedAt ? new Date(v.endedAt).getTime() : now) - new Date(v.startedAt).getTime();
    const p = durationParts(ms);
    return t(`duration.${p.unit}`, { h: p.h, m: p.unit === 'hours' ? String(p.m).padStart(2, '0') : p.m, s: p.s });
  };
  const showWho = scope === 'all';
  const title = scope === 'all' ? t('history.titleAll') : t('history.titleMine');

  return (
    <>
      <h1 tabIndex={-1} className="view-title" data-testid="history-title">{title}</h1>
      <p className="muted">{t('history.intro')}</p>
      <div className="toolbar" role="search" aria-label={t('history.filterLabel')}>
        {canAll && (
          <div className="field">
            <label htmlFor={scopeId}>{t('history.scope')}</label>
            <select id={scopeId} value={scope} onChange={(e) => setScope(e.target.value === 'mine' ? 'mine' : 'all')} data-testid="history-scope">
              <option value="all">{t('history.scopeAll')}</option>
              <option value="mine">{t('history.scopeMine')}</option>
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={cameraId}>{t('history.camera')}</label>
          <select id={cameraId} value={camera} onChange={(e) => setCamera(e.target.value)} data-testid="history-camera">
            <option value="">{t('history.allCameras')}</option>
            {(cameras ?? []).map((c) => <option key={c.id} value={c.id}>{c.name} ({c.municipalityName})</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={kindId}>{t('history.kind')}</label>
          <select id={kindId} value={kind} onChange={(e) => setKind(e.target.value === 'live' || e.target.value === 'recording' ? e.target.value : '')} data-testid="history-kind">
            <option value="">{t('history.kindAll')}</option>
            <option value="live">{t('history.kindLive')}</option>
            <option value="recording">{t('history.kindRecording')}</option>
          </select>
        </div>
        <button type="button" className="button" onClick={() => void load()} disabled={loading}>{t('history.refresh')}</button>
      </div>
      <ErrorSlot error={error && errorText(error)} />
      {!rows && !error && <p className="muted">{t('common.loading')}</p>}
      {rows && (
        <div className="panel table-wrap">
          <p className="muted" role="status" data-testid="history-count">{t('history.count', { count: rows.length })}</p>
          <table className="table table--dense" data-testid="history-table" aria-busy={loading}>
            <caption className="visually-hidden">{t('history.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('history.started')}</th>
                <th scope="col">{t('history.ended')}</th>
                <th scope="col">{t('history.duration')}</th>
                <th scope="col">{t('history.camera')}</th>
                <th scope="col">{t('history.what')}</th>
                {showWho && <th scope="col">{t('history.user')}</th>}
                {showWho && <th scope="col">{t('history.address')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => (
                <tr key={`${v.kind}-${v.id}`} data-testid={v.kind === 'live' ? `view-${v.id}` : `playback-${v.id}`} data-kind={v.kind} data-camera-id={v.cameraId} data-username={v.username}>
                  <td className="nowrap">{formatDateTime(v.startedAt, i18n.language)}</td>
                  <td className="nowrap">
                    {v.endedAt ? formatDateTime(v.endedAt, i18n.language) : <span className="badge badge--ok">{t('history.ongoing')}</span>}
                  </td>
                  <td className="nowrap">{duration(v)}</td>
                  <td><span className="camera-name">{v.cameraName}</span><span className="sub mono">{v.cameraId}</span></td>
                  <td>
                    <span className={`badge ${v.kind === 'live' ? 'badge--permanent' : 'badge--flexible'}`}>{v.kind === 'live' ? t('history.kindLive') : t('history.kindRecording')}</span>{' '}
                    {v.kind === 'live'
                      ? t(`live.stream.${v.stream}`)
                      : t('history.recordedRange', { from: formatDateTime(v.rangeFrom, i18n.language), to: formatDateTime(v.rangeTo, i18n.language) })}
                  </td>
                  {showWho && <td>{v.username}</td>}
                  {showWho && <td className="mono">{v.remoteAddr ?? ''}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="empty">{t('history.empty')}</p>}
        </div>
      )}
    </>
  );
}
