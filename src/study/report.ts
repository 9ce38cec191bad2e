/**
 * A run's report, from its store: for each claim, the arms' measures with confidence intervals over seeds,
 * the comparison of arm b with arm a and its verdict; learning curves; and the plots the evaluations make
 * possible (ICL curve, loss by context position, pass@k). The study's verdict combines its claims' verdicts:
 * held when every claim held, not held when any claim was not held, inconclusive otherwise.
 */
import { inStage } from '../eval/learning-curve.js';
import { parseCurveMetric } from '../eval/records.js';
import { MIN_SEEDS_FOR_VERDICT, mean, meanCI, noVerdictReason, type Interval, type Verdict } from '../eval/stats.js';
import { formatNumber } from '../report/html.js';
import { armResult, compareArms, type ArmResult, type Comparison, type Report, type ReportPlot, type ReportTable } from '../report/model.js';
import { barChartSpec, finiteOrNull, lineChartSpec, type LinePoint } from '../report/specs.js';
import type { Run } from '../store/run-store.js';
import { valueLabel } from './expand.js';
import { armsOf, measureOf, stageOffset, type TrialResult } from './results.js';
import type { Claim, Study } from './schema.js';

const fmt = (x: number) => formatNumber(x, 3);
const interval = (ci: { lo: number; hi: number }) => (Number.isFinite(ci.lo) ? `[${fmt(ci.lo)}, ${fmt(ci.hi)}]` : '[no interval: < 2 seeds]');

interface ClaimOutcome {
  claim: Claim;
  arms: ArmResult[];
  comparison: Comparison | null;
  verdict: Verdict;
  sentence: string;
  table: ReportTable;
  plot: ReportPlot | null;
}

