// The record of live views (Wpg: who consulted which images, from when to when). An observer sees their own;
// a supervisor (views.read.all) sees everyone's and may narrow it to their own.
import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type LiveView } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useErrorText } from '../components/errors';
import { durationParts, formatDateTime } from '../format';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useCan } from '../session/SessionContext';

const LIMIT = 200;

export function ViewingHistory() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const can = useCan();
  const canAll = can('views.read.all');
  const { cameras } = useCameraRegistry();
  const scopeId = useId();
  const cameraId = useId();
  const [scope, setScope] = useState<'mine' | 'all'>(canAll ? 'all' : 'mine');
  const [camera, setCamera] = useState('');
  const [rows, setRows] = useState<LiveView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setRows(await api.liveViews({ scope, camera: camera || undefined, limit: LIMIT }));
      setNow(Date.now());
      setError(null);
    } catch (e) { setError(toApiError(e)); } finally { setLoading(false); }
  }, [scope, camera]);
  useEffect(() => { void load(); }, [load]);

  const duration = (v: LiveView) => {
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
        <button type="button" className="button" onClick={() => void load()} disabled={loading}>{t('history.refresh')}</button>
      </div>
      <div role="alert" className="alert-slot">{error && <p className="banner banner--error">{errorText(error)}</p>}</div>
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
                <th scope="col">{t('history.stream')}</th>
                {showWho && <th scope="col">{t('history.user')}</th>}
                {showWho && <th scope="col">{t('history.address')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => (
                <tr key={v.id} data-testid={`view-${v.id}`} data-camera-id={v.cameraId} data-username={v.username}>
                  <td className="nowrap">{formatDateTime(v.startedAt, i18n.language)}</td>
                  <td className="nowrap">
                    {v.endedAt ? formatDateTime(v.endedAt, i18n.language) : <span className="badge badge--ok">{t('history.ongoing')}</span>}
                  </td>
                  <td className="nowrap">{duration(v)}</td>
                  <td><span className="camera-name">{v.cameraName}</span><span className="sub mono">{v.cameraId}</span></td>
                  <td>{t(`live.stream.${v.stream}`)}</td>
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
