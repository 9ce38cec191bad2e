/**
 * A claim's range: its floor (the measure without the mechanism: chance, or an arm without it) and its ceiling
 * (a positive control: an arm trained directly on the target with the same budget), the claim's effect as a
 * share of ceiling - floor, and whether the instrument could show the effect at all. A positive control that
 * scores a rate below CEILING_MIN (or never reaches a count's threshold) did not learn the target itself: a
 * difference between two arms below it is no finding, and the claim is inconclusive with that reason.
 */
import { isRateTag } from '../measure/tags.js';
import { meanCI, type Interval } from '../stats/stats.js';
import { fewestItems, measureOf, type TrialResult } from './results.js';
import { valueLabel, type Claim, type Floor, type Measure, type ReferenceArm } from './spec.js';

/** The rate a positive control must reach for its claim to be judged. */
export const CEILING_MIN = 0.8;

/** One end of a claim's range as summary.json states it. */
export interface RangeEnd {
  value: number;
  label: string;
  /** 'value': a number the study file gave; 'arm': measured on trials. */
  source: 'value' | 'arm';
  /** For a measured end: where it was measured, and its values over seeds with their interval. */
  part?: string;
  where?: Record<string, string>;
  values?: number[];
  seeds?: number[];
  lo?: number;
  hi?: number;
  /** Trials of a count measure that never reached its threshold (their budget counted). */
  notReached?: number;
  /** A ceiling's `check`: the rate its positive control reached, beside its measure. */
  check?: { value: number; values: number[] };
}

export interface ClaimRange {
  floor: RangeEnd | null;
  ceiling: RangeEnd | null;
  /** The difference as a share of ceiling - floor, with its interval; null without both ends in the claim's units. */
  share: number | null;
  shareInterval: [number, number] | null;
  /** Why the claim cannot be judged: its positive control missed CEILING_MIN or was not measured; null when fine. */
  miscalibration: string | null;
}

/** Whether a measure is a proportion in [0, 1]: accuracy, verifier score, pass@k, or a tag declared a rate. */
export function isProportion(m: Measure): boolean {
  // manyShot rows are accuracies: the model's, the ideal learner's and the guess's.
  if ('eval' in m && m.eval.suite === 'manyShot') return true;
  if ('eval' in m) return ['exact', 'score'].includes(m.eval.metric) || /^(greedy_)?pass@\d+$/.test(m.eval.metric);
  return ('last' in m && isRateTag(m.last)) || ('mean' in m && isRateTag(m.mean));
}

/**
 * Whether a measure is a cross-entropy loss, never below 0: a genreLoss row (the model's, Bayes' or the unigram
 * learner's), an eval metric `loss` or `loss|k=4`, or a tag ending in `loss` (eval/val_loss). Not a loss
 * difference such as eval/icl_score, which may be negative.
 */
export function isLoss(m: Measure): boolean {
  if ('eval' in m) return m.eval.suite === 'genreLoss' || /(^|_)loss$/.test(m.eval.metric.split('|')[0]);
  const tag = 'last' in m ? m.last : 'mean' in m ? m.mean : null;
  return tag !== null && /(^|[/_])loss$/.test(tag);
}

/** The scale of a measure's intervals: rates inside [0, 1], counts and losses above 0, the rest linear. */
export function intervalScale(m: Measure): 'rate' | 'positive' | 'linear' {
  const unit = measureUnit(m);
  return unit === 'rate' ? 'rate' : unit === 'examples' || isLoss(m) ? 'positive' : 'linear';
}

/** What a measure counts in, so that a floor or ceiling measured otherwise is not set beside the claim's. */
export function measureUnit(m: Measure): string {
  if (isProportion(m)) return 'rate';
  if ('examplesTo' in m || 'demonstrationsTo' in m) return 'examples';
  // genreLoss rows give the model's loss and both reference learners' (bayes, unigram) on the same documents.
  if ('eval' in m && m.eval.suite === 'genreLoss') return 'nats per letter';
  if ('eval' in m) return `metric ${m.eval.metric}`;
  return `tag ${'last' in m ? m.last : m.mean}`;
}

/** The measure a claim's arm b is read with: the unit its range is in. */
const claimMeasure = (claim: Claim): Measure => claim.measureB ?? claim.measure;

/** The finished trials a reference names, measured; each with whether a count reached its threshold. */
function referenceValues(ref: ReferenceArm, claim: Claim, results: readonly TrialResult[]) {
  const part = ref.part ?? claim.part;
  const measure = ref.measure ?? claim.measure;
  const chosen = results.filter(
    (t) => t.part === part && t.trial.status === 'done' && Object.entries(ref.where).every(([axis, v]) => valueLabel(t.axes[axis]) === valueLabel(v)),
  );
  const measured = chosen.flatMap((t) => {
    const m = measureOf(t, measure);
    return m ? [{ seed: t.trial.seed, value: m.value, reached: m.reached, items: m.items }] : [];
  });
  return { part, measure, measured };
}

const whereText = (where: Record<string, unknown>) => Object.entries(where).map(([k, v]) => `${k} = ${valueLabel(v)}`).join(', ');

/** A measured end of the range; null when no finished trial of the reference has the measure. */
function measuredEnd(ref: ReferenceArm, claim: Claim, results: readonly TrialResult[], fallback: string): RangeEnd | null {
  const { part, measure, measured } = referenceValues(ref, claim, results);
  if (measured.length === 0) return null;
  const values = measured.map((m) => m.value);
  const ci: Interval = meanCI(values, { scale: intervalScale(measure), items: fewestItems(measured) });
  const where = Object.fromEntries(Object.entries(ref.where).map(([k, v]) => [k, valueLabel(v)]));
  const label = ref.label ?? (whereText(ref.where) ? `${fallback} (${whereText(ref.where)})` : fallback);
  return { value: ci.mean, label, source: 'arm', part, where, values, seeds: measured.map((m) => m.seed), lo: ci.lo, hi: ci.hi, notReached: measured.filter((m) => !m.reached).length };
}

