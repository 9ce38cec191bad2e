/**
 * One claim judged: each arm's measure over its seeds, arm b compared with arm a, the verdict, the sentence
 * the finding gives it, its table and its bar chart. The steps run in that order, top to bottom.
 */
import { MIN_SEEDS_FOR_VERDICT, noVerdictReason, type Interval, type Verdict } from '../stats/stats.js';
import { formatInterval, formatNumber } from '../util/format.js';
import { armResult, compareArms, type ArmResult, type Comparison, type ReportPlot, type ReportTable, type UnmeasuredClaim } from './model.js';
import { formatRatio, idealFor, idealRatio, type IdealRatio } from './ideal.js';
import { clampTo, slug } from './points.js';
import { claimRange, endInClaimUnits, intervalScale, isProportion, type ClaimRange } from './range.js';
import { contrastArms, effectName, type ContrastArms } from './contrast.js';
import { armsOf, fewestItems, measureOf, type Arm, type TrialResult } from './results.js';
import { valueLabel, type Claim, type Measure, type OtherEffect } from './spec.js';
import { barChartSpec, finiteOrNull } from './specs.js';

export interface ClaimOutcome {
  claim: Claim;
  arms: ArmResult[];
  comparison: Comparison | null;
  verdict: Verdict;
  sentence: string;
  table: ReportTable;
  plot: ReportPlot | null;
  /** Set when arm a or b has no measure, with why. */
  unmeasured: UnmeasuredClaim | null;
}

/** One arm of a claim measured on its finished trials; result null when none of them has the measure. */
export interface MeasuredArm {
  name: string;
  result: ArmResult | null;
  /** Trials whose examples-to-threshold was not reached: their budget is counted, a lower bound. */
  notReached: number;
  /** Trials already past the threshold at their first evaluation: that count is an upper bound. */
  early: number;
  of: number;
}

/** What the comparison of arm b with arm a found, and why a measured difference may not count. */
interface Judgement {
  a: ArmResult;
  b: ArmResult;
  comparison: Comparison;
  paired: boolean;
  /** Both arms never reached the threshold: both values are "more than the budget". */
  bothCensored: boolean;
  /** Both arms were past the threshold at their first evaluation: both values are upper bounds. */
  bothEarly: boolean;
  /** Every trial of both arms scored exactly this edge (0 or 1) of a proportion: nothing is measurable there. */
  bound: number | undefined;
  /** The first arm between a and b whose mean passes halfway, on a numeric axis. */
  midpoint: string | null;
  /** Floor, ceiling, the difference as a share of their range, and whether the positive control worked. */
  range: ClaimRange;
}

const fmt = (x: number) => formatNumber(x, 3);

export function judgeClaim(claim: Claim, results: readonly TrialResult[], index: number): ClaimOutcome {
  if (claim.than) return judgeContrast({ ...claim, than: claim.than }, results, index);
  const measured = measureArms(claim, results);
  const arms = measured.flatMap((m) => (m.result ? [m.result] : []));
  const judgement = judge(claim, measured, results, index);
  const verdict: Verdict = judgement?.comparison.verdict ?? 'inconclusive';
  const unreached = measured.reduce((n, m) => n + m.notReached, 0);
  const early = measured.reduce((n, m) => n + m.early, 0);
  const unmeasured = judgement ? null : whyUnmeasured(claim, measured, armsOf(results, claim.part, claim.axis, claim.where));
  return {
    claim,
    arms,
    comparison: judgement?.comparison ?? null,
    verdict,
    unmeasured,
    sentence: claimSentence(claim, judgement, unreached, early, unmeasured),
    table: withRangeNote(claimTable(claim, measured, index), judgement?.range ?? null),
    plot: claimPlot(claim, measured, unreached > 0, early > 0, index, judgement?.range ?? null),
  };
}

type ContrastClaim = Claim & { than: OtherEffect };