function judgeClaim(claim: Claim, results: readonly TrialResult[], index: number): ClaimOutcome {
  const arms = armsOf(results, claim.part, claim.axis, claim.where);
  const rows: ReportTable['rows'] = [];
  const armResults: ArmResult[] = [];
  let unreached = 0;
  let early = 0;
  // arm -> trials that never reached the threshold (lower bounds) and that were past it at their first evaluation (upper bounds)
  const reach = new Map<string, { notReached: number; early: number; of: number }>();
  const censored = (arm: string) => {
    const r = reach.get(arm);
    return r !== undefined && r.notReached === r.of; // every value is a budget, a lower bound
  };
  const allEarly = (arm: string) => {
    const r = reach.get(arm);
    return r !== undefined && r.early === r.of; // every value is an upper bound
  };
  // With per-arm measures the two arms may be one arm measured twice: name them apart.
  const split = claim.measureA !== undefined || claim.measureB !== undefined;
  const variants = arms.flatMap((arm) => {
    const list = [{ arm, name: arm.label, measure: claim.measure }];
    if (!split) return list;
    const out: typeof list = [];
    if (arm.label === valueLabel(claim.a)) out.push({ arm, name: `${arm.label} (a)`, measure: claim.measureA ?? claim.measure });
    if (arm.label === valueLabel(claim.b)) out.push({ arm, name: `${arm.label} (b)`, measure: claim.measureB ?? claim.measure });
    return out.length ? out : list;
  });
  for (const { arm, name, measure } of variants) {
    const measured = arm.trials.map((t) => ({ seed: t.trial.seed, m: measureOf(t, measure) })).filter((x) => x.m !== null);
    if (measured.length === 0) {
      rows.push([name, 0, null, null, null, '']);
      continue;
    }
    const notReached = measured.filter((x) => !x.m!.reached).length;
    const upper = measured.filter((x) => x.m!.upperBound).length;
    unreached += notReached;
    early += upper;
    reach.set(name, { notReached, early: upper, of: measured.length });
    const r = armResult(name, claim.label, measured.map((x) => x.m!.value), { seeds: measured.map((x) => x.seed) });
    armResults.push(r);
    rows.push([name, r.ci.n, r.ci.mean, finiteOrNull(r.ci.lo), finiteOrNull(r.ci.hi), boundsCell(notReached, upper)]);
  }
  const unit = proportion(claim) ? ([0, 1] as [number, number]) : undefined;
  const label = (v: unknown) => valueLabel(v);
  const a = armResults.find((r) => r.arm === (split ? `${label(claim.a)} (a)` : label(claim.a)));
  const b = armResults.find((r) => r.arm === (split ? `${label(claim.b)} (b)` : label(claim.b)));
  let comparison: Comparison | null = null;
  let verdict: Verdict = 'inconclusive';
  let sentence: string;
  if (a && b) {
    const paired = a.seeds!.length === b.seeds!.length && a.seeds!.every((s, i) => s === b.seeds![i]);
    comparison = compareArms(a, b, { direction: claim.direction, minEffect: claim.minEffect, paired });
    // Two arms that both never reached the threshold are both "more than the budget", and two arms that both
    // score exactly 0 (or 1) on a proportion sit at its floor (or ceiling): either way no difference is measurable.
    const bound = unit ? [0, 1].find((edge) => [...a.values, ...b.values].every((v) => v === edge)) : undefined;
    const bothEarly = allEarly(a.arm) && allEarly(b.arm);
    if ((censored(a.arm) && censored(b.arm)) || bothEarly || bound !== undefined) comparison = { ...comparison, verdict: 'inconclusive' };
    verdict = comparison.verdict;
    sentence =
      `${claim.text}: ${claim.label} at ${claim.axis} = ${b.arm} is ${fmt(b.ci.mean)} ${interval(b.ci)} against ${fmt(a.ci.mean)} ${interval(a.ci)} ` +
      `at ${claim.axis} = ${a.arm}; the difference is ${fmt(comparison.difference.mean)} ${interval(comparison.difference)}` +
      ` (${paired ? 'paired by seed' : 'Welch'}, ${Math.round(comparison.difference.level * 100)}% CI, n = ${comparison.difference.n}` +
      `${claim.minEffect > 0 ? `, smallest effect that counts ${fmt(claim.minEffect)}` : ''})` +
      `${censored(a.arm) && censored(b.arm) ? '; neither arm reached the threshold within its budget' : ''}` +
      `${bothEarly ? '; both arms were past the threshold at their first evaluation, so each count is only an upper bound' : ''}` +
      `${bound !== undefined ? `; every trial of both arms scored exactly ${bound}, the ${bound === 0 ? 'floor' : 'ceiling'} of the measure` : ''}` +
      `${noVerdictNote(comparison.difference)} -> ${verdict.replace('_', ' ')}.`;
    const mid = split ? null : midpointArm(armResults, a, b);
    if (mid) sentence += ` ${claim.label} first passes halfway between the two at ${claim.axis} = ${mid}.`;
  } else {
    sentence = `${claim.text}: no verdict, the arms ${claim.axis} = ${label(claim.a)} and ${label(claim.b)} lack finished trials -> inconclusive.`;
  }
  if (unreached) sentence += ` (${unreached} trial(s) never reached the threshold; their budget is counted, a lower bound.)`;
  if (early) sentence += ` (${early} trial(s) were already past the threshold at their first evaluation; their count is an upper bound.)`;
  if (claim.context) sentence += ` ${claim.context}`;
  const held = Object.entries(claim.where).map(([k, v]) => `${k} = ${label(v)}`).join(', ');
  if (held) sentence = sentence.replace(/^([^:]*):/, `$1 (${held}):`);
  const table: ReportTable = { title: `Claim ${index + 1}: ${claim.label} by ${claim.axis}${held ? ` (${held})` : ''}`, columns: [claim.axis, 'seeds', 'mean', 'CI low', 'CI high', 'note'], rows };
  // Error bars stay where a value can lie: [0, 1] for rates, >= 0 for counts of examples or demonstrations.
  const counted = [claim.measure, claim.measureA, claim.measureB].some((m) => m && ('examplesTo' in m || 'demonstrationsTo' in m));
  const clip = clampTo(unit ?? (counted ? [0, Infinity] : undefined));
  const plot: ReportPlot | null = armResults.length
    ? {
        name: `claim${index + 1}-${slug(claim.label)}`,
        title: `${claim.label} by ${claim.axis}`,
        caption:
          `Mean over seeds with 95% confidence intervals; the verdict compares ${claim.axis} = ${label(claim.b)} with ${label(claim.a)}.` +
          (unreached ? ' A bar marked "not reached" counts the budget for those seeds: the true value is larger.' : '') +
          (early ? ' A bar marked "at or before the first evaluation" counts that evaluation for those seeds: the true value is at most that.' : ''),
        spec: barChartSpec({
          title: `${claim.label} by ${claim.axis}`,
          subtitle: `${claim.part === 'main' ? '' : `part ${claim.part}: `}${armResults[0].values.length} seeds per arm, 95% CI`,
          xTitle: claim.axis,
          yTitle: claim.label,
          armTitle: 'measure',
          yDomain: unit,
          bars: armResults.map((r) => ({ group: r.arm, arm: claim.label, mean: r.ci.mean, lo: clip(r.ci.lo), hi: clip(r.ci.hi), n: r.ci.n, note: boundsNote(reach.get(r.arm)) })),
        }),
      }
    : null;
  return { claim, arms: armResults, comparison, verdict, sentence, table, plot };
}

