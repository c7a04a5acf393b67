// The admin's mask editor for one camera: a fresh frame of the camera to draw on (every frame fetched is in the audit
// trail), the masks as polygons with kind and reason, the change's reason, and a save that names the version the
// drawing started from. Another admin's save in between is a conflict: shown, with the choice to draw on top of it
// or to start again from it.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Camera } from '../../../server/cameras/schema';
import { MAX_MASKS_PER_CAMERA, maskVersionInputSchema, type MaskVersion, type PrivacyMask } from '../../../server/masks/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { Dialog } from '../components/Dialog';
import { Field, FormActions, focusFirstInvalid } from '../components/Field';
import { useErrorText } from '../components/errors';
import { fieldErrorsOf, type FieldErrors } from '../components/formErrors';
import { ErrorSlot } from '../components/Slots';
import { formatDateTime } from '../format';
import { FALLBACK_SIZE, newMaskId } from './geometry';
import { MaskList } from './MaskList';
import { MaskStage, type Point } from './MaskStage';
import { MaskVersions } from './MaskVersions';
import { useCameraMasks } from './MasksProvider';

type Frame = { state: 'loading' } | { state: 'shown'; url: string; at: Date } | { state: 'none'; error: ApiError };

interface Props { camera: Camera; onClose(): void; onSaved(v: MaskVersion): void }

