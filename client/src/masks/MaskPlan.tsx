// A camera's masks as a plan: the polygons on a neutral 16:9 field with a 10 % grid, numbered, and the same masks as
// a table (number, kind, reason, corners). No image: municipality users check the masks against their camera plan.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivacyMask } from '../../../server/masks/schema';
import { formatPoints, MASK_COVER_COLOUR, svgPoints } from './geometry';

const W = 1600;
const H = 900;
const GRID = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i / 10);

/** Where a mask's number goes: the mean of its corners (inside for the convex and near-convex shapes masks are). */
export const labelAt = (points: ReadonlyArray<readonly [number, number]>): [number, number] =>
  [points.reduce((a, p) => a + p[0], 0) / points.length, points.reduce((a, p) => a + p[1], 0) / points.length];

export function MaskShapes({ masks, width, height, selected }: { masks: PrivacyMask[]; width: number; height: number; selected?: number | null }) {
  return (
    <>
      {masks.map((m, i) => {
        const [lx, ly] = labelAt(m.points.length ? m.points : [[0, 0]]);
        return (
          <g key={m.id} className={`mask-shape mask-shape--${m.kind}${selected === i ? ' mask-shape--selected' : ''}`}>
            {m.points.length >= 2 && <polygon points={svgPoints(m.points, width, height)} fill={m.kind === 'permanent' ? MASK_COVER_COLOUR : undefined} />}
            {m.points.length > 0 && <text x={lx * width} y={ly * height} className="mask-shape__label">{i + 1}</text>}
          </g>
        );
      })}
    </>
  );
}

export function MaskPlan({ masks, label, testId }: { masks: PrivacyMask[]; label: string; testId?: string }) {
  const { t } = useTranslation();
  const captionId = useId();
  return (
    <div className="mask-plan" data-testid={testId}>
      <svg className="mask-plan__field" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} aria-describedby={captionId}>
        <rect x={0} y={0} width={W} height={H} className="mask-plan__ground" />
        {GRID.map((g) => <line key={`v${g}`} x1={g * W} x2={g * W} y1={0} y2={H} className="mask-plan__grid" />)}
        {GRID.map((g) => <line key={`h${g}`} y1={g * H} y2={g * H} x1={0} x2={W} className="mask-plan__grid" />)}
        <MaskShapes masks={masks} width={W} height={H} />
      </svg>
      <p id={captionId} className="hint">{t('masks.planLegend')}</p>
      {masks.length === 0
        ? <p className="empty" data-testid="mask-plan-empty">{t('masks.none')}</p>
        : (
          <table className="table table--dense">
            <caption className="visually-hidden">{t('masks.tableCaption')}</caption>
            <thead><tr><th scope="col">{t('masks.number')}</th><th scope="col">{t('masks.kind')}</th><th scope="col">{t('masks.reason')}</th><th scope="col">{t('masks.corners')}</th></tr></thead>
            <tbody>
              {masks.map((m, i) => (
                <tr key={m.id} data-testid="mask-row">
                  <td className="mono">{i + 1}</td>
                  <td><span className={`badge badge--mask-${m.kind}`}>{t(`masks.kinds.${m.kind}`)}</span></td>
                  <td className="user-text">{m.reason}</td>
                  <td className="mono">{formatPoints(m.points)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </div>
  );
}
