// The masks being drawn, as fields: which one the picture draws on, its kind, its reason, its corners as text (to type
// or correct exactly, in % of width and height), and removing a corner or the mask.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivacyMask } from '../../../server/masks/schema';
import { Field } from '../components/Field';
import type { FieldErrors } from '../components/formErrors';
import { formatPoints, parsePoints } from './geometry';

interface Props {
  masks: PrivacyMask[];
  selected: number | null;
  errors: FieldErrors;
  full: boolean;
  onSelect(i: number): void;
  onEdit(i: number, patch: Partial<PrivacyMask>): void;
  onRemove(i: number): void;
  onNew(): void;
}

export function MaskList({ masks, selected, errors, full, onSelect, onEdit, onRemove, onNew }: Props) {
  const { t } = useTranslation();
  return (
    <div className="mask-list">
      <h3>{t('masks.listTitle', { count: masks.length })}</h3>
      {masks.length === 0 && <p className="empty">{t('masks.none')}</p>}
      <ol className="mask-list__items">
        {masks.map((m, i) => (
          <li key={m.id} className={`mask-item${selected === i ? ' mask-item--selected' : ''}`} data-testid={`mask-item-${i + 1}`}>
            <fieldset className="fieldset">
              <legend>{t('masks.maskN', { n: i + 1 })} <span className="mono muted">{m.id}</span></legend>
              <div className="mask-item__tools">
                <button type="button" className="button button--small" aria-pressed={selected === i} onClick={() => onSelect(i)} data-testid="mask-select">
                  {selected === i ? t('masks.drawingOn') : t('masks.drawOn')}<span className="visually-hidden"> {t('masks.maskN', { n: i + 1 })}</span>
                </button>
                <button type="button" className="button button--small" disabled={m.points.length === 0}
                  onClick={() => onEdit(i, { points: m.points.slice(0, -1) })}>
                  {t('masks.removeCorner')}<span className="visually-hidden"> {t('masks.maskN', { n: i + 1 })}</span>
                </button>
                <button type="button" className="button button--small button--quiet" onClick={() => onRemove(i)} data-testid="mask-remove">
                  {t('masks.remove')}<span className="visually-hidden"> {t('masks.maskN', { n: i + 1 })}</span>
                </button>
              </div>
              <Field label={t('masks.kind')}>
                {(c) => (
                  <select {...c} value={m.kind} onChange={(e) => onEdit(i, { kind: e.target.value as PrivacyMask['kind'] })} data-testid="mask-kind">
                    <option value="permanent">{t('masks.kinds.permanent')}</option>
                    <option value="liftable">{t('masks.kinds.liftable')}</option>
                  </select>
                )}
              </Field>
              <Field label={t('masks.reason')} hint={t('masks.reasonHint')} error={errors[`masks.${i}.reason`]}>
                {(c) => <input {...c} value={m.reason} maxLength={200} onChange={(e) => onEdit(i, { reason: e.target.value })} data-testid="mask-reason" />}
              </Field>
              <Corners points={m.points} error={errors[`masks.${i}.points`]} onChange={(points) => onEdit(i, { points })} />
            </fieldset>
          </li>
        ))}
      </ol>
      <button type="button" className="button" onClick={onNew} disabled={full} data-testid="mask-new">{t('masks.newMask')}</button>
      {full && <p className="hint">{t('masks.full')}</p>}
    </div>
  );
}

/** The corners as text; what is typed is kept while it does not read as corners, and said so. */
function Corners({ points, error, onChange }: { points: PrivacyMask['points']; error?: string; onChange(p: PrivacyMask['points']): void }) {
  const { t } = useTranslation();
  const shown = formatPoints(points);
  const [text, setText] = useState(shown);
  const [bad, setBad] = useState(false);
  const [typing, setTyping] = useState(false);
  // Drawing on the picture changes the corners: show them, unless the field is being typed in or holds an unfinished entry.
  useEffect(() => { if (!bad && !typing) setText(shown); }, [shown, bad, typing]);
  return (
    <Field label={t('masks.corners')} hint={t('masks.cornersHint')} error={bad ? t('masks.errors.cornersText') : error}>
      {(c) => (
        <input {...c} className="mono" value={text} spellCheck={false} autoComplete="off" data-testid="mask-corners"
          onFocus={() => setTyping(true)} onBlur={() => setTyping(false)}
          onChange={(e) => {
            setText(e.target.value);
            const parsed = parsePoints(e.target.value);
            setBad(parsed === null);
            if (parsed) onChange(parsed);
          }} />
      )}
    </Field>
  );
}