export function MaskEditor({ camera, onClose, onSaved }: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const hintId = useId();
  const { masks: known, error: loadError, refresh } = useCameraMasks(camera.id);
  const [base, setBase] = useState<MaskVersion | null>(null);
  const [draft, setDraft] = useState<PrivacyMask[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [changeReason, setChangeReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<MaskVersion | null>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<HTMLFormElement | null>(null);
  const [frame, setFrame] = useState<Frame>({ state: 'loading' });
  const [size, setSize] = useState<{ width: number; height: number }>(FALLBACK_SIZE);

  // The drawing starts from the version in force when the editor opened (later versions come as a conflict).
  useEffect(() => {
    if (known && !base) { setBase(known.current); setDraft(known.current.masks); }
  }, [known, base]);

  const loadFrame = useCallback(() => {
    let cancelled = false;
    setFrame((f) => { if (f.state === 'shown') URL.revokeObjectURL(f.url); return { state: 'loading' }; });
    api.maskFrame(camera.id).then(
      (blob) => { if (!cancelled) setFrame({ state: 'shown', url: URL.createObjectURL(blob), at: new Date() }); },
      (e) => { if (!cancelled) setFrame({ state: 'none', error: toApiError(e) }); },
    );
    return () => { cancelled = true; };
  }, [camera.id]);
  useEffect(() => loadFrame(), [loadFrame]);
  useEffect(() => () => { if (frame.state === 'shown') URL.revokeObjectURL(frame.url); }, [frame]);

  const edit = (i: number, patch: Partial<PrivacyMask>) => setDraft((d) => d.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const newMask = () => {
    if (draft.length >= MAX_MASKS_PER_CAMERA) return;
    setDraft((d) => [...d, { id: newMaskId(d.map((m) => m.id)), kind: 'permanent', reason: '', points: [] }]);
    setSelected(draft.length);
  };
  const addPoint = (p: Point) => {
    if (selected === null || !draft[selected]) {
      if (draft.length >= MAX_MASKS_PER_CAMERA) return;
      setDraft((d) => [...d, { id: newMaskId(d.map((m) => m.id)), kind: 'permanent', reason: '', points: [p] }]);
      setSelected(draft.length);
      return;
    }
    edit(selected, { points: [...draft[selected]!.points, p] });
  };
  const removeLast = () => { if (selected !== null && draft[selected]) edit(selected, { points: draft[selected]!.points.slice(0, -1) }); };
  const movePoint = (i: number, corner: number, p: Point) => edit(i, { points: draft[i]!.points.map((q, k) => (k === corner ? p : q)) });
  const remove = (i: number) => { setDraft((d) => d.filter((_, j) => j !== i)); setSelected(null); };

  const fieldText = (path: string) => {
    const last = path.split('.').at(-1);
    if (path === 'changeReason') return t('masks.errors.changeReason');
    if (last === 'reason') return t('masks.errors.reason');
    if (last === 'points' || /^\d+$/.test(last ?? '')) return t('masks.errors.points');
    return t('masks.errors.masks');
  };
  // Errors inside a corner ("masks.0.points.3.1") belong to the mask's corners field.
  const keyOf = (path: string) => path.replace(/^(masks\.\d+\.points)\..*$/, '$1') || 'form';

  async function save(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    if (!base) return;
    const p = maskVersionInputSchema.safeParse({ masks: draft, changeReason, baseVersion: base.version });
    if (!p.success) {
      setErrors(fieldErrorsOf(p.error, fieldText, { keyOf }));
      setFormError(t('common.checkFields'));
      focusFirstInvalid(form);
      return;
    }
    setBusy(true); setErrors({});
    try {
      const saved = await api.saveMasks(camera.id, p.data);
      await refresh();
      onSaved(saved);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.code === 'mask_version_conflict') {
        // Read what is in force now, to say who saved what in between.
        const now = await api.cameraMasks(camera.id).catch(() => null);
        void refresh();
        setConflict(now?.current ?? null);
        setFormError(now ? null : errorText(apiErr));
      } else if (apiErr.field) {
        setErrors({ [keyOf(apiErr.field)]: `${fieldText(apiErr.field)} (${apiErr.message})` });
        setFormError(t('common.checkFields'));
        focusFirstInvalid(form);
      } else setFormError(errorText(apiErr));
    } finally { setBusy(false); }
  }

  const frameAt = frame.state === 'shown' ? formatDateTime(frame.at, i18n.language) : '';
  return (
    <Dialog title={t('masks.editorTitle', { name: camera.name })} onClose={onClose} closable={!busy} testId="mask-editor" size="full">
      {!base && !loadError && <p className="muted" role="status">{t('common.loading')}</p>}
      {!base && loadError && <p className="banner banner--error" role="alert">{errorText(loadError)}</p>}
      {base && (
        <form ref={setForm} className="mask-editor" onSubmit={(e) => void save(e)} noValidate>
          <div className="mask-editor__picture">
            <div className="mask-editor__frame-line">
              <span className="muted" data-testid="mask-frame-state">
                {frame.state === 'loading' && t('masks.frameLoading')}
                {frame.state === 'shown' && t('masks.frameAt', { time: frameAt })}
                {frame.state === 'none' && (frame.error.code === 'camera_offline' ? t('masks.frameOffline') : t('masks.frameFailed', { reason: errorText(frame.error) }))}
              </span>
              <button type="button" className="button button--small" onClick={() => loadFrame()} disabled={frame.state === 'loading'} data-testid="mask-frame-reload">
                {t('masks.frameReload')}
              </button>
            </div>
            <MaskStage masks={draft} selected={selected} frameUrl={frame.state === 'shown' ? frame.url : null}
              frameAlt={t('masks.frameAlt', { name: camera.name, time: frameAt })} width={size.width} height={size.height}
              onFrameSize={(width, height) => { if (width > 0 && height > 0) setSize({ width, height }); }}
              onAddPoint={addPoint} onMovePoint={movePoint} onRemoveLast={removeLast} onNewMask={newMask} hintId={hintId} />
            <p id={hintId} className="hint">{t('masks.stageHint')}</p>
          </div>
          <div className="mask-editor__side">
            <p className="muted" data-testid="mask-base">
              {base.version === 0 ? t('masks.noVersionYet') : t('masks.versionLine', {
                version: base.version, from: base.validFrom ? formatDateTime(base.validFrom, i18n.language) : '–', by: base.changedBy ?? '–',
              })}
            </p>
            {conflict && (
              <div className="banner banner--conflict" role="alert" data-testid="mask-conflict">
                <p><strong>{t('masks.conflictTitle')}</strong></p>
                <p>{t('masks.conflictText', {
                  version: conflict.version, by: conflict.changedBy ?? '–', reason: conflict.changeReason ?? '–',
                  time: conflict.validFrom ? formatDateTime(conflict.validFrom, i18n.language) : '–',
                })}</p>
                <div className="actions">
                  <button type="button" className="button button--small" data-testid="mask-conflict-keep"
                    onClick={() => { setBase(conflict); setConflict(null); }}>{t('masks.conflictKeep', { version: conflict.version })}</button>
                  <button type="button" className="button button--small" data-testid="mask-conflict-reload"
                    onClick={() => { setBase(conflict); setDraft(conflict.masks); setSelected(null); setConflict(null); }}>{t('masks.conflictReload', { version: conflict.version })}</button>
                </div>
              </div>
            )}
            <MaskList masks={draft} selected={selected} errors={errors} onSelect={setSelected} onEdit={edit} onRemove={remove} onNew={newMask}
              full={draft.length >= MAX_MASKS_PER_CAMERA} />
            <Field label={t('masks.changeReason')} hint={t('masks.changeReasonHint')} error={errors.changeReason}>
              {(c) => <textarea {...c} rows={2} maxLength={500} value={changeReason} onChange={(e) => setChangeReason(e.target.value)} data-testid="mask-change-reason" />}
            </Field>
            <ErrorSlot error={formError ?? errors.form ?? errors.masks} testId="mask-editor-error" />
            <FormActions busy={busy} onCancel={onClose} submitLabel={t('masks.save')} submitTestId="mask-save" />
            <MaskVersions cameraId={camera.id} current={known?.current.version ?? base.version} />
          </div>
        </form>
      )}
    </Dialog>
  );
}
