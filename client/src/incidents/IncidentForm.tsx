// Tag an incident (or change one). Opened by one key on the wall: the moment of that key press and the selected
// tile's camera are already filled in, and a snapshot of that moment is on its way. Keyboard first: the category is
// focused, 1/2/3 pick the priority, Enter saves, and after saving M (or the button) raises it to the dispatch centre.
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import { incidentCreateSchema, incidentUpdateSchema, type Incident, type SnapshotInfo } from '../../../server/incidents/schema';
import type { Alert } from '../../../server/dispatch/schema';
import { api, type IncidentUpdateBody } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field, FieldSet, focusFirstInvalid } from '../components/Field';
import { useErrorText } from '../components/errors';
import { fieldErrorsOf, type FieldErrors } from '../components/formErrors';
import { ErrorSlot } from '../components/Slots';
import { formatDateTime } from '../format';
import { useCameraRegistry } from '../session/CameraRegistry';
import { CategoryName, PriorityBadge } from './DispatchStatus';
import { useCategories } from './useCategories';

export const NOTES_MAX = 10_000;

/** What the key press captured: the moment, the camera on the selected tile, and the snapshot request it started. */
export interface Tag {
  taggedAt: string;
  cameraId: string | null;
  snapshot: Promise<SnapshotInfo> | null;
  /** The other cameras on the wall at that moment: offered as "also in view on". */
  wallCameraIds: string[];
}

type Props =
  | { mode: 'create'; tag: Tag; onSaved(i: Incident): void; onRaised(a: Alert): void; onClose(): void }
  | { mode: 'edit'; incident: Incident; onSaved(i: Incident): void; onClose(): void };

type SnapshotState = { state: 'none' } | { state: 'pending' } | { state: 'done'; info: SnapshotInfo } | { state: 'error'; error: ApiError };

interface Draft { cameraId: string; extra: string[]; categoryId: string; priority: 1 | 2 | 3; persons: string; notes: string; locationText: string }

const isTextEntry = (el: EventTarget | null) =>
  el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && !['radio', 'checkbox', 'button', 'submit'].includes(el.type));

