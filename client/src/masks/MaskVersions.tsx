// Every version of a camera's masks, newest first: from when, who, why, how many masks. Read when opened.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MaskVersion } from '../../../server/masks/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { useErrorText } from '../components/errors';
import { formatDateTime } from '../format';

export function MaskVersions({ cameraId, current }: { cameraId: string; current: number }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [open, setOpen] = useState(false);
  const [versions, setVersions] = useState<MaskVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setError(null);
    api.maskVersions(cameraId).then((v) => { if (!cancelled) setVersions(v); }, (e) => { if (!cancelled) setError(errorText(toApiError(e))); });
    return () => { cancelled = true; };
  }, [open, cameraId, current, errorText]);
  return (
    <details className="mask-versions" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t('masks.versions')}</summary>
      {error && <p className="banner banner--error" role="alert">{error}</p>}
      {open && !versions && !error && <p className="muted">{t('common.loading')}</p>}
      {versions && (versions.length === 0
        ? <p className="empty">{t('masks.noVersions')}</p>
        : (
          <table className="table table--dense" data-testid="mask-versions">
            <caption className="visually-hidden">{t('masks.versions')}</caption>
            <thead><tr><th scope="col">{t('masks.version')}</th><th scope="col">{t('masks.validFrom')}</th><th scope="col">{t('masks.changedBy')}</th>
              <th scope="col">{t('masks.changeReason')}</th><th scope="col">{t('masks.count')}</th></tr></thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version}>
                  <td className="mono">{v.version}</td>
                  <td className="mono">{v.validFrom ? formatDateTime(v.validFrom, i18n.language) : '–'}</td>
                  <td>{v.changedBy ?? '–'}</td>
                  <td className="user-text">{v.changeReason ?? '–'}</td>
                  <td className="mono">{v.masks.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </details>
  );
}