/** A claim that its effect is larger than another's (`than`): the per-seed contrast of the two, judged. */
function judgeContrast(claim: ContrastClaim, results: readonly TrialResult[], index: number): ClaimOutcome {
  const arms = contrastArms(claim, results);
  const measured: MeasuredArm[] = arms ? [arms.other, arms.own].map((r) => ({ name: r.arm, result: r, notReached: 0, early: 0, of: r.values.length })) : [];
  const judgement = arms ? judgeContrastArms(claim, arms, results, index) : null;
  const unmeasured = judgement ? null : contrastUnmeasured(claim, results);
  const verdict = judgement?.comparison.verdict ?? 'inconclusive';
  const head = `${claim.text} (${effectName(claim)}, against ${claim.than.label}: ${effectName(claim.than)})`;
  const sentence = judgement
    ? `${head}: ${contrastClause(claim, judgement)} -> ${verdict.replace('_', ' ')}.${claim.context ? ` ${claim.context}` : ''}`
    : `${head}: not measured, ${unmeasured!.reason} -> inconclusive.`;
  return {
    claim,
    arms: measured.map((m) => m.result!),
    comparison: judgement?.comparison ?? null,
    verdict,
    unmeasured,
    sentence,
    table: withRangeNote(claimTable(claim, measured, index), judgement?.range ?? null),
    plot: claimPlot(claim, measured, false, false, index, judgement?.range ?? null),
  };
}

/** b = the claim's own effect, a = the other's size: the difference b - a is the contrast, positive when it holds. */
function judgeContrastArms(claim: ContrastClaim, { other, own }: ContrastArms, results: readonly TrialResult[], index: number): Judgement {
  let comparison = compareArms(other, own, { direction: 'increase', minEffect: claim.minEffect, paired: true, scale: 'linear' });
  // The range is read in the claim's own direction: a claimed decrease has a ceiling below its floor.
  const d = comparison.difference;
  const inClaimDirection = claim.direction === 'increase' ? d : { ...d, mean: -d.mean, lo: -d.hi, hi: -d.lo };
  const range = claimRange(claim, inClaimDirection, results);
  comparison = { ...comparison, claim: { index, text: claim.text, part: claim.part }, ...range };
  if (range.miscalibration) comparison = { ...comparison, verdict: 'inconclusive' };
  return { a: other, b: own, comparison, paired: true, bothCensored: false, bothEarly: false, bound: undefined, midpoint: null, range };
}

/** "the effect ... is m [lo, hi] against |other| m [lo, hi]; the contrast is m [lo, hi] (paired by seed, ...)". */
function contrastClause(claim: ContrastClaim, { a, b, comparison, range }: Judgement): string {
  const d = comparison.difference;
  const value = (ci: Interval) => `${fmt(ci.mean)} ${formatInterval(ci)}`;
  const how = ['paired by seed', `${Math.round(d.level * 100)}% CI`, `n = ${d.n}`, ...(claim.minEffect > 0 ? [`smallest effect that counts ${fmt(claim.minEffect)}`] : [])].join(', ');
  const caveats = [...noVerdictCaveat(d), ...(range.miscalibration ? [range.miscalibration] : [])];
  return (
    `the effect on ${claim.label} (${b.arm}) is ${value(b.ci)} against ${value(a.ci)} for ${a.arm}; ` +
    `their contrast is ${value(d)} (${how})` +
    rangeClause(range) +
    caveats.map((c) => `; ${c}`).join('')
  );
}

/** Why a contrast has no seed measured on both sides of both effects, from the part's trials' states. */
function contrastUnmeasured(claim: ContrastClaim, results: readonly TrialResult[]): UnmeasuredClaim {
  const trials = results.filter((t) => t.part === claim.part);
  const failed = trials.filter((t) => t.trial.status === 'failed').length;
  const unfinished = trials.filter((t) => t.trial.status === 'queued' || t.trial.status === 'running').length;
  const cause = failed ? 'failed' : unfinished ? 'unfinished' : 'no data';
  const why = failed ? `${failed} of its ${trials.length} trials failed` : unfinished ? `${unfinished} of its ${trials.length} trials did not finish` : 'its finished trials lack the measure';
  return { claim: claim.text, cause, reason: `no seed measured both sides of both effects (${why})` };
}

