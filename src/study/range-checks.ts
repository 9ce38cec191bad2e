/**
 * A claim's floor and ceiling checked before any trial runs: the part a reference arm names, the axes and values
 * of its `where`, and a numeric floor inside the range of a rate. (Their measures are checked with the claim's,
 * in claim-checks.ts.) Otherwise the report would quietly say "no ceiling measured" about a typo.
 */
import { CEILING_MIN, isProportion } from '../report/range.js';
import { valueLabel, type Claim, type ReferenceArm } from '../report/spec.js';
import type { Axis } from './expand.js';

/** The reference arms of a claim with the field path each sits at: its floor (when measured) and its ceiling. */
export function referenceArms(claim: Claim, i: number): { path: string; ref: ReferenceArm }[] {
  const refs: { path: string; ref: ReferenceArm }[] = [];
  if (claim.floor !== undefined && typeof claim.floor === 'object' && !('value' in claim.floor)) refs.push({ path: `claims[${i}].floor`, ref: claim.floor });
  if (claim.ceiling !== undefined) refs.push({ path: `claims[${i}].ceiling`, ref: claim.ceiling });
  return refs;
}

function whereProblems(path: string, part: string, where: Record<string, unknown>, axes: readonly Axis[]): string[] {
  return Object.entries(where).flatMap(([name, value]) => {
    const axis = axes.find((a) => a.name === name);
    if (!axis) return [`${path}.where.${name}: part ${part} has no axis ${name}; its axes are ${axes.map((a) => a.name).join(', ') || '(none)'}`];
    const label = valueLabel(value);
    return axis.labels.includes(label) ? [] : [`${path}.where.${name}: got ${label}; the axis ${name} has ${axis.labels.join(', ')}`];
  });
}

/** A number floor of a rate claim must itself be a rate. */
function floorValueProblems(claim: Claim, i: number): string[] {
  const value = typeof claim.floor === 'number' ? claim.floor : claim.floor && 'value' in claim.floor ? claim.floor.value : undefined;
  if (value === undefined || !isProportion(claim.measureB ?? claim.measure)) return [];
  return value >= 0 && value <= 1 ? [] : [`claims[${i}].floor: got ${value}; the claim measures a rate, so its floor lies in [0, 1]`];
}

/** Problems with every claim's floor and ceiling; one line each, naming the field. */
export function rangeProblems(claims: readonly Claim[], axesByPart: ReadonlyMap<string, Axis[]>): string[] {
  return claims.flatMap((claim, i) => [
    ...floorValueProblems(claim, i),
    ...referenceArms(claim, i).flatMap(({ path, ref }) => {
      const part = ref.part ?? claim.part;
      const axes = axesByPart.get(part);
      if (!axes) return [`${path}.part: no part is named ${part}; the parts are ${[...axesByPart.keys()].join(', ')}`];
      const check = ref.check && !isProportion(ref.check) ? [`${path}.check: a check is a rate the positive control must reach ${CEILING_MIN} on (an accuracy or score)`] : [];
      return [...whereProblems(path, part, ref.where, axes), ...check];
    }),
  ]);
}