export function IncidentForm(props: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const lng = i18n.language;
  const { cameras } = useCameraRegistry();
  const { groups, error: categoriesError, retry: retryCategories, categories } = useCategories();
  const editing = props.mode === 'edit' ? props.incident : null;
  const tag = props.mode === 'create' ? props.tag : null;

  const [d, setD] = useState<Draft>(() => editing
    ? { cameraId: editing.cameras[0]?.id ?? '', extra: editing.cameras.slice(1).map((c) => c.id), categoryId: editing.category.id, priority: editing.priority,
      persons: editing.persons, notes: editing.notes, locationText: editing.location.text }
    : { cameraId: tag!.cameraId ?? '', extra: [], categoryId: '', priority: 2, persons: '', notes: '', locationText: '' });
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | 'snapshot' | 'saving' | 'raising'>(null);
  const [saved, setSaved] = useState<Incident | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const raiseRef = useRef<HTMLButtonElement>(null);
  // A tagged moment is not thrown away by one stray Escape: the first asks, the second closes.
  const [discardAsked, setDiscardAsked] = useState(false);
  const dirty = !editing && !saved && (d.categoryId !== '' || d.persons.trim() !== '' || d.notes.trim() !== '' || d.locationText.trim() !== '');
  const close = () => {
    if (dirty && !discardAsked) { setDiscardAsked(true); return; }
    props.onClose();
  };

  // The snapshot was requested at the key press; show how it went.
  const [snap, setSnap] = useState<SnapshotState>(() => (tag?.snapshot ? { state: 'pending' } : { state: 'none' }));
  useEffect(() => {
    if (!tag?.snapshot) return;
    let cancelled = false;
    tag.snapshot.then((info) => { if (!cancelled) setSnap({ state: 'done', info }); }, (e) => { if (!cancelled) setSnap({ state: 'error', error: toApiError(e) }); });
    return () => { cancelled = true; };
  }, [tag?.snapshot]);

  const byId = useMemo(() => new Map((cameras ?? []).map((c) => [c.id, c])), [cameras]);
  const camera: Camera | undefined = byId.get(d.cameraId);
  const extraChoices = useMemo(() => {
    // Creating: the other cameras on the wall. Editing: the incident's cameras and the others of the same municipality.
    const municipality = byId.get(d.cameraId)?.municipalityId;
    const ids = editing
      ? [...new Set([...editing.cameras.map((c) => c.id), ...(cameras ?? []).filter((c) => c.enabled && c.municipalityId === municipality).map((c) => c.id)])]
      : tag!.wallCameraIds;
    return ids.filter((id) => id !== d.cameraId).map((id) => byId.get(id)).filter((c): c is Camera => !!c);
  }, [editing, tag, cameras, byId, d.cameraId]);
  const category = categories?.find((c) => c.id === d.categoryId);

  const fieldText = (field: string, err?: ApiError): string => {
    if (field.startsWith('cameraIds')) return err?.code === 'unknown_camera' ? t('incidentForm.errors.unknownCamera') : t('incidentForm.errors.camera');
    switch (field) {
      case 'categoryId': return err?.code === 'unknown_category' ? t('incidentForm.errors.unknownCategory') : t('incidentForm.errors.category');
      case 'priority': return t('incidentForm.errors.priority');
      case 'persons': return t('incidentForm.errors.persons');
      case 'notes': return t('incidentForm.errors.notes', { max: NOTES_MAX.toLocaleString(lng) });
      case 'locationText': return t('incidentForm.errors.locationText');
      default: return err ? errorText(err) : t('errors.invalid_input', { detail: field });
    }
  };
  const shownFields = ['cameraIds', 'categoryId', 'priority', 'persons', 'notes', 'locationText'];
  const fieldOf = (path: string) => (path.startsWith('cameraIds') ? 'cameraIds' : path);

  function showErrors(fields: FieldErrors, form: string | null) {
    setErrors(fields);
    setFormError(form ?? (Object.keys(fields).length ? t('common.checkFields') : null));
    focusFirstInvalid(formRef.current);
  }

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy || saved) return;
    const cameraIds = d.cameraId ? [d.cameraId, ...d.extra.filter((id) => id !== d.cameraId)] : [];
    try {
      if (editing) {
        const body: IncidentUpdateBody = { expectedVersion: editing.version };
        if (cameraIds.join(',') !== editing.cameras.map((c) => c.id).join(',')) body.cameraIds = cameraIds;
        if (d.categoryId !== editing.category.id) body.categoryId = d.categoryId;
        if (d.priority !== editing.priority) body.priority = d.priority;
        if (d.persons !== editing.persons) body.persons = d.persons;
        if (d.notes !== editing.notes) body.notes = d.notes;
        if (d.locationText.trim() !== editing.location.text) body.locationText = d.locationText;
        if (Object.keys(body).length === 1) { props.onClose(); return; }
        const p = incidentUpdateSchema.safeParse(body);
        if (!p.success) return showErrors(zodFields(p.error), null);
        setBusy('saving');
        props.onSaved(await api.updateIncident(editing.id, body));
        props.onClose();
        return;
      }
      const draft = {
        taggedAt: tag!.taggedAt, cameraIds, categoryId: d.categoryId, priority: d.priority, persons: d.persons, notes: d.notes, locationText: d.locationText,
      };
      const p = incidentCreateSchema.safeParse(draft);
      if (!p.success) return showErrors(zodFields(p.error), null);
      setErrors({});
      setFormError(null);
      // The snapshot of the key press goes with the incident; it is usually there long before the form is filled in.
      let snapshotId: string | undefined;
      if (tag!.snapshot) {
        setBusy('snapshot');
        const info = await tag!.snapshot.catch(() => null);
        if (info?.id && info.cameraId && cameraIds.includes(info.cameraId)) snapshotId = info.id;
      }
      setBusy('saving');
      const incident = await api.createIncident({ ...draft, ...(snapshotId ? { snapshotId } : {}) });
      setSaved(incident);
      props.onSaved(incident);
    } catch (err) {
      const e = toApiError(err);
      if (e.field && shownFields.includes(fieldOf(e.field))) showErrors({ [fieldOf(e.field)]: fieldText(e.field, e) }, null);
      else if (e.code === 'stale_version') showErrors({}, t('incidentForm.stale'));
      else showErrors({}, errorText(e));
    } finally {
      setBusy(null);
    }
  }

  function zodFields(err: import('zod').ZodError): FieldErrors {
    return fieldErrorsOf(err, fieldText, { keyOf: fieldOf });
  }

  // After saving, the next action is raising it: focus that button.
  useEffect(() => { if (saved) raiseRef.current?.focus(); }, [saved]);

  async function raise() {
    if (!saved || busy || props.mode !== 'create') return;
    setBusy('raising');
    setFormError(null);
    try {
      const alert = await api.raiseAlert(saved.id);
      props.onRaised(alert);
      props.onClose();
    } catch (e) {
      setFormError(errorText(toApiError(e)));
      setBusy(null);
    }
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey || e.metaKey || e.nativeEvent.isComposing) return;
    if (saved) {
      if ((e.key === 'm' || e.key === 'M') && !e.ctrlKey) { e.preventDefault(); void raise(); }
      return;
    }
    // Ctrl+Enter saves from anywhere, a text area included.
    if (e.key === 'Enter' && e.ctrlKey) { e.preventDefault(); void submit(); return; }
    if (e.ctrlKey || isTextEntry(e.target)) return;
    if (/^[1-3]$/.test(e.key)) { e.preventDefault(); set('priority', Number(e.key) as 1 | 2 | 3); return; }
    // Enter saves from a select or a radio button too (text fields submit by themselves; buttons do their own thing).
    if (e.key === 'Enter' && (e.target instanceof HTMLSelectElement || (e.target instanceof HTMLInputElement && e.target.type !== 'submit'))) {
      e.preventDefault();
      void submit();
    }
  };

  const title = editing ? t('incidentForm.editTitle', { number: editing.number })
    : saved ? t('incidentForm.savedTitle', { number: saved.number })
    : camera ? t('incidentForm.newTitleAt', { name: camera.name }) : t('incidentForm.newTitle');
  const taggedAt = editing?.taggedAt ?? tag!.taggedAt;

  return (
    <Dialog title={title} onClose={close} testId="incident-form" wide closable={busy === null}>
      <div onKeyDown={onKeyDown}>
        <dl className="facts" data-testid="incident-facts">
          <div><dt>{t('incident.taggedAt')}</dt><dd className="mono" data-testid="incident-tagged-at" data-iso={taggedAt}>{formatDateTime(taggedAt, lng)}</dd></div>
          <div><dt>{t('incident.location')}</dt><dd data-testid="incident-location">
            {camera ? t('wall.where', { street: camera.location.street, municipality: camera.municipalityName }) : t('incidentForm.noCamera')}
          </dd></div>
          {!editing && (
            <div><dt>{t('incident.snapshot')}</dt><dd data-testid="incident-snapshot-state" data-state={snap.state === 'done' ? snap.info.status : snap.state}>
              <SnapshotText snap={snap} />
            </dd></div>
          )}
        </dl>

        {saved ? (
          <div className="saved" data-testid="incident-saved" data-incident-id={saved.id}>
            <p className="banner banner--ok" role="status">
              {t('incidentForm.saved', { number: saved.number })}
            </p>
            <p className="saved__summary">
              <PriorityBadge priority={saved.priority} /> <CategoryName category={saved.category} inline />
            </p>
            <p className="muted">{t('incidentForm.raiseHint')}</p>
            <ErrorSlot error={formError} />
            <div className="actions">
              <button type="button" className="button" onClick={props.onClose} disabled={busy !== null}>{t('incidentForm.notNow')}</button>
              <button ref={raiseRef} type="button" className="button button--alarm" onClick={() => void raise()} disabled={busy !== null}
                aria-keyshortcuts="M" data-testid="incident-raise">
                {busy === 'raising' ? t('common.working') : t('incident.raise')} <kbd>M</kbd>
              </button>
            </div>
          </div>
        ) : (
          <form ref={formRef} className="form form--grid" onSubmit={(e) => void submit(e)} noValidate>
            <Field label={t('incident.camera')} error={errors.cameraIds}>
              {(c) => (
                <select {...c} value={d.cameraId} onChange={(e) => set('cameraId', e.target.value)} data-testid="incident-camera">
                  <option value="">{t('incidentForm.chooseCamera')}</option>
                  {(cameras ?? []).filter((x) => x.enabled || x.id === d.cameraId).map((x) => (
                    <option key={x.id} value={x.id}>{x.name} ({x.municipalityName})</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('incident.category')} error={errors.categoryId} hint={category ? undefined : t('incidentForm.categoryHint')}>
              {(c) => (
                <select {...c} value={d.categoryId} onChange={(e) => set('categoryId', e.target.value)} autoFocus data-testid="incident-category" required>
                  <option value="">{categoriesError ? t('incidentForm.categoriesFailed') : t('incidentForm.chooseCategory')}</option>
                  {groups.map((g) => (
                    <optgroup key={g.id} label={g.name}>
                      {g.categories.map((x) => <option key={x.id} value={x.id}>{lng.startsWith('en') ? x.en : x.nl}</option>)}
                    </optgroup>
                  ))}
                </select>
              )}
            </Field>
            {categoriesError && (
              <p className="banner banner--error span-2">{t('incidentForm.categoriesFailed')} {errorText(categoriesError)}{' '}
                <button type="button" className="button button--small" onClick={retryCategories}>{t('common.retry')}</button>
              </p>
            )}
            <FieldSet legend={t('incident.priority')} error={errors.priority} className="span-2 fieldset--inline">
              {([1, 2, 3] as const).map((p) => (
                <label key={p} className={`choice choice--prio choice--prio-${p}`}>
                  <input type="radio" name="priority" value={p} checked={d.priority === p} onChange={() => set('priority', p)} data-testid={`incident-priority-${p}`} />
                  <span><kbd aria-hidden="true">{p}</kbd> {t(`incident.priorities.${p}`)}</span>
                </label>
              ))}
              <p className="hint">{t('incidentForm.priorityHint')}</p>
            </FieldSet>
            {extraChoices.length > 0 && (
              <FieldSet legend={t('incidentForm.extraCameras')} className="span-2 fieldset--inline">
                {extraChoices.map((x) => (
                  <label key={x.id} className="choice">
                    <input type="checkbox" checked={d.extra.includes(x.id)}
                      onChange={(e) => set('extra', e.target.checked ? [...d.extra, x.id] : d.extra.filter((id) => id !== x.id))} />
                    <span>{x.name}</span>
                  </label>
                ))}
              </FieldSet>
            )}
            <Field label={t('incident.locationText')} hint={t('incidentForm.locationTextHint')} error={errors.locationText} className="span-2">
              {(c) => <input {...c} value={d.locationText} onChange={(e) => set('locationText', e.target.value)} autoComplete="off" data-testid="incident-location-text" />}
            </Field>
            <Field label={t('incident.persons')} hint={t('incidentForm.personsHint')} error={errors.persons} className="span-2">
              {(c) => <textarea {...c} rows={2} value={d.persons} onChange={(e) => set('persons', e.target.value)} data-testid="incident-persons" />}
            </Field>
            <Field label={t('incident.notes')} error={errors.notes} className="span-2"
              hint={t('incidentForm.notesHint', { count: d.notes.length, max: NOTES_MAX.toLocaleString(lng) })}>
              {(c) => <textarea {...c} rows={4} value={d.notes} onChange={(e) => set('notes', e.target.value)} data-testid="incident-notes" />}
            </Field>
            <div role="alert" className="alert-slot">
              {formError && <p className="banner banner--error" data-testid="incident-form-error">{formError}</p>}
              {discardAsked && dirty && <p className="banner banner--warning" data-testid="incident-discard">{t('incidentForm.discard')}</p>}
            </div>
            <div className="actions">
              <span className="hint actions__hint">{t('incidentForm.keysHint')}</span>
              <button type="button" className="button" onClick={close} disabled={busy !== null}>
                {discardAsked && dirty ? t('incidentForm.discardConfirm') : t('common.cancel')}
              </button>
              <button type="submit" className="button button--primary" disabled={busy !== null} data-testid="incident-save">
                {busy === 'snapshot' ? t('incidentForm.waitingSnapshot') : busy === 'saving' ? t('common.working') : t('common.save')} <kbd>Enter</kbd>
              </button>
            </div>
          </form>
        )}
      </div>
    </Dialog>
  );
}

function SnapshotText({ snap }: { snap: SnapshotState }) {
  const { t, i18n } = useTranslation();
  if (snap.state === 'none') return <>{t('incidentForm.snapshot.none')}</>;
  if (snap.state === 'pending') return <>{t('incidentForm.snapshot.pending')}</>;
  if (snap.state === 'error') return <>{t('incidentForm.snapshot.failed')}</>;
  const s = snap.info;
  if (s.status === 'taken' && s.takenAt) return <>{t('incidentForm.snapshot.taken', { time: formatDateTime(s.takenAt, i18n.language) })}</>;
  if (s.status === 'no_stream') return <>{t('incidentForm.snapshot.noStream')}</>;
  if (s.status === 'pending') return <>{t('incidentForm.snapshot.pending')}</>;
  return <>{t('incidentForm.snapshot.failed')}</>;
}