/** Why the difference's interval could give no verdict (too few seeds, zero variance), as a clause, or ''. */
function noVerdictNote(difference: Interval): string {
  switch (noVerdictReason(difference)) {
    case 'few seeds':
      return `; only ${difference.n} seed${difference.n === 1 ? '' : 's'} measured the difference; a verdict needs ${MIN_SEEDS_FOR_VERDICT}`;
    case 'zero variance':
      return `; every seed gave the same difference, ${fmt(difference.mean)}: with zero variance the interval has width 0, which is not certainty`;
    default:
      return '';
  }
}

/** The table's note on an arm's bounded values: budgets counted (lower bounds), first evaluations (upper bounds). */
function boundsCell(notReached: number, early: number): string {
  const parts = [
    ...(notReached ? [`${notReached} not reached (budget counted)`] : []),
    ...(early ? [`${early} past the threshold at the first evaluation (an upper bound)`] : []),
  ];
  return parts.join('; ');
}

/** "2/3 not reached" (or "... at or before the first evaluation") over a bar whose arm has bounded values. */
function boundsNote(r: { notReached: number; early: number; of: number } | undefined): string | undefined {
  const parts = [...(r?.notReached ? [`${r.notReached}/${r.of} not reached`] : []), ...(r?.early ? [`${r.early}/${r.of} at or before the first evaluation`] : [])];
  return parts.length ? parts.join(', ') : undefined;
}

/** A logged tag that is a rate in [0, 1]: accuracies and verifier scores, not the ICL score (a loss difference). */
const isRateTag = (tag: string) => /_(acc|score)$/.test(tag) && !tag.includes('icl_score');

/** Whether every measure of the claim is a proportion (accuracy, score), drawn on [0, 1] with clipped error bars. */
function proportion(claim: Claim): boolean {
  const isProportion = (m: Claim['measure']) =>
    ('eval' in m && ['exact', 'score'].includes(m.eval.metric.split('|')[0])) ||
    ('last' in m && isRateTag(m.last)) ||
    ('mean' in m && isRateTag(m.mean));
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

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);

/** Mean and CI over seeds at each x where every seed of the arm has a point. */
function seriesPoints(series: string, curves: { x: number; y: number }[][]): LinePoint[] {
  if (curves.length === 0) return [];
  const xs = curves[0].map((p) => p.x).filter((x) => curves.every((c) => c.some((p) => p.x === x)));
  return xs.map((x) => {
    return { series, x, ...ciPoint(curves.map((c) => c.find((p) => p.x === x)!.y)) };
  });
}

function curvePlots(study: Study, results: readonly TrialResult[]): ReportPlot[] {
  return study.curves.flatMap((c, i) => {
    const points = armsOf(results, c.part, c.axis, c.where).flatMap((arm) =>
      seriesPoints(
        `${c.axis}=${arm.label}`,
        arm.trials.map((t) => {
          const { offset, examplesPerStep } = stageOffset(t.recipe, c.stage);
          return t.series(c.tag).filter((p) => inStage(p.step, offset)).map((p) => ({ x: (p.step - offset) * examplesPerStep, y: p.value }));
        }),
      ),
    );
    if (points.length === 0) return [];
    // Accuracies and verifier scores live in [0, 1]: draw that whole range. Other tags (losses, the ICL score,
    // which is a loss difference and negative) get an axis fitted to their values.
    const isRate = isRateTag(c.tag) && points.every((p) => p.mean >= 0 && p.mean <= 1);
    const yDomain: [number, number] | undefined = isRate ? [0, 1] : undefined;
    return [
      {
        name: `curve${i + 1}-${slug(c.label)}`,
        title: `${c.label} during training`,
        caption: `${c.tag} against training examples of stage ${c.stage + 1}; mean over seeds with a 95% band.`,
        spec: lineChartSpec({
          title: `${c.label} during training`,
          subtitle: c.part === 'main' ? undefined : `part ${c.part}`,
          xTitle: 'training examples',
          yTitle: c.label,
          seriesTitle: c.axis,
          yDomain,
          yRule: c.threshold !== undefined ? { value: c.threshold, label: `threshold ${c.threshold}` } : undefined,
          points: clipBands(points, yDomain),
        }),
      },
    ];
  });
}