/** With per-arm measures (measureA, measureB) one arm may be measured twice: its two variants are named apart. */
const splitByMeasure = (claim: Claim) => claim.measureA !== undefined || claim.measureB !== undefined;

function measureArms(claim: Claim, results: readonly TrialResult[]): MeasuredArm[] {
  const split = splitByMeasure(claim);
  const variants = armsOf(results, claim.part, claim.axis, claim.where).flatMap((arm) => {
    const plain = [{ arm, name: arm.label, measure: claim.measure }];
    if (!split) return plain;
    const out: typeof plain = [];
    if (arm.label === valueLabel(claim.a)) out.push({ arm, name: `${arm.label} (a)`, measure: claim.measureA ?? claim.measure });
    if (arm.label === valueLabel(claim.b)) out.push({ arm, name: `${arm.label} (b)`, measure: claim.measureB ?? claim.measure });
    return out.length ? out : plain;
  });
  return variants.map(({ arm, name, measure }) => measureArm(name, claim.label, arm.trials, measure));
}

export function measureArm(name: string, label: string, trials: readonly TrialResult[], measure: Measure): MeasuredArm {
  const measured = trials.map((t) => ({ seed: t.trial.seed, m: measureOf(t, measure) })).filter((x) => x.m !== null);
  if (measured.length === 0) return { name, result: null, notReached: 0, early: 0, of: 0 };
  const result = armResult(name, label, measured.map((x) => x.m!.value), { seeds: measured.map((x) => x.seed), scale: intervalScale(measure), items: fewestItems(measured.map((x) => x.m!)) });
  const notReached = measured.filter((x) => !x.m!.reached).length;
  return { name, result, notReached, early: measured.filter((x) => x.m!.upperBound).length, of: measured.length };
}

const censored = (m: MeasuredArm | undefined) => m !== undefined && m.of > 0 && m.notReached === m.of;
const allEarly = (m: MeasuredArm | undefined) => m !== undefined && m.of > 0 && m.early === m.of;

/** Arm a's (side 'a') or arm b's measure; undefined when it has none. */
function sideOf(claim: Claim, measured: MeasuredArm[], side: 'a' | 'b'): MeasuredArm | undefined {
  const label = valueLabel(claim[side]);
  const name = splitByMeasure(claim) ? `${label} (${side})` : label;
  return measured.find((m) => m.result && m.name === name);
}

/** Compares arm b with arm a; null when either has no finished trial with the measure. */
function judge(claim: Claim, measured: MeasuredArm[], results: readonly TrialResult[], index: number): Judgement | null {
  const split = splitByMeasure(claim);
  const ma = sideOf(claim, measured, 'a');
  const mb = sideOf(claim, measured, 'b');
  if (!ma?.result || !mb?.result) return null;
  const [a, b] = [ma.result, mb.result];
  const paired = a.seeds!.length === b.seeds!.length && a.seeds!.every((s, i) => s === b.seeds![i]);
  const scale = proportion(claim) ? 'rate' : 'linear';
  let comparison = compareArms(a, b, { direction: claim.direction, minEffect: claim.minEffect, paired, scale });
  const bothCensored = censored(ma) && censored(mb);
  const bothEarly = allEarly(ma) && allEarly(mb);
  const bound = proportion(claim) ? [0, 1].find((edge) => [...a.values, ...b.values].every((v) => v === edge)) : undefined;
  const range = claimRange(claim, comparison.difference, results);
  comparison = { ...comparison, claim: { index, text: claim.text, part: claim.part }, ...range };
  if (claim.ideal) comparison = { ...comparison, ideal: { a: armIdeal(claim, a.arm, a), b: armIdeal(claim, b.arm, b) } };
  // A positive control that did not learn the target makes any difference below it no finding.
  if (bothCensored || bothEarly || bound !== undefined || range.miscalibration) comparison = { ...comparison, verdict: 'inconclusive' };
  const arms = measured.flatMap((m) => (m.result ? [m.result] : []));
  return { a, b, comparison, paired, bothCensored, bothEarly, bound, midpoint: split ? null : midpointArm(arms, a, b), range };
}

