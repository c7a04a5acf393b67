// Create or edit a camera. The same zod schemas as the server check the input first; server refusals that
// name a field are shown next to that field.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { cameraCreateSchema, cameraUpdateSchema, type Camera, type Municipality } from '../../../server/cameras/schema';
import { api, type CameraWithKey } from '../api/endpoints';
import { ApiError, toApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field, FieldSet, FormActions, FormInfo, ReadonlyField } from '../components/Field';
import { useErrorText } from '../components/errors';
import { fieldErrorsOf, useFormFeedback, type FieldErrors } from '../components/formErrors';
import { ErrorSlot } from '../components/Slots';
import { parseDecimal } from '../format';
import { IngestNote } from '../cluster/Ingest';
import type { Ingest } from '../cluster/labels';
import { MunicipalityOptions } from './MunicipalityOptions';

const fields = ['id', 'name', 'municipalityId', 'location.street', 'location.lat', 'location.lon', 'kind', 'source', 'source.type', 'source.url', 'hasSubStream', 'notes'] as const;
type FieldName = (typeof fields)[number];

interface Draft {
  id: string; name: string; municipalityId: string; street: string; lat: string; lon: string;
  kind: 'permanent' | 'flexible'; sourceType: 'rtmp' | 'rtsp'; rtspUrl: string; hasSubStream: boolean; notes: string;
}

const emptyDraft: Draft = { id: '', name: '', municipalityId: '', street: '', lat: '', lon: '', kind: 'permanent', sourceType: 'rtmp', rtspUrl: '', hasSubStream: true, notes: '' };
const draftOf = (c: Camera): Draft => ({
  id: c.id, name: c.name, municipalityId: c.municipalityId, street: c.location.street, lat: String(c.location.lat), lon: String(c.location.lon),
  kind: c.kind, sourceType: c.source.type, rtspUrl: '', hasSubStream: c.hasSubStream, notes: c.notes,
});

interface Props {
  camera: Camera | null;           // null: create
  municipalities: Municipality[];
  /** A stored camera's node and push address (issue #14), shown while it is an RTMP camera; null: not known (yet). */
  ingest?: Ingest | null;
  onSaved(result: CameraWithKey): void;
  onClose(): void;
}