/** A trial's arm: every axis of its part with its value, e.g. `mix=broad, rlFraction=1`. */
const armKey = (t: TrialResult): string => Object.entries(t.axes).map(([k, v]) => `${k}=${valueLabel(v)}`).join(', ') || 'all';

/** Lines of an evaluation suite that stores curves (icl-curve: score by k; context-loss: answer loss by k), one per arm. */
function suitePlots(study: Study, results: readonly TrialResult[]): ReportPlot[] {
  const suites = [
    { split: 'icl-curve', title: 'Score on new rules by number of demonstrations', x: 'demonstrations k', y: 'score on new rules', domain: [0, 1] as [number, number] },
    { split: 'context-loss', title: 'Answer loss by number of demonstrations before it', x: 'demonstrations k', y: 'answer loss (nats per character)', domain: undefined },
  ];
  const plots: ReportPlot[] = [];
  for (const part of study.parts) {
    const axes = Object.keys(results.find((t) => t.part === part.name)?.axes ?? {});
    const axis = axes.join(', ') || 'arm';
    for (const suite of suites) {
      const byArm = new Map<string, Map<number, number[]>>();
      for (const t of results) {
        if (t.part !== part.name) continue;
        const series = armKey(t);
        for (const e of t.evals) {
          const c = e.split === suite.split ? parseCurveMetric(e.metric) : null;
          if (!c) continue;
          const arm = byArm.get(series) ?? new Map<number, number[]>();
          arm.set(c.x, [...(arm.get(c.x) ?? []), e.value]);
          byArm.set(series, arm);
        }
      }
      const points: LinePoint[] = [...byArm.entries()].flatMap(([series, xs]) =>
        [...xs.entries()].sort((p, q) => p[0] - q[0]).map(([x, ys]) => ({ series, x, ...ciPoint(ys) })),
      );
      if (points.length === 0) continue;
      plots.push({
        name: `${suite.split}${study.parts.length > 1 ? `-${part.name}` : ''}`,
        title: suite.title,
        caption: `Final models, fresh rules never in any training pool; mean over seeds with a 95% band.`,
        spec: lineChartSpec({ title: suite.title, subtitle: study.parts.length > 1 ? `part ${part.name}` : undefined, xTitle: suite.x, yTitle: suite.y, seriesTitle: axis, yDomain: suite.domain, points: clipBands(points, suite.domain) }),
      });
    }
  }
  return plots;
}

/**
 * Bands of a bounded measure clipped to its range: with few seeds a t interval of accuracies can reach past
 * [0, 1], where no mean can lie, and would stretch the chart.
 */
function clipBands(points: LinePoint[], domain: [number, number] | undefined): LinePoint[] {
  if (!domain) return points;
  const clip = clampTo(domain);
  return points.map((p) => ({ ...p, lo: clip(p.lo), hi: clip(p.hi) }));
}

/** Holds a value inside a range, e.g. [0, 1] for rates or [0, Infinity] for counts; unknowns (NaN) stay unknown. */
function clampTo(range: [number, number] | undefined): (v: number) => number {
  return (v) => (range && Number.isFinite(v) ? Math.min(range[1], Math.max(range[0], v)) : v);
}

function ciPoint(ys: number[]) {
  const ci = meanCI(ys);
  return { mean: ci.mean, lo: ci.lo, hi: ci.hi, n: ys.length };
}

/**
 * `pass@k:test@warm-start` -> { set: 'test', stage: 'warm-start' }: the problems a pass@k row was measured on, and
 * the earlier stage whose model it measured (null for the final model).
 */
function passSplit(split: string): { set: string; stage: string | null } {
  const rest = split.slice('pass@k:'.length);
  const at = rest.indexOf('@');
  return at < 0 ? { set: rest, stage: null } : { set: rest.slice(0, at), stage: rest.slice(at + 1) };
}

