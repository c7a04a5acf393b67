// The supervisor lifts liftable masks of one camera for a limited time (which masks, why, how many minutes), and ends
// a lift early. The server records who, why and until when in the audit trail; every console shows the marker.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_LIFT_MINUTES, maskLiftInputSchema, type CameraMasks } from '../../../server/masks/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field, FieldSet, FormActions, focusFirstInvalid } from '../components/Field';
import { useErrorText } from '../components/errors';
import { fieldErrorsOf, splitServerError, type FieldErrors } from '../components/formErrors';
import { ErrorSlot, NoticeSlot } from '../components/Slots';
import { formatClock } from '../format';
import { liftsInForce } from './geometry';

interface Props {
  cameraId: string;
  cameraName: string;
  masks: CameraMasks;
  /** Read the camera's masks again (the push does too; this console need not wait for it). */
  onChanged(): Promise<void>;
  onClose(): void;
}

const FIELDS = ['maskIds', 'reason', 'minutes'] as const;

export function LiftDialog({ cameraId, cameraName, masks, onChanged, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const liftable = masks.current.masks.filter((m) => m.kind === 'liftable');
  const lifts = liftsInForce(masks, Date.now());
  const [chosen, setChosen] = useState<string[]>(liftable.length === 1 ? [liftable[0]!.id] : []);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('15');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<HTMLFormElement | null>(null);
  const reasonOf = new Map(masks.current.masks.map((m) => [m.id, m.reason]));

  const fieldText = (f: string) => t(`masks.liftErrors.${f === 'maskIds' || f === 'minutes' ? f : 'reason'}`, { max: MAX_LIFT_MINUTES });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null); setNotice(null);
    const p = maskLiftInputSchema.safeParse({ maskIds: chosen, reason, minutes: Number(minutes) });
    if (!p.success) {
      setErrors(fieldErrorsOf(p.error, fieldText, { keyOf: (path) => path.split('.')[0] || 'form' }));
      setFormError(t('common.checkFields'));
      focusFirstInvalid(form);
      return;
    }
    setBusy(true); setErrors({});
    try {
      const lift = await api.liftMasks(cameraId, p.data);
      await onChanged();
      setChosen([]); setReason('');
      setNotice(t('masks.liftDone', { until: formatClock(new Date(lift.until), i18n.language) }));
    } catch (err) {
      const split = splitServerError(toApiError(err), FIELDS, (f) => fieldText(f));
      setErrors(split.fields);
      setFormError(split.form ? errorText(split.form) : t('common.checkFields'));
      focusFirstInvalid(form);
    } finally { setBusy(false); }
  }

  async function end(liftId: string) {
    setBusy(true); setFormError(null); setNotice(null);
    try {
      await api.endMaskLift(cameraId, liftId);
      await onChanged();
      setNotice(t('masks.liftEnded'));
    } catch (err) { setFormError(errorText(toApiError(err))); } finally { setBusy(false); }
  }

  return (
    <Dialog title={t('masks.liftTitle', { name: cameraName })} onClose={onClose} closable={!busy} testId="mask-lift-dialog">
      <NoticeSlot notice={notice} testId="mask-lift-notice" />
      {lifts.length > 0 && (
        <section aria-label={t('masks.liftsNow')}>
          <h3>{t('masks.liftsNow')}</h3>
          <ul className="mask-lifts">
            {lifts.map((l) => (
              <li key={l.id} data-testid="mask-lift">
                <span>
                  {l.maskIds.map((id) => reasonOf.get(id) ?? id).join(', ')} · {t('masks.liftedBy', { name: l.liftedBy, until: formatClock(new Date(l.until), i18n.language), reason: l.reason })}
                </span>
                <button type="button" className="button button--small" onClick={() => void end(l.id)} disabled={busy} data-testid="mask-lift-end">
                  {t('masks.liftEnd')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {liftable.length === 0
        ? <p className="muted">{t('masks.noneLiftable')}</p>
        : (
          <form ref={setForm} className="form" onSubmit={(e) => void submit(e)} noValidate>
            <p className="hint">{t('masks.liftHint')}</p>
            <FieldSet legend={t('masks.liftWhich')} error={errors.maskIds}>
              {liftable.map((m) => (
                <label key={m.id} className="choice">
                  <input type="checkbox" checked={chosen.includes(m.id)} aria-invalid={errors.maskIds ? true : undefined}
                    onChange={(e) => setChosen((c) => (e.target.checked ? [...c, m.id] : c.filter((x) => x !== m.id)))} />
                  {m.reason}
                </label>
              ))}
            </FieldSet>
            <Field label={t('masks.liftReason')} hint={t('masks.liftReasonHint')} error={errors.reason}>
              {(c) => <textarea {...c} rows={2} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="mask-lift-reason" />}
            </Field>
            <Field label={t('masks.liftMinutes')} hint={t('masks.liftMinutesHint', { max: MAX_LIFT_MINUTES })} error={errors.minutes}>
              {(c) => <input {...c} type="number" min={1} max={MAX_LIFT_MINUTES} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)}
                data-testid="mask-lift-minutes" />}
            </Field>
            <ErrorSlot error={formError} testId="mask-lift-error" />
            <FormActions busy={busy} onCancel={onClose} submitLabel={t('masks.liftSubmit')} submitTestId="mask-lift-submit" danger />
          </form>
        )}
    </Dialog>
  );
}