/** An arm's count as a ratio of the ideal learner's for that arm (by its axis label); null when none. */
function armIdeal(claim: Claim, name: string, result: ArmResult): IdealRatio | null {
  const ideal = idealFor(claim.ideal, name.replace(/ \((a|b)\)$/, ''));
  return ideal ? idealRatio(result.ci, ideal) : null;
}

/** "; an ideal learner needs 2.33 at axis = a (label), where the model takes 43× [20×, 66×] that" for a and b. */
function idealClause(claim: Claim, j: Judgement): string {
  const ideal = j.comparison.ideal;
  if (!ideal) return '';
  const one = (r: IdealRatio | null, arm: string) =>
    r
      ? `${fmt(r.ideal)} at ${claim.axis} = ${arm} (${r.label}), where the model takes ${formatRatio(r.ratio)}${r.lo !== null && r.hi !== null ? ` [${formatRatio(r.lo)}, ${formatRatio(r.hi)}]` : ''} that`
      : null;
  const parts = [one(ideal.b, valueLabel(claim.b)), one(ideal.a, valueLabel(claim.a))].filter((x) => x !== null);
  return parts.length ? ` An ideal learner needs ${parts.join('; and ')}.` : '';
}

/** Whether every measure of the claim is a proportion, drawn on [0, 1] with intervals on the logit scale. */
function proportion(claim: Claim): boolean {
  return [claim.measure, claim.measureA, claim.measureB].every((m) => m === undefined || isProportion(m));
}

/** For a numeric axis with arms between a and b: the first arm (in sweep order) whose mean passes the midpoint. */
function midpointArm(arms: ArmResult[], a: ArmResult, b: ArmResult): string | null {
  if (arms.length < 3 || !arms.every((r) => r.arm === 'infinity' || Number.isFinite(Number(r.arm)))) return null;
  const mid = (a.ci.mean + b.ci.mean) / 2;
  const rising = b.ci.mean > a.ci.mean;
  const hit = arms.find((r) => (rising ? r.ci.mean >= mid : r.ci.mean <= mid));
  return hit && hit !== a ? hit.arm : null;
}

/**
 * Why arm a or b has no measure, from its trials' states: failed (the study failed to measure the claim), not
 * finished (an interrupted run), or finished without the measure.
 */
function whyUnmeasured(claim: Claim, measured: MeasuredArm[], arms: Arm[]): UnmeasuredClaim {
  const sides = (['a', 'b'] as const).filter((side) => !sideOf(claim, measured, side));
  const causes = sides.map((side) => {
    const name = `${claim.axis} = ${valueLabel(claim[side])}`;
    const all = arms.find((arm) => arm.label === valueLabel(claim[side]))?.all ?? [];
    const failed = all.filter((t) => t.trial.status === 'failed');
    const unfinished = all.filter((t) => t.trial.status === 'queued' || t.trial.status === 'running').length;
    if (all.length === 0) return { cause: 'no data' as const, text: `no trial has ${name}` };
    if (unfinished) return { cause: 'unfinished' as const, text: `${unfinished} of the ${all.length} trials of ${name} did not finish` };
    if (failed.length) {
      // The reason's first sentence: the trial's own record (and the report's notes) keep the whole of it.
      const first = (failed[0].trial.reason ?? 'no reason recorded').split('\n')[0].split('. ')[0];
      const every = all.length === 1 ? `the one trial of ${name} failed` : `all ${all.length} trials of ${name} failed`;
      const which = failed.length === all.length ? every : `${failed.length} of the ${all.length} trials of ${name} failed and the others lack the measure`;
      return { cause: 'failed' as const, text: `${which} (${failed[0].trial.id}: ${first})` };
    }
    return { cause: 'no data' as const, text: `the ${all.length} finished trials of ${name} lack the measure` };
  });
  const cause = causes.find((c) => c.cause === 'failed')?.cause ?? causes.find((c) => c.cause === 'unfinished')?.cause ?? 'no data';
  return { claim: claim.text, cause, reason: causes.map((c) => c.text).join('; ') };
}

