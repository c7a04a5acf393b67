// The RTMP publish key is shown exactly once (the server keeps only its hash): show it with copy buttons and
// a warning, and close only when the admin says it is stored.
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from './Dialog';

interface Props { cameraName: string; publishKey: string; publishUrl: string | null; onClose(): void }

async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http on a LAN address): fall back to selecting the text and the old copy command.
    if (!input) return false;
    input.focus();
    input.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
  const { t } = useTranslation();
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} ref={ref} className="mono" readOnly value={value} data-testid={testId} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button" onClick={async () => setState((await copyText(value, ref.current)) ? 'copied' : 'failed')}>
          {t('keyDialog.copy')}<span className="visually-hidden"> {label}</span>
        </button>
      </div>
      <p className="hint" role="status">{state === 'copied' ? t('keyDialog.copied') : state === 'failed' ? t('keyDialog.copyFailed') : ''}</p>
    </div>
  );
}

export function KeyDialog({ cameraName, publishKey, publishUrl, onClose }: Props) {
  const { t } = useTranslation();
  return (
    <Dialog title={t('keyDialog.title', { name: cameraName })} onClose={onClose} role="alertdialog" testId="publish-key-dialog" wide>
      <p className="banner banner--warning" data-testid="publish-key-warning">
        <strong>{t('keyDialog.warningTitle')}</strong> {t('keyDialog.warning')}
      </p>
      <CopyField label={t('keyDialog.key')} value={publishKey} testId="publish-key" />
      {publishUrl && <CopyField label={t('keyDialog.url')} value={publishUrl} testId="publish-url" />}
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onClose} data-testid="publish-key-done">{t('keyDialog.done')}</button>
      </div>
    </Dialog>
  );
}
