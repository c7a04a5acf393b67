// A modal built on the native <dialog>: the browser traps focus, Escape closes it, the page behind is inert.
import { useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  /** 'alertdialog' for confirmations and warnings that need an answer. */
  role?: 'dialog' | 'alertdialog';
  wide?: boolean;
  /** 'full': nearly the whole screen (a picture to draw on beside its fields). */
  size?: 'full';
  /** False while a request runs: Escape and the close button then do nothing. */
  closable?: boolean;
}

export function Dialog({ title, onClose, children, testId, role, wide, size, closable = true }: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closableRef = useRef(closable);
  closableRef.current = closable;
  // What had the focus before the dialog: taken at the first render.
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  // The content mounts once the dialog is open (still before the first paint): a closed <dialog> cannot hold the
  // focus, so an autoFocus control inside it would otherwise lose it to showModal's choice.
  const [shown, setShown] = useState(false);

  useLayoutEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    setShown(true);
    return () => {
      if (d.open) d.close();
      // Give focus back to what opened the dialog (if it still exists).
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} className={`dialog${wide ? ' dialog--wide' : ''}${size ? ` dialog--${size}` : ''}`} aria-labelledby={titleId} role={role} data-testid={testId}
      onCancel={(e) => { e.preventDefault(); if (closableRef.current) onClose(); }}>
      <div className="dialog__head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="button button--quiet button--icon" onClick={onClose} disabled={!closable} aria-label={t('common.close')}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div className="dialog__body">{shown ? children : null}</div>
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm(): void;
  onCancel(): void;
  testId?: string;
}

export function ConfirmDialog({ title, children, confirmLabel, danger, busy, error, onConfirm, onCancel, testId }: ConfirmProps) {
  const { t } = useTranslation();
  return (
    <Dialog title={title} onClose={onCancel} role="alertdialog" testId={testId} closable={!busy}>
      <div className="dialog__text">{children}</div>
      {error && <p className="banner banner--error" role="alert">{error}</p>}
      <div className="actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy} autoFocus>{t('common.cancel')}</button>
        <button type="button" className={`button ${danger ? 'button--danger' : 'button--primary'}`} onClick={onConfirm} disabled={busy} data-testid="confirm">
          {busy ? t('common.working') : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