/** The other axes a claim holds at one value, e.g. `rlFraction = 0`; empty when none. */
const heldAxes = (claim: Claim) => Object.entries(claim.where).map(([k, v]) => `${k} = ${valueLabel(v)}`).join(', ');

/** The finding's sentence for one claim: clauses joined in order, the verdict closing the first. */
function claimSentence(claim: Claim, j: Judgement | null, unreached: number, early: number, unmeasured: UnmeasuredClaim | null): string {
  const held = heldAxes(claim);
  const head = held ? `${claim.text} (${held})` : claim.text;
  const clauses = [
    j
      ? `${head}: ${comparisonClause(claim, j)} -> ${j.comparison.verdict.replace('_', ' ')}.${idealClause(claim, j)}`
      : `${head}: not measured, ${unmeasured?.reason ?? 'its arms have no measure'} -> inconclusive.`,
    j?.midpoint ? `${claim.label} first passes halfway between the two at ${claim.axis} = ${j.midpoint}.` : null,
    unreached ? `(${unreached} trial(s) never reached the threshold; their budget is counted, a lower bound.)` : null,
    early ? `(${early} trial(s) were already past the threshold at their first evaluation; their count is an upper bound.)` : null,
    claim.context ?? null,
  ];
  return clauses.filter((c): c is string => c !== null).join(' ');
}

/** "<label> at axis = b is m [lo, hi] against m [lo, hi] at axis = a; the difference is ... (how, CI, n)" and caveats. */
function comparisonClause(claim: Claim, { a, b, comparison, paired, bothCensored, bothEarly, bound, range }: Judgement): string {
  const d = comparison.difference;
  const value = (ci: Interval) => `${fmt(ci.mean)} ${formatInterval(ci)}`;
  const how = [
    paired ? 'paired by seed' : 'Welch',
    `${Math.round(d.level * 100)}% CI`,
    `n = ${d.n}`,
    ...(claim.minEffect > 0 ? [`smallest effect that counts ${fmt(claim.minEffect)}`] : []),
  ].join(', ');
  const caveats = [
    ...(bothCensored ? ['neither arm reached the threshold within its budget'] : []),
    ...(bothEarly ? ['both arms were past the threshold at their first evaluation, so each count is only an upper bound'] : []),
    ...(bound !== undefined ? [`every trial of both arms scored exactly ${bound}, the ${bound === 0 ? 'floor' : 'ceiling'} of the measure`] : []),
    ...noVerdictCaveat(d),
    ...(range.miscalibration ? [range.miscalibration] : []),
  ];
  return (
    `${claim.label} at ${claim.axis} = ${b.arm} is ${value(b.ci)} against ${value(a.ci)} at ${claim.axis} = ${a.arm}; ` +
    `the difference is ${value(d)} (${how})` +
    rangeClause(range, { axis: claim.axis, a: { arm: a.arm, mean: a.ci.mean }, b: { arm: b.arm, mean: b.ci.mean } }) +
    caveats.map((c) => `; ${c}`).join('')
  );
}

/** Where the claim's two arms stand in the floor-to-ceiling range, to print beside the difference's share of it. */
interface ArmPositions {
  axis: string;
  a: { arm: string; mean: number };
  b: { arm: string; mean: number };
}

/**
 * "; floor 0.25 (chance), ceiling 0.93 [0.9, 0.95] (label): the difference is 45% [20%, 70%] of the range from
 * floor to ceiling (M = 16 stands at 80% of it, M = 1 at 35%)". The arms' positions say what a share over 100%
 * means: arm a below the floor (a model that memorized its pool scores below chance on unseen rules).
 */
