/**
 * What a study's report says, as data: the claim, the finding in words, the verdict, per-arm means with
 * confidence intervals, the comparisons the verdict rests on, extra tables, plots (as Vega-Lite specs) and the
 * settings used. report.html and summary.json are both rendered from one Report, so every number in the page
 * is in the JSON too. Pure: no Node imports.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { IdealRatio } from './ideal.js';
import type { RangeEnd } from './range.js';
import {
  differenceCI,
  meanCI,
  verdictFromInterval,
  type CIOptions,
  type DifferenceOptions,
  type Interval,
  type Verdict,
  type VerdictOptions,
} from '../stats/stats.js';

/** One arm's score on one metric: a value per seed, and their mean with its interval. */
export interface ArmResult {
  arm: string;
  metric: string;
  values: number[];
  seeds?: number[];
  ci: Interval;
}

/** b compared with a on one metric: the difference mean(b) - mean(a), its interval, and the verdict it gives. */
export interface Comparison {
  metric: string;
  a: string;
  b: string;
  difference: Interval;
  direction: VerdictOptions['direction'];
  minEffect: number;
  verdict: Verdict;
  /** The claim compared (its place in the study file, text and part), so two runs' comparisons line up. */
  claim: { index: number; text: string; part: string } | null;
  /** The claim's range (report/range.ts): floor, positive-control ceiling, the difference as a share of it. */
  floor: RangeEnd | null;
  ceiling: RangeEnd | null;
  share: number | null;
  shareInterval: [number, number] | null;
  /** Why no verdict could be given whatever the difference (a positive control below 0.8); null when none. */
  miscalibration: string | null;
  /** Arm a's and b's counts as ratios of an ideal learner's (the claim's `ideal`); absent when it names none. */
  ideal?: { a: IdealRatio | null; b: IdealRatio | null };
}

export interface ReportTable {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
  note?: string;
}

export interface ReportPlot {
  /** File stem under plots/: letters, digits, - and _. */
  name: string;
  title: string;
  caption?: string;
  spec: TopLevelSpec;
}

export interface Report {
  study: string;
  title: string;
  /** The claim under test, in one sentence. */
  claim: string;
  /** What this run found, in words, with its numbers. */
  finding: string;
  verdict: Verdict;
  run: { id: string; startedAt?: string | null; finishedAt?: string | null; trials: { done: number; failed: number; total: number } };
  /** The seeds this run's trials used, its mode, and the seeds the study was tuned on (kept apart from them). */
  seedSet?: SeedSet;
  arms: ArmResult[];
  comparisons: Comparison[];
  tables?: ReportTable[];
  plots: ReportPlot[];
  /** What was used: model size, budgets, task mixes, seeds, mode. Nested objects are fine. */
  settings: Record<string, unknown>;
  /** Anything a reader must know: failed trials, effects that did not appear, caveats. */
  notes?: string[];
  /** Claims that got no measure at all, and why: the run's caller decides whether that fails it. */
  unmeasured?: UnmeasuredClaim[];
}

/**
 * A claim whose arm a or b has no measured trial. `failed`: that arm's trials failed; `unfinished`: some did not
 * finish (an interrupted run); `no data`: they finished without the measure.
 */
export interface UnmeasuredClaim {
  claim: string;
  cause: 'failed' | 'unfinished' | 'no data';
  reason: string;
}

export interface SeedSet {
  mode: 'quick' | 'full';
  seeds: number[];
  /** null when the study file states none. */
  calibrationSeeds: number[] | null;
  /** True when calibrationSeeds are stated and the run's seeds share none of them. */
  heldOut: boolean;
}

/** The rule verdicts follow, in words, for the page and the JSON. Keep in step with verdictFromInterval. */
export const VERDICT_RULE =
  'A claimed increase of at least m (m = the smallest effect that matters, 0 unless stated) is not held when the ' +
  'confidence interval of the difference lies wholly below m (an effect confidently smaller than m does not count), ' +
  'held when it lies wholly above 0 and at or above m, and inconclusive otherwise: when the interval straddles 0 or m, ' +
  'when fewer than 3 seeds measured it, or when every seed gave the same difference (zero variance: an interval of ' +
  'width 0 is not certainty). A claimed decrease is the mirror image.';

export function armResult(arm: string, metric: string, values: readonly number[], options: CIOptions & { seeds?: number[] } = {}): ArmResult {
  return { arm, metric, values: [...values], ...(options.seeds ? { seeds: options.seeds } : {}), ci: meanCI(values, options) };
}

/**
 * Compares arm b with arm a on the same metric. With paired: true the arms must list the same seeds in the same
 * order, and the interval is over per-seed differences (right when a seed fixes shared randomness, e.g. the same
 * initial weights and data order in both arms); otherwise Welch's interval for independent arms.
 */
export function compareArms(a: ArmResult, b: ArmResult, options: VerdictOptions & DifferenceOptions): Comparison {
  if (a.metric !== b.metric) throw new Error(`compareArms: arms measure different metrics (${a.metric} vs ${b.metric})`);
  if (options.paired) {
    const same = a.seeds !== undefined && b.seeds !== undefined && a.seeds.length === b.seeds.length && a.seeds.every((s, i) => s === b.seeds![i]);
    if (!same) throw new Error(`compareArms: pairing ${a.arm} with ${b.arm} needs both to list the same seeds in the same order`);
  }
  const difference = differenceCI(a.values, b.values, options);
  const verdict = verdictFromInterval(difference, options);
  const unranged = { claim: null, floor: null, ceiling: null, share: null, shareInterval: null, miscalibration: null };
  return { metric: a.metric, a: a.arm, b: b.arm, difference, direction: options.direction, minEffect: options.minEffect ?? 0, verdict, ...unranged };
}

/** summary.json's content: the report without plot specs but with the plotted numbers; infinities become null. */
export function summaryJson(report: Report, files: { plots: Record<string, { svg: string; png: string }> } = { plots: {} }): string {
  const summary = {
    format: 'continuum-summary/1',
    study: report.study,
    title: report.title,
    claim: report.claim,
    verdict: report.verdict,
    verdictRule: VERDICT_RULE,
    finding: report.finding,
    run: report.run,
    seedSet: report.seedSet ?? null,
    arms: report.arms.map((a) => ({ arm: a.arm, metric: a.metric, n: a.ci.n, mean: a.ci.mean, lo: a.ci.lo, hi: a.ci.hi, level: a.ci.level, method: a.ci.method, values: a.values, seeds: a.seeds ?? null })),
    comparisons: report.comparisons,
    tables: report.tables ?? [],
    plots: report.plots.map((p) => ({ name: p.name, title: p.title, caption: p.caption ?? null, files: files.plots[p.name] ?? null, data: plotData(p.spec) })),
    settings: report.settings,
    notes: report.notes ?? [],
    unmeasured: report.unmeasured ?? [],
  };
  // An unknown interval is ±Infinity in memory; JSON has no infinity, so it is written as null.
  return JSON.stringify(summary, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** The inline data rows of a spec (and of its layers), i.e. the numbers the plot shows. */
function plotData(spec: TopLevelSpec): unknown[] {
  const rows: unknown[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { data?: { values?: unknown[] }; layer?: unknown[] };
    if (Array.isArray(n.data?.values)) rows.push(...n.data!.values!);
    if (Array.isArray(n.layer)) n.layer.forEach(visit);
  };
  visit(spec);
  return rows;
}
