// The municipality's view of its cameras' privacy masks: pick a camera, see its masks as a plan (no image), the
// version in force and its history, the lifts in force. Kept current by the masks cache ('masks:changed').
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import { useErrorText } from '../components/errors';
import { formatClock, formatDateTime } from '../format';
import { liftsInForce } from './geometry';
import { MaskPlan } from './MaskPlan';
import { MaskVersions } from './MaskVersions';
import { useCameraMasks } from './MasksProvider';

export function MunicipalityMasks({ cameras }: { cameras: Camera[] }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const headingId = useId();
  const selectId = useId();
  const [cameraId, setCameraId] = useState<string | null>(cameras[0]?.id ?? null);
  useEffect(() => { if (!cameraId && cameras[0]) setCameraId(cameras[0].id); }, [cameras, cameraId]);
  const camera = cameras.find((c) => c.id === cameraId);
  const { masks, error } = useCameraMasks(cameraId);
  const lifts = masks ? liftsInForce(masks, Date.now()) : [];
  return (
    <section className="panel mask-panel" aria-labelledby={headingId} data-testid="municipality-masks">
      <h2 id={headingId}>{t('masks.municipalityTitle')}</h2>
      <p className="muted">{t('masks.municipalityIntro')}</p>
      {cameras.length === 0
        ? <p className="empty">{t('cameraList.empty')}</p>
        : (
          <>
            <div className="field mask-panel__camera">
              <label htmlFor={selectId}>{t('masks.camera')}</label>
              <select id={selectId} value={cameraId ?? ''} onChange={(e) => setCameraId(e.target.value)} data-testid="mask-camera">
                {cameras.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </div>
            {error && !masks && <p className="banner banner--error" role="alert">{errorText(error)}</p>}
            {!masks && !error && <p className="muted" role="status">{t('common.loading')}</p>}
            {masks && camera && (
              <>
                <p data-testid="mask-version-line">
                  {masks.current.version === 0
                    ? t('masks.noVersionYet')
                    : t('masks.versionLine', {
                      version: masks.current.version,
                      from: masks.current.validFrom ? formatDateTime(masks.current.validFrom, i18n.language) : '–',
                      by: masks.current.changedBy ?? '–',
                    })}
                </p>
                {lifts.map((l) => (
                  <p key={l.id} className="banner banner--warning" data-testid="mask-lift-line">
                    {t('masks.lifted', { count: l.maskIds.length })} · {t('masks.liftedBy', { name: l.liftedBy, until: formatClock(new Date(l.until), i18n.language), reason: l.reason })}
                  </p>
                ))}
                <MaskPlan masks={masks.current.masks} label={t('masks.planOf', { name: camera.name })} testId="mask-plan" />
                <MaskVersions cameraId={camera.id} current={masks.current.version} />
              </>
            )}
          </>
        )}
    </section>
  );
}
