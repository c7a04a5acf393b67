// Admin: the camera registry as a table, with create, edit, disable/enable and key rotation.
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera, Municipality } from '../../../server/cameras/schema';
import { api, type CameraWithKey } from '../api/endpoints';
import { toApiError } from '../api/http';
import { matchesSearch, StatusBadge } from '../live/CameraList';
import { ConfirmDialog } from '../components/Dialog';
import { KeyDialog } from '../components/KeyDialog';
import { useErrorText } from '../components/errors';
import { useCameraRegistry } from '../session/CameraRegistry';
import { CameraForm } from './CameraForm';

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; camera: Camera }
  | { kind: 'disable'; camera: Camera }
  | { kind: 'rotate'; camera: Camera }
  | { kind: 'key'; cameraName: string; publishKey: string; publishUrl: string | null };

export function CameraManagement() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { cameras, error, reload, upsert } = useCameraRegistry();
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [modal, setModal] = useState<Modal | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const searchId = useId();

  useEffect(() => {
    api.municipalities().then(setMunicipalities).catch((e) => setActionError(errorText(toApiError(e))));
  }, [errorText]);

  const shown = useMemo(() => (cameras ?? []).filter((c) => matchesSearch(c, query)), [cameras, query]);

  const saved = (r: CameraWithKey, verb: 'created' | 'saved') => {
    upsert(r.camera);
    setNotice(t(`cameraAdmin.${verb}`, { name: r.camera.name }));
    setModal(r.publishKey ? { kind: 'key', cameraName: r.camera.name, publishKey: r.publishKey, publishUrl: r.publishUrl } : null);
  };

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setActionError(null);
    try { await action(); } catch (e) { setActionError(errorText(toApiError(e))); } finally { setBusy(false); }
  }

  const enable = (c: Camera) => run(async () => {
    const r = await api.updateCamera(c.id, { enabled: true });
    upsert(r.camera);
    setNotice(t('cameraAdmin.enabledNotice', { name: c.name }));
  });

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('views.cameras')}</h1>
      <div className="toolbar">
        <div className="field field--search">
          <label htmlFor={searchId}>{t('cameraList.search')}</label>
          <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" data-testid="camera-search" />
        </div>
        <button type="button" className="button button--primary" onClick={() => { setNotice(null); setModal({ kind: 'create' }); }} data-testid="camera-create">
          {t('cameraAdmin.new')}
        </button>
      </div>
      <div role="status" className="status-slot">{notice && <p className="banner banner--ok" data-testid="camera-admin-notice">{notice}</p>}</div>
      <div role="alert" className="alert-slot">{(actionError || error) && (
        <p className="banner banner--error">{actionError ?? (error && errorText(error))}</p>
      )}</div>
      {error && <button type="button" className="button" onClick={() => void reload()}>{t('common.retry')}</button>}
      {!cameras && !error && <p className="muted">{t('common.loading')}</p>}
      {cameras && (
        <div className="panel table-wrap">
          <table className="table" data-testid="camera-admin-table">
            <caption className="visually-hidden">{t('cameraAdmin.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('camera.name')}</th>
                <th scope="col">{t('camera.municipality')}</th>
                <th scope="col">{t('camera.street')}</th>
                <th scope="col">{t('camera.kind')}</th>
                <th scope="col">{t('camera.source')}</th>
                <th scope="col">{t('camera.subStream')}</th>
                <th scope="col">{t('camera.status')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.id} data-testid={`camera-${c.id}`} className={c.enabled ? undefined : 'row--disabled'}>
                  <td><span className="camera-name">{c.name}</span><span className="sub mono">{c.id}</span></td>
                  <td>{c.municipalityName}</td>
                  <td>{c.location.street}<span className="sub mono">{c.location.lat.toFixed(4)}, {c.location.lon.toFixed(4)}</span></td>
                  <td><span className={`badge badge--${c.kind}`}>{t(`camera.kinds.${c.kind}`)}</span></td>
                  <td>{t(`camera.sources.${c.source.type}`)}{c.source.type === 'rtsp' && <span className="sub mono">{c.source.url}</span>}</td>
                  <td>{c.hasSubStream ? t('common.yes') : t('common.no')}</td>
                  <td><StatusBadge enabled={c.enabled} /></td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="button button--small" onClick={() => { setNotice(null); setModal({ kind: 'edit', camera: c }); }}>
                        {t('common.edit')}<span className="visually-hidden"> {c.name}</span>
                      </button>
                      {c.enabled ? (
                        <button type="button" className="button button--small" onClick={() => { setActionError(null); setModal({ kind: 'disable', camera: c }); }} disabled={busy}>
                          {t('cameraAdmin.disable')}<span className="visually-hidden"> {c.name}</span>
                        </button>
                      ) : (
                        <button type="button" className="button button--small" onClick={() => void enable(c)} disabled={busy}>
                          {t('cameraAdmin.enable')}<span className="visually-hidden"> {c.name}</span>
                        </button>
                      )}
                      {c.source.type === 'rtmp' && (
                        <button type="button" className="button button--small" onClick={() => { setActionError(null); setModal({ kind: 'rotate', camera: c }); }} disabled={busy}>
                          {t('cameraAdmin.rotate')}<span className="visually-hidden"> {c.name}</span>
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p className="empty">{query ? t('cameraList.noMatch') : t('cameraList.empty')}</p>}
        </div>
      )}

      {(modal?.kind === 'create' || modal?.kind === 'edit') && (
        <CameraForm camera={modal.kind === 'edit' ? modal.camera : null} municipalities={municipalities}
          onClose={() => setModal(null)} onSaved={(r) => saved(r, modal.kind === 'create' ? 'created' : 'saved')} />
      )}
      {modal?.kind === 'disable' && (
        <ConfirmDialog title={t('cameraAdmin.disableTitle', { name: modal.camera.name })} confirmLabel={t('cameraAdmin.disable')} danger busy={busy}
          error={actionError} testId="confirm-disable" onCancel={() => setModal(null)}
          onConfirm={() => void run(async () => {
            const cam = await api.disableCamera(modal.camera.id);
            upsert(cam);
            setNotice(t('cameraAdmin.disabledNotice', { name: cam.name }));
            setModal(null);
          })}>
          <p>{t('cameraAdmin.disableText')}</p>
        </ConfirmDialog>
      )}
      {modal?.kind === 'rotate' && (
        <ConfirmDialog title={t('cameraAdmin.rotateTitle', { name: modal.camera.name })} confirmLabel={t('cameraAdmin.rotateConfirm')} danger busy={busy}
          error={actionError} testId="confirm-rotate" onCancel={() => setModal(null)}
          onConfirm={() => void run(async () => {
            const r = await api.rotateCameraKey(modal.camera.id);
            saved(r, 'saved');
            setNotice(t('cameraAdmin.rotatedNotice', { name: r.camera.name }));
          })}>
          <p>{t('cameraAdmin.rotateText')}</p>
        </ConfirmDialog>
      )}
      {modal?.kind === 'key' && (
        <KeyDialog cameraName={modal.cameraName} publishKey={modal.publishKey} publishUrl={modal.publishUrl} onClose={() => setModal(null)} />
      )}
    </>
  );
}