function rangeClause({ floor, ceiling, share, shareInterval }: ClaimRange, arms?: ArmPositions): string {
  const end = (e: NonNullable<ClaimRange['floor']>) =>
    `${fmt(e.value)}${e.lo !== undefined ? ` ${formatInterval({ lo: e.lo, hi: e.hi ?? null, n: e.values?.length })}` : ''} (${e.label}${e.check ? `; its check ${fmt(e.check.value)}` : ''})`;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const ends = [floor ? `floor ${end(floor)}` : null, ceiling ? `ceiling ${end(ceiling)}` : null].filter((x) => x !== null);
  if (ends.length === 0) return '';
  const shareText = share === null ? '' : `: the difference is ${pct(share)}${shareInterval ? ` [${pct(shareInterval[0])}, ${pct(shareInterval[1])}]` : ''} of the range from floor to ceiling`;
  const at = (x: number) => pct((x - floor!.value) / (ceiling!.value - floor!.value));
  const positions = share !== null && arms ? ` (${arms.axis} = ${arms.b.arm} stands at ${at(arms.b.mean)} of it, ${arms.axis} = ${arms.a.arm} at ${at(arms.a.mean)})` : '';
  return `; ${ends.join(', ')}${shareText}${positions}`;
}

/** Why the difference's interval can give no verdict (too few seeds, zero variance), as a caveat. */
function noVerdictCaveat(difference: Interval): string[] {
  switch (noVerdictReason(difference)) {
    case 'few seeds':
      return [`only ${difference.n} seed${difference.n === 1 ? '' : 's'} measured the difference; a verdict needs ${MIN_SEEDS_FOR_VERDICT}`];
    case 'zero variance':
      return [`every seed gave the same difference, ${fmt(difference.mean)}: with zero variance the interval has width 0, which is not certainty`];
    default:
      return [];
  }
}

/** The table's note on an arm's bounded values: budgets counted (lower bounds), first evaluations (upper bounds). */
function boundsCell({ notReached, early }: MeasuredArm): string {
  return [
    ...(notReached ? [`${notReached} not reached (budget counted)`] : []),
    ...(early ? [`${early} past the threshold at the first evaluation (an upper bound)`] : []),
  ].join('; ');
}

/** "2/3 not reached" (or "... at or before the first evaluation") over a bar whose arm has bounded values. */
function boundsNote({ notReached, early, of }: MeasuredArm): string | undefined {
  const parts = [...(notReached ? [`${notReached}/${of} not reached`] : []), ...(early ? [`${early}/${of} at or before the first evaluation`] : [])];
  return parts.length ? parts.join(', ') : undefined;
}

/** The claim's table notes its floor and ceiling, and the difference as a share of their range. */
function withRangeNote(table: ReportTable, range: ClaimRange | null): ReportTable {
  const clause = range ? rangeClause(range) : '';
  if (!clause) return table;
  const note = clause.replace(/^; /, '');
  return { ...table, note: `${note[0].toUpperCase()}${note.slice(1)}.${range!.miscalibration ? ` ${range!.miscalibration[0].toUpperCase()}${range!.miscalibration.slice(1)}.` : ''}` };
}

function claimTable(claim: Claim, measured: MeasuredArm[], index: number): ReportTable {
  const held = heldAxes(claim);
  // With an ideal learner named, each arm's row also gives the ideal count and the model's count as its ratio.
  const idealCells = (m: MeasuredArm): (string | number | null)[] => {
    if (!claim.ideal) return [];
    const r = m.result ? armIdeal(claim, m.name, m.result) : null;
    return r ? [r.ideal, r.ratio] : [null, null];
  };
  const rows: ReportTable['rows'] = measured.map((m) =>
    m.result
      ? [m.name, m.result.ci.n, m.result.ci.mean, finiteOrNull(m.result.ci.lo), finiteOrNull(m.result.ci.hi), ...idealCells(m), boundsCell(m)]
      : [m.name, 0, null, null, null, ...idealCells(m), ''],
  );
  const title = claim.than
    ? `Claim ${index + 1}: effects on ${claim.label}, ${effectName(claim)} against ${claim.than.label}`
    : `Claim ${index + 1}: ${claim.label} by ${claim.axis}${held ? ` (${held})` : ''}`;
  return {
    title,
    columns: [claim.than ? 'effect (per seed, then over seeds)' : claim.axis, 'seeds', 'mean', 'CI low', 'CI high', ...(claim.ideal ? ['ideal learner', 'model / ideal'] : []), 'note'],
    rows,
  };
}