/** pass@k against k, per arm, with greedy pass@1 in the table. */
function passAtKPlots(study: Study, results: readonly TrialResult[]): { plots: ReportPlot[]; tables: ReportTable[] } {
  const plots: ReportPlot[] = [];
  const tables: ReportTable[] = [];
  for (const part of study.parts) {
    const rows = results.filter((t) => t.part === part.name).flatMap((t) => t.evals.filter((e) => e.split.startsWith('pass@k:')).map((e) => ({ t, e })));
    if (rows.length === 0) continue;
    const axis = 'arm';
    const groups = new Map<string, number[]>();
    for (const { t, e } of rows) {
      const key = JSON.stringify([armKey(t), e.split, e.metric]);
      groups.set(key, [...(groups.get(key) ?? []), e.value]);
    }
    const entries = [...groups.entries()].map(([key, ys]) => {
      const [arm, split, metric] = JSON.parse(key) as string[];
      return { arm, split, metric, ...ciPoint(ys) };
    });
    tables.push({
      title: `pass@k${study.parts.length > 1 ? ` (part ${part.name})` : ''}`,
      columns: [axis, 'problems', 'metric', 'seeds', 'mean', 'CI low', 'CI high'],
      rows: entries.map((r) => [r.arm, r.split.slice('pass@k:'.length), r.metric, r.n, r.mean, finiteOrNull(r.lo), finiteOrNull(r.hi)]),
    });
    // One chart per problem set (test, heldout); rows measured after an earlier stage (`pass@k:test@warm-start`)
    // join their problem set's chart as their own lines, e.g. before and after RL.
    const problemSets = [...new Set(entries.map((r) => passSplit(r.split).set))];
    for (const set of problemSets) {
      const points = entries
        .filter((r) => passSplit(r.split).set === set && /^pass@\d+$/.test(r.metric))
        .map((r) => {
          const { stage } = passSplit(r.split);
          return { series: stage ? `${r.arm} (after ${stage})` : r.arm, x: Number(r.metric.slice(5)), mean: r.mean, lo: r.lo, hi: r.hi, n: r.n };
        });
      if (points.length === 0) continue;
      const suffix = `${problemSets.length > 1 ? `-${set}` : ''}${study.parts.length > 1 ? `-${part.name}` : ''}`;
      plots.push({
        name: `pass-at-k${suffix}`,
        title: `pass@k on ${set} problems`,
        caption: 'Unbiased pass@k estimator over sampled answers; mean over seeds with a 95% band. Lines "after <stage>" measure the model as it was at the end of that stage.',
        spec: lineChartSpec({ title: 'pass@k', subtitle: `on ${set} problems`, xTitle: 'k (samples)', yTitle: 'pass@k', xScale: 'log', seriesTitle: axis, yDomain: [0, 1], points: clipBands(points, [0, 1]) }),
      });
    }
  }
  return { plots, tables };
}

/** Every arm of a part (each combination of its axes) on the final split evaluations: fit, new instances, transfer. */
function splitTables(study: Study, results: readonly TrialResult[]): ReportTable[] {
  const splits = ['train', 'test', 'heldout'];
  return study.parts.flatMap((part) => {
    const trials = results.filter((t) => t.part === part.name && t.trial.status === 'done');
    const arms = new Map<string, TrialResult[]>();
    for (const t of trials) {
      const key = armKey(t);
      arms.set(key, [...(arms.get(key) ?? []), t]);
    }
    const present = splits.filter((sp) => trials.some((t) => t.evals.some((e) => e.split === sp)));
    if (present.length === 0) return [];
    // Three numeric cells per split (mean, CI low, CI high), so summary.json needs no parsing.
    const cells = (ts: TrialResult[], split: string): (number | null)[] => {
      const ys = ts.flatMap((t) => t.evals.filter((e) => e.split === split && e.family === '*' && e.domain === '*' && e.metric === 'exact').map((e) => e.value));
      if (ys.length === 0) return [null, null, null];
      const ci = meanCI(ys);
      return [ci.mean, finiteOrNull(ci.lo), finiteOrNull(ci.hi)];
    };
    const names: Record<string, string> = { train: 'train-split', test: 'test-split', heldout: 'held-out families' };
    return [
      {
        title: `Exact-match accuracy of every arm${study.parts.length > 1 ? ` (part ${part.name})` : ''}`,
        columns: ['arm', 'seeds', ...present.flatMap((sp) => [`${names[sp]} mean`, `${names[sp]} CI low`, `${names[sp]} CI high`])],
        rows: [...arms.entries()].map(([arm, ts]) => [arm, ts.length, ...present.flatMap((sp) => cells(ts, sp))]),
        note: 'Final models; mean over seeds with its 95% CI. Train-split instances measure fit, test-split instances of the same families generalization to new instances, held-out families transfer.',
      },
    ];
  });
}