function floorEnd(floor: Floor, claim: Claim, results: readonly TrialResult[]): RangeEnd | null {
  if (typeof floor === 'number') return { value: floor, label: 'floor', source: 'value' };
  if ('value' in floor) return { value: floor.value, label: floor.label, source: 'value' };
  return measuredEnd(floor, claim, results, 'floor');
}

/** The ceiling measured, with its `check` rate beside it when it names one. */
function ceilingEnd(ref: ReferenceArm, claim: Claim, results: readonly TrialResult[]): RangeEnd | null {
  const end = measuredEnd(ref, claim, results, 'ceiling');
  if (!end || !ref.check) return end;
  const check = measuredEnd({ ...ref, measure: ref.check }, claim, results, 'ceiling');
  return check ? { ...end, check: { value: check.value, values: check.values! } } : end;
}

/** Why a measured positive control shows the instrument cannot measure the claim; null when it can. */
function ceilingProblem(ceiling: RangeEnd | null, ref: ReferenceArm, claim: Claim): string | null {
  const measure = ref.measure ?? claim.measure;
  const what = ref.label ?? whereText(ref.where);
  const name = what ? `the positive control (${what})` : 'the positive control';
  if (!ceiling) return `mis-calibrated: ${name} has no finished trial with its measure, so nothing shows the target can be learned at this budget`;
  if (ref.check && !ceiling.check) return `mis-calibrated: ${name} has no finished trial with its check measure`;
  if (ref.check && ceiling.check!.value < CEILING_MIN) {
    return `mis-calibrated: ${name} reached only ${ceiling.check!.value.toFixed(3)} (< ${CEILING_MIN}) on its check; at this budget the instrument cannot show the effect`;
  }
  // A claimed increase needs the control at >= 0.8; a claimed decrease of a rate (an error rate) at <= 0.2. A
  // control measured in other units than the claim (an accuracy beside a count) is an accuracy: higher is better.
  const higherIsBetter = claim.direction === 'increase' || measureUnit(measure) !== measureUnit(claimMeasure(claim));
  if (isProportion(measure) && higherIsBetter && ceiling.value < CEILING_MIN) {
    return `mis-calibrated: ${name} reached only ${ceiling.value.toFixed(3)} (< ${CEILING_MIN}); at this budget the instrument cannot show the effect`;
  }
  if (isProportion(measure) && !higherIsBetter && ceiling.value > 1 - CEILING_MIN) {
    return `mis-calibrated: ${name} came down only to ${ceiling.value.toFixed(3)} (> ${(1 - CEILING_MIN).toFixed(1)}); at this budget the instrument cannot show the effect`;
  }
  if (measureUnit(measure) === 'examples' && (ceiling.notReached ?? 0) > 0) {
    return `mis-calibrated: ${name} did not reach the threshold in ${ceiling.notReached} of ${ceiling.values!.length} trial(s); at this budget the instrument cannot show the effect`;
  }
  return null;
}

/** Whether an end of the range is in the claim's units: numbers are read as such, measured ends by their measure. */
function sameUnits(end: Floor | ReferenceArm, claim: Claim): boolean {
  if (typeof end === 'number' || 'value' in end) return true;
  return measureUnit(end.measure ?? claim.measure) === measureUnit(claimMeasure(claim));
}

/** Whether the claim's floor or ceiling can be drawn on the claim's own axis. */
export function endInClaimUnits(claim: Claim, end: 'floor' | 'ceiling'): boolean {
  const given = claim[end];
  return given !== undefined && sameUnits(given, claim);
}

/** The claim's floor, ceiling and the difference as a share of their range. */
export function claimRange(claim: Claim, difference: Interval, results: readonly TrialResult[]): ClaimRange {
  const floor = claim.floor === undefined ? null : floorEnd(claim.floor, claim, results);
  const ceiling = claim.ceiling === undefined ? null : ceilingEnd(claim.ceiling, claim, results);
  const miscalibration = claim.ceiling === undefined ? null : ceilingProblem(ceiling, claim.ceiling, claim);
  const comparable = floor && ceiling && sameUnits(claim.floor!, claim) && sameUnits(claim.ceiling!, claim);
  const span = comparable ? ceiling.value - floor.value : 0;
  if (!comparable) return { floor, ceiling, share: null, shareInterval: null, miscalibration };
  // A positive control no better than the floor leaves no range for an effect to be a share of.
  if (claim.direction === 'increase' ? span <= 0 : span >= 0) {
    const side = claim.direction === 'increase' ? 'above' : 'below';
    const why = `mis-calibrated: the ceiling (${ceiling.label}, ${ceiling.value.toFixed(3)}) is not ${side} the floor (${floor.label}, ${floor.value.toFixed(3)}), so there is no range for the effect to be a share of`;
    return { floor, ceiling, share: null, shareInterval: null, miscalibration: miscalibration ?? why };
  }
  const ends = [difference.lo / span, difference.hi / span].filter(Number.isFinite).sort((x, y) => x - y);
  return { floor, ceiling, share: difference.mean / span, shareInterval: ends.length === 2 ? [ends[0], ends[1]] : null, miscalibration };
}