export function CameraForm({ camera, municipalities, ingest, onSaved, onClose }: Props) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [d, setD] = useState<Draft>(() => (camera ? draftOf(camera) : emptyDraft));
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = useFormFeedback(errorText, setErrors);
  const { busy } = form;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));

  const fieldText = (field: string, err?: ApiError): string => {
    if (err?.code === 'conflict' && field === 'id') return t('cameraForm.errors.idTaken');
    switch (field as FieldName) {
      case 'id': return t('cameraForm.errors.id');
      case 'name': return t('cameraForm.errors.name');
      case 'municipalityId': return t('cameraForm.errors.municipalityId');
      case 'location.street': return t('cameraForm.errors.street');
      case 'location.lat': return t('cameraForm.errors.lat');
      case 'location.lon': return t('cameraForm.errors.lon');
      case 'kind': return t('cameraForm.errors.kind');
      case 'source': case 'source.type': return t('cameraForm.errors.source');
      case 'source.url': return t('cameraForm.errors.rtspUrl');
      case 'notes': return t('cameraForm.errors.notes');
      default: return err ? errorText(err) : t('errors.invalid_input', { detail: field });
    }
  };
  const err = (f: FieldName) => errors[f];

  function buildBody(): { ok: true; body: unknown } | { ok: false; errors: FieldErrors } | { ok: 'unchanged' } {
    const lat = parseDecimal(d.lat) ?? Number.NaN;
    const lon = parseDecimal(d.lon) ?? Number.NaN;
    const location = { street: d.street, lat, lon };
    const source = d.sourceType === 'rtsp' ? { type: 'rtsp' as const, url: d.rtspUrl.trim() } : { type: 'rtmp' as const };
    let parsed;
    if (!camera) {
      parsed = cameraCreateSchema.safeParse({ id: d.id.trim(), name: d.name, municipalityId: d.municipalityId, location, kind: d.kind, source, hasSubStream: d.hasSubStream, notes: d.notes });
    } else {
      // Send only what changed, so the audit trail names exactly the changed fields.
      const body: Record<string, unknown> = {};
      if (d.name.trim() !== camera.name) body.name = d.name;
      if (d.municipalityId !== camera.municipalityId) body.municipalityId = d.municipalityId;
      if (d.street.trim() !== camera.location.street || lat !== camera.location.lat || lon !== camera.location.lon) body.location = location;
      if (d.kind !== camera.kind) body.kind = d.kind;
      // The stored RTSP URL comes back masked: an empty URL field keeps it.
      if (d.sourceType !== camera.source.type || (d.sourceType === 'rtsp' && d.rtspUrl.trim() !== '')) body.source = source;
      if (d.hasSubStream !== camera.hasSubStream) body.hasSubStream = d.hasSubStream;
      if (d.notes !== camera.notes) body.notes = d.notes;
      if (Object.keys(body).length === 0) return { ok: 'unchanged' };
      parsed = cameraUpdateSchema.safeParse(body);
    }
    if (parsed.success) return { ok: true, body: parsed.data };
    return { ok: false, errors: fieldErrorsOf(parsed.error, fieldText) };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    form.clear();
    const built = buildBody();
    if (built.ok === 'unchanged') { form.unchanged(t('cameraForm.unchanged')); return; }
    if (built.ok === false) { form.invalid(built.errors); return; }
    setErrors({});
    form.setBusy(true);
    try {
      const result = camera
        ? await api.updateCamera(camera.id, built.body as Parameters<typeof api.updateCamera>[1])
        : await api.createCamera(built.body as Parameters<typeof api.createCamera>[0]);
      onSaved(result);
    } catch (e) {
      let apiErr = toApiError(e);
      // A duplicate primary key is the camera id (the server names the constraint, not the field).
      if (!camera && apiErr.code === 'conflict' && (!apiErr.field || apiErr.field === 'id')) {
        apiErr = new ApiError(apiErr.status, apiErr.code, apiErr.message, 'id');
      }
      form.refused(apiErr, fields, fieldText);
    }
  }

  const sourceError = err('source') ?? err('source.type');
  return (
    <Dialog title={camera ? t('cameraForm.editTitle', { name: camera.name }) : t('cameraForm.createTitle')} onClose={onClose}
      testId="camera-form" wide closable={!busy}>
      <form ref={form.formRef} className="form form--grid" onSubmit={submit} noValidate>
        {camera ? <ReadonlyField label={t('camera.id')} value={camera.id} testId="camera-form-id" /> : (
          <Field label={t('camera.id')} hint={t('cameraForm.idHint')} error={err('id')}>
            {(p) => <input {...p} value={d.id} onChange={(e) => set('id', e.target.value)} autoComplete="off" spellCheck={false} className="mono" autoFocus />}
          </Field>
        )}
        <Field label={t('camera.name')} error={err('name')}>
          {(p) => <input {...p} value={d.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" autoFocus={!!camera} />}
        </Field>
        <Field label={t('camera.municipality')} error={err('municipalityId')}>
          {(p) => (
            <select {...p} value={d.municipalityId} onChange={(e) => set('municipalityId', e.target.value)}>
              <MunicipalityOptions municipalities={municipalities} />
            </select>
          )}
        </Field>
        <Field label={t('camera.street')} error={err('location.street')}>
          {(p) => <input {...p} value={d.street} onChange={(e) => set('street', e.target.value)} autoComplete="off" />}
        </Field>
        <Field label={t('camera.lat')} hint={t('cameraForm.latHint')} error={err('location.lat')}>
          {(p) => <input {...p} inputMode="decimal" value={d.lat} onChange={(e) => set('lat', e.target.value)} autoComplete="off" className="mono" />}
        </Field>
        <Field label={t('camera.lon')} hint={t('cameraForm.lonHint')} error={err('location.lon')}>
          {(p) => <input {...p} inputMode="decimal" value={d.lon} onChange={(e) => set('lon', e.target.value)} autoComplete="off" className="mono" />}
        </Field>
        <FieldSet legend={t('camera.kind')} error={err('kind')}>
          {(['permanent', 'flexible'] as const).map((k) => (
            <label key={k} className="choice">
              <input type="radio" name="kind" value={k} checked={d.kind === k} onChange={() => set('kind', k)} />
              {t(`camera.kinds.${k}`)}
            </label>
          ))}
        </FieldSet>
        <FieldSet legend={t('camera.source')} error={sourceError}>
          {(['rtmp', 'rtsp'] as const).map((s) => (
            <label key={s} className="choice">
              <input type="radio" name="sourceType" value={s} checked={d.sourceType === s} onChange={() => set('sourceType', s)} />
              {t(`cameraForm.sourceChoice.${s}`)}
            </label>
          ))}
        </FieldSet>
        {d.sourceType === 'rtsp' && (
          <Field label={t('cameraForm.rtspUrl')} className="span-2" error={err('source.url')}
            hint={camera?.source.type === 'rtsp' ? t('cameraForm.rtspKeep', { url: camera.source.url }) : t('cameraForm.rtspHint')}>
            {(p) => <input {...p} type="url" value={d.rtspUrl} onChange={(e) => set('rtspUrl', e.target.value)} autoComplete="off" spellCheck={false} className="mono"
              placeholder="rtsp://camera.example/stream1" />}
          </Field>
        )}
        {d.sourceType === 'rtmp' && (
          <p className="hint span-2">{camera?.source.type === 'rtmp' ? t('cameraForm.rtmpExisting') : t('cameraForm.rtmpHint')}</p>
        )}
        {d.sourceType === 'rtmp' && camera?.source.type === 'rtmp' && <IngestNote ingest={ingest ?? null} variant="form" />}
        <div className="field span-2">
          <label className="choice">
            <input type="checkbox" checked={d.hasSubStream} onChange={(e) => set('hasSubStream', e.target.checked)} />
            {t('cameraForm.hasSubStream')}
          </label>
        </div>
        <Field label={t('camera.notes')} className="span-2" error={err('notes')}>
          {(p) => <textarea {...p} rows={3} value={d.notes} onChange={(e) => set('notes', e.target.value)} />}
        </Field>
        <ErrorSlot error={form.formError} className="span-2" testId="camera-form-error" />
        <FormInfo info={form.info} className="span-2" />
        <FormActions busy={busy} onCancel={onClose} submitLabel={camera ? t('common.save') : t('cameraForm.create')} submitTestId="camera-form-submit" className="span-2" />
      </form>
    </Dialog>
  );
}
