// "Bewaren": preserve a range of one or more cameras with a reason. The moment is taken when the observer pressed B
// (or the incident's tagged moment); the range is that moment −2 min … +3 min unless they change the minutes.
// B on a camera with open incidents offers them, the newest chosen: evidence of an incident belongs to its case.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EvidenceItem } from '../../../server/evidence/schema';
import { api } from '../api/endpoints';
import { toApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { useErrorText } from '../components/errors';
import { Field, FieldSet, focusFirstInvalid, FormActions } from '../components/Field';
import { ErrorSlot } from '../components/Slots';
import { formatDateTime, nameIn } from '../format';

export interface PreserveRequest {
  /** ISO: the key press, or the incident's tagged moment. */
  moment: string;
  cameras: { id: string; name: string }[];
  /** Ticked at the start. */
  selected: string[];
  incident?: { id: string; number: number };
  /** Open incidents on the camera, newest first: offered to link to (the first chosen at the start). */
  openIncidents?: { id: string; number: number; taggedAt: string; category: { nl: string; en: string } }[];
}

const MIN = 60_000;

export function PreserveDialog({ request, onSaved, onClose }: { request: PreserveRequest; onSaved(item: EvidenceItem): void; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const form = useRef<HTMLFormElement>(null);
  const [reason, setReason] = useState('');
  const [before, setBefore] = useState('2');
  const [after, setAfter] = useState('3');
  const [cameraIds, setCameraIds] = useState<string[]>(request.selected);
  const offered = request.incident ? [] : request.openIncidents ?? [];
  const [linkTo, setLinkTo] = useState<string>(offered[0]?.id ?? '');
  const [errors, setErrors] = useState<{ reason?: string; range?: string; cameras?: string }>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const moment = new Date(request.moment).getTime();
  const b = Number(before), a = Number(after);
  const validRange = Number.isFinite(b) && Number.isFinite(a) && b >= 0 && a >= 0 && b + a > 0 && b + a <= 120;
  const from = validRange ? new Date(moment - b * MIN).toISOString() : null;
  const to = validRange ? new Date(moment + a * MIN).toISOString() : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: typeof errors = {};
    if (reason.trim().length < 3) errs.reason = t('preserve.reasonRequired');
    if (!validRange) errs.range = t('preserve.rangeInvalid');
    if (cameraIds.length === 0) errs.cameras = t('preserve.camerasRequired');
    setErrors(errs);
    if (Object.keys(errs).length) { focusFirstInvalid(form.current); return; }
    setBusy(true); setFailure(null);
    try {
      const defaults = b === 2 && a === 3;
      const item = await api.preserveEvidence({
        cameras: cameraIds, reason: reason.trim(), incidentId: request.incident?.id ?? (linkTo || undefined),
        ...(defaults ? { moment: request.moment } : { from: from!, to: to! }),
      });
      onSaved(item);
    } catch (err) {
      const ae = toApiError(err);
      if (ae.field === 'reason') setErrors({ reason: errorText(ae) });
      else setFailure(errorText(ae));
    } finally {
      setBusy(false);
    }
  }

  const lng = i18n.language;
  return (
    <Dialog title={request.incident ? t('preserve.titleIncident', { number: request.incident.number }) : t('preserve.title')} onClose={onClose} closable={!busy} testId="preserve-dialog">
      <form ref={form} onSubmit={submit} noValidate className="form">
        <p className="muted" data-testid="preserve-moment">{t('preserve.moment', { time: formatDateTime(request.moment, lng) })}</p>
        <Field label={t('preserve.reason')} hint={t('preserve.reasonHint')} error={errors.reason}>
          {(c) => <textarea {...c} rows={3} value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} autoFocus required data-testid="preserve-reason" />}
        </Field>
        <div className="form-row">
          <Field label={t('preserve.before')} error={errors.range}>
            {(c) => <input {...c} type="number" min={0} max={120} inputMode="numeric" value={before} onChange={(e) => setBefore(e.target.value)} data-testid="preserve-before" />}
          </Field>
          <Field label={t('preserve.after')}>
            {(c) => <input type="number" id={c.id} min={0} max={120} inputMode="numeric" value={after} onChange={(e) => setAfter(e.target.value)} data-testid="preserve-after" />}
          </Field>
        </div>
        {from && to && <p className="hint" data-testid="preserve-range">{t('preserve.range', { from: formatDateTime(from, lng), to: formatDateTime(to, lng) })}</p>}
        <FieldSet legend={t('preserve.cameras')} error={errors.cameras}>
          {request.cameras.map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" checked={cameraIds.includes(c.id)} data-testid={`preserve-camera-${c.id}`}
                onChange={(e) => setCameraIds((ids) => (e.target.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))} />
              {c.name}
            </label>
          ))}
        </FieldSet>
        {request.incident && <p className="muted">{t('preserve.linked', { number: request.incident.number })}</p>}
        {offered.length > 0 && (
          <Field label={t('preserve.incident')} hint={t('preserve.incidentHint')}>
            {(c) => (
              <select {...c} value={linkTo} onChange={(e) => setLinkTo(e.target.value)} data-testid="preserve-incident">
                {offered.map((i) => (
                  <option key={i.id} value={i.id}>{t('preserve.incidentOption', { number: i.number, category: nameIn(i.category, lng), time: formatDateTime(i.taggedAt, lng) })}</option>
                ))}
                <option value="">{t('preserve.noIncident')}</option>
              </select>
            )}
          </Field>
        )}
        <ErrorSlot error={failure} />
        <FormActions busy={busy} onCancel={onClose} submitLabel={t('preserve.save')} submitTestId="preserve-save" />
      </form>
    </Dialog>
  );
}
