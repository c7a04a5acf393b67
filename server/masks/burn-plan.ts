// Which polygons are burned into exported footage (evidence clips, incident snapshots), and what the manifest
// records of it. Pure: the versions in force while the footage was recorded come in, a plan comes out.
import type { AppliedMasks, MaskVersion, PrivacyMask } from './schema.js';

export interface MaskLiftOrder { maskIds: string[]; reason: string }

export interface BurnPlan {
  /** Polygons to cover with solid black (normalised points); empty: nothing to burn, the footage is copied as is. */
  polygons: Array<PrivacyMask['points']>;
  applied: AppliedMasks;
}

/**
 * Permanent masks always; liftable masks unless the export was ordered with them lifted. A clip spanning a change
 * of masks covers the union of every version in force during it (a mask removed halfway still covers the part
 * recorded before; covering it for the whole clip errs on the side of privacy).
 */
export function burnPlan(versions: readonly MaskVersion[], lift?: MaskLiftOrder | null): BurnPlan {
  const lifted = new Set(lift?.maskIds ?? []);
  const polygons: BurnPlan['polygons'] = [];
  const burned = new Set<string>(), left = new Set<string>();
  for (const v of versions) {
    for (const m of v.masks) {
      if (m.kind === 'liftable' && lifted.has(m.id)) { left.add(m.id); continue; }
      polygons.push(m.points);
      burned.add(m.id);
    }
  }
  return {
    polygons,
    applied: {
      versions: versions.map((v) => v.version).filter((n) => n > 0),
      burnedIn: [...burned].sort(),
      lifted: [...left].sort(),
      liftReason: left.size > 0 ? lift!.reason : null,
    },
  };
}

/** Ids of the masks that are liftable in some version: only those may be named in a lift order. */
export function liftableIds(versions: readonly MaskVersion[]): Set<string> {
  return new Set(versions.flatMap((v) => v.masks.filter((m) => m.kind === 'liftable').map((m) => m.id)));
}