/** The claim's bar chart: one bar per arm with its 95% interval; null when no arm was measured. */
function claimPlot(claim: Claim, measured: MeasuredArm[], anyUnreached: boolean, anyEarly: boolean, index: number, range: ClaimRange | null): ReportPlot | null {
  const arms = measured.filter((m): m is MeasuredArm & { result: ArmResult } => m.result !== null);
  if (arms.length === 0) return null;
  // A contrast draws two effects, which may be negative: no [0, 1] axis and no floor or ceiling lines.
  const contrast = claim.than !== undefined;
  const unit = proportion(claim) && !contrast ? ([0, 1] as [number, number]) : undefined;
  // Error bars stay where a value can lie: [0, 1] for rates, >= 0 for counts of examples or demonstrations.
  const counted = [claim.measure, claim.measureA, claim.measureB].some((m) => m && ('examplesTo' in m || 'demonstrationsTo' in m));
  const clip = clampTo(unit ?? (counted ? [0, Infinity] : undefined));
  const title = contrast ? `effects on ${claim.label}` : `${claim.label} by ${claim.axis}`;
  const rules = contrast ? [] : rangeRules(claim, range);
  const compared = contrast ? `the effect ${effectName(claim)} with the size of ${claim.than!.label}` : `${claim.axis} = ${valueLabel(claim.b)} with ${valueLabel(claim.a)}`;
  return {
    name: `claim${index + 1}-${slug(claim.label)}`,
    title,
    caption:
      `Mean over seeds with 95% confidence intervals; the verdict compares ${compared}.` +
      (anyUnreached ? ' A bar marked "not reached" counts the budget for those seeds: the true value is larger.' : '') +
      (anyEarly ? ' A bar marked "at or before the first evaluation" counts that evaluation for those seeds: the true value is at most that.' : '') +
      (rules.length ? ' Dashed lines: the floor (the measure without the mechanism) and the ceiling (a positive control trained on the target itself).' : ''),
    spec: barChartSpec({
      title,
      subtitle: `${claim.part === 'main' ? '' : `part ${claim.part}: `}${arms[0].result.values.length} seeds per arm, 95% CI`,
      xTitle: contrast ? 'effect' : claim.axis,
      yTitle: contrast ? `difference in ${claim.label}` : claim.label,
      armTitle: 'measure',
      yDomain: unit,
      bars: arms.map((m) => ({
        group: m.result.arm,
        arm: claim.label,
        mean: m.result.ci.mean,
        lo: clip(m.result.ci.lo),
        hi: clip(m.result.ci.hi),
        n: m.result.ci.n,
        note: boundsNote(m),
      })),
      rules,
    }),
  };
}

/** The floor and ceiling as lines on the claim's chart, where they are in the claim's units. */
function rangeRules(claim: Claim, range: ClaimRange | null): { y: number; label: string }[] {
  if (!range) return [];
  const rules: { y: number; label: string }[] = [];
  if (range.floor && endInClaimUnits(claim, 'floor')) rules.push({ y: range.floor.value, label: `floor: ${range.floor.label} ${fmt(range.floor.value)}` });
  if (range.ceiling && endInClaimUnits(claim, 'ceiling')) rules.push({ y: range.ceiling.value, label: `ceiling: ${range.ceiling.label} ${fmt(range.ceiling.value)}` });
  return rules;
}