/** Two claims on the same arms and measure (e.g. broad vs random, broad vs narrow) would draw the same chart twice. */
function distinctPlots(plots: ReportPlot[]): ReportPlot[] {
  const seen = new Set<string>();
  return plots.filter((p) => {
    const key = JSON.stringify([p.title, (p.spec as { data?: unknown }).data]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function combine(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 0) return 'inconclusive';
  if (verdicts.includes('not_held')) return 'not_held';
  return verdicts.every((v) => v === 'held') ? 'held' : 'inconclusive';
}

function settingsOf(study: Study, results: readonly TrialResult[]): Record<string, unknown> {
  return {
    mode: study.mode ?? 'full',
    seeds: study.seeds,
    parts: study.parts.map((part) => {
      const sample = results.find((t) => t.part === part.name)?.recipe;
      return {
        part: part.name,
        description: part.description ?? null,
        axes: Object.fromEntries(Object.entries(part.sweep.axes).map(([path, a]) => [path, Array.isArray(a) ? a : a.values])),
        model: sample?.model ?? null,
        stages: sample?.stages.map((s) => ({
          objective: s.objective,
          budget: s.budget,
          batchSize: s.batchSize,
          lr: s.schedule.lr,
          rlFraction: s.rlFraction ?? null,
          families: s.tasks?.families.map((f) => (typeof f === 'string' ? f : f.family)) ?? null,
          heldOut: s.tasks?.heldOut.map((f) => (typeof f === 'string' ? f : f.family)) ?? null,
        })),
      };
    }),
  };
}

export function buildReport(study: Study, run: Run, results: readonly TrialResult[]): Report {
  const outcomes = study.claims.map((c, i) => judgeClaim(c, results, i));
  const verdict = combine(outcomes.map((o) => o.verdict));
  const failed = results.filter((t) => t.trial.status === 'failed');
  const unfinished = results.filter((t) => t.trial.status === 'queued' || t.trial.status === 'running');
  const notes = [
    ...failed.map((t) => `Trial ${t.trial.id} failed and is left out: ${t.trial.reason ?? 'no reason recorded'}`),
    ...(unfinished.length ? [`${unfinished.length} trial(s) did not finish (run interrupted?); resume with \`continuum study resume\`.`] : []),
    ...(study.claims.length === 0 ? ['This study states no claim, so its verdict is inconclusive by construction.'] : []),
    ...(study.claims.length > 1 ? ['The study is held when every claim held, not held when any claim was not held, and inconclusive otherwise.'] : []),
  ];
  const pass = passAtKPlots(study, results);
  const done = results.filter((t) => t.trial.status === 'done').length;
  const timing = results.filter((t) => t.trial.startedAt && t.trial.finishedAt && t.trial.status === 'done').map((t) => (Date.parse(t.trial.finishedAt!) - Date.parse(t.trial.startedAt!)) / 1000);
  return {
    study: study.name,
    title: study.title ?? study.name,
    claim: study.claim ?? outcomes.map((o) => o.claim.text).join(' ') ?? '',
    finding: outcomes.length ? outcomes.map((o) => o.sentence).join(' ') : `${done} of ${results.length} trials finished; no claim to judge.`,
    verdict,
    run: { id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, trials: { done, failed: failed.length, total: results.length } },
    arms: outcomes.flatMap((o) => o.arms),
    comparisons: outcomes.flatMap((o) => (o.comparison ? [o.comparison] : [])),
    tables: [...outcomes.map((o) => o.table), ...splitTables(study, results), ...pass.tables],
    plots: [...distinctPlots(outcomes.flatMap((o) => (o.plot ? [o.plot] : []))), ...curvePlots(study, results), ...suitePlots(study, results), ...pass.plots],
    settings: { ...settingsOf(study, results), trialSeconds: timing.length ? { mean: mean(timing), total: timing.reduce((a, b) => a + b, 0) } : null },
    notes,
  };
}
