// Admin: the camera registry as a table, with create, edit, disable/enable, key rotation and the privacy masks.
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera, Municipality } from '../../../server/cameras/schema';
import { api, type CameraWithKey } from '../api/endpoints';
import { toApiError } from '../api/http';
import { AdminTable, AdminView, RowAction, useAdminActions } from '../components/AdminTable';
import { ConfirmDialog } from '../components/Dialog';
import { KeyDialog } from '../components/KeyDialog';
import { useErrorText } from '../components/errors';
import { formatDateTime } from '../format';
import { matchesSearch, StatusBadge } from '../live/CameraList';
import { MaskEditor } from '../masks/MaskEditor';
import { useCameraRegistry } from '../session/CameraRegistry';
import { IngestNote, useIngest } from '../cluster/Ingest';
import { CameraForm } from './CameraForm';

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; camera: Camera }
  | { kind: 'disable'; camera: Camera }
  | { kind: 'rotate'; camera: Camera }
  | { kind: 'masks'; camera: Camera }
  | { kind: 'key'; cameraName: string; publishKey: string; publishUrl: string | null };

export function CameraManagement() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const { cameras, error, reload, upsert } = useCameraRegistry();
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [modal, setModal] = useState<Modal | null>(null);
  const { busy, actionError, setActionError, notice, setNotice, run } = useAdminActions();
  const [query, setQuery] = useState('');
  const searchId = useId();
  // Each RTMP camera pushes to the node it is assigned to (issue #14): its node and address, from GET /api/cluster.
  const ingestOf = useIngest();

  useEffect(() => {
    api.municipalities().then(setMunicipalities).catch((e) => setActionError(errorText(toApiError(e))));
  }, [errorText]);

  const shown = useMemo(() => (cameras ?? []).filter((c) => matchesSearch(c, query)), [cameras, query]);

  const saved = (r: CameraWithKey, verb: 'created' | 'saved') => {
    upsert(r.camera);
    setNotice(t(`cameraAdmin.${verb}`, { name: r.camera.name }));
    setModal(r.publishKey ? { kind: 'key', cameraName: r.camera.name, publishKey: r.publishKey, publishUrl: r.publishUrl } : null);
  };

  const enable = (c: Camera) => run(async () => {
    const r = await api.updateCamera(c.id, { enabled: true });
    upsert(r.camera);
    setNotice(t('cameraAdmin.enabledNotice', { name: c.name }));
  });

  const toolbar = (
    <>
      <div className="field field--search">
        <label htmlFor={searchId}>{t('cameraList.search')}</label>
        <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" data-testid="camera-search" />
      </div>
      <button type="button" className="button button--primary" onClick={() => { setNotice(null); setModal({ kind: 'create' }); }} data-testid="camera-create">
        {t('cameraAdmin.new')}
      </button>
    </>
  );
  const columns = [t('camera.name'), t('camera.municipality'), t('camera.street'), t('camera.kind'), t('camera.source'), t('camera.subStream'),
    t('camera.status'), t('common.actions')];

  return (
    <AdminView title={t('views.cameras')} toolbar={toolbar} notice={notice} noticeTestId="camera-admin-notice" actionError={actionError}
      loadError={error} onRetry={() => void reload()} loaded={!!cameras}>
      {cameras && (
        <AdminTable testId="camera-admin-table" caption={t('cameraAdmin.caption')} columns={columns}
          after={shown.length === 0 && <p className="empty">{query ? t('cameraList.noMatch') : t('cameraList.empty')}</p>}>
          {shown.map((c) => (
            <tr key={c.id} data-testid={`camera-${c.id}`} className={c.enabled ? undefined : 'row--disabled'}>
              <td><span className="camera-name">{c.name}</span><span className="sub mono">{c.id}</span></td>
              <td>{c.municipalityName}</td>
              <td>{c.location.street}<span className="sub mono">{c.location.lat.toFixed(4)}, {c.location.lon.toFixed(4)}</span></td>
              <td><span className={`badge badge--${c.kind}`}>{t(`camera.kinds.${c.kind}`)}</span></td>
              <td>{t(`camera.sources.${c.source.type}`)}{c.source.type === 'rtsp' && <span className="sub mono">{c.source.url}</span>}
                {c.source.type === 'rtmp' && <IngestNote ingest={ingestOf(c.id)} />}</td>
              <td>{c.hasSubStream ? t('common.yes') : t('common.no')}</td>
              <td><StatusBadge enabled={c.enabled} /></td>
              <td>
                <div className="row-actions">
                  <RowAction label={t('common.edit')} name={c.name} onClick={() => { setNotice(null); setModal({ kind: 'edit', camera: c }); }} />
                  <RowAction label={t('masks.edit')} name={c.name} onClick={() => { setNotice(null); setModal({ kind: 'masks', camera: c }); }} />
                  {c.enabled
                    ? <RowAction label={t('cameraAdmin.disable')} name={c.name} onClick={() => { setActionError(null); setModal({ kind: 'disable', camera: c }); }} disabled={busy} />
                    : <RowAction label={t('cameraAdmin.enable')} name={c.name} onClick={() => void enable(c)} disabled={busy} />}
                  {c.source.type === 'rtmp' && (
                    <RowAction label={t('cameraAdmin.rotate')} name={c.name} onClick={() => { setActionError(null); setModal({ kind: 'rotate', camera: c }); }} disabled={busy} />
                  )}
                </div>
              </td>
            </tr>
          ))}
        </AdminTable>
      )}

      {(modal?.kind === 'create' || modal?.kind === 'edit') && (
        <CameraForm camera={modal.kind === 'edit' ? modal.camera : null} municipalities={municipalities}
          ingest={modal.kind === 'edit' ? ingestOf(modal.camera.id) : null}
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
      {modal?.kind === 'masks' && (
        <MaskEditor camera={modal.camera} onClose={() => setModal(null)} onSaved={(v) => {
          setNotice(t('masks.saved', { name: modal.camera.name, version: v.version, from: v.validFrom ? formatDateTime(v.validFrom, i18n.language) : '–' }));
          setModal(null);
        }} />
      )}
      {modal?.kind === 'key' && (
        <KeyDialog cameraName={modal.cameraName} publishKey={modal.publishKey} publishUrl={modal.publishUrl} onClose={() => setModal(null)} />
      )}
    </AdminView>
  );
}
