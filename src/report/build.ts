/**
 * A run's report, from its results (results.ts reads them from the store): for each claim, the arms' measures
 * with confidence intervals over seeds, the comparison of arm b with arm a and its verdict (claims.ts);
 * learning curves (curves.ts); and the views of the final evaluations (evaluations.ts). The study's verdict
 * combines its claims' verdicts: held when every claim held, not held when any claim was not held,
 * inconclusive otherwise. Rendering is html.ts, render.ts and write.ts.
 */
import { mean, type Verdict } from '../stats/stats.js';
import type { Run } from '../store/run-store.js';
import { judgeClaim } from './claims.js';
import { curvePlots } from './curves.js';
import { passAtKPlots, splitTables, suitePlots } from './evaluations.js';
import type { Report, ReportPlot, SeedSet } from './model.js';
import type { TrialResult } from './results.js';
import type { ReportedStudy } from './spec.js';

export function buildReport(study: ReportedStudy, run: Run, results: readonly TrialResult[]): Report {
  const outcomes = study.claims.map((c, i) => judgeClaim(c, results, i));
  const done = results.filter((t) => t.trial.status === 'done').length;
  const failed = results.filter((t) => t.trial.status === 'failed').length;
  const pass = passAtKPlots(study, results);
  return {
    study: study.name,
    title: study.title ?? study.name,
    claim: study.claim ?? outcomes.map((o) => o.claim.text).join(' '),
    finding: outcomes.length ? outcomes.map((o) => o.sentence).join(' ') : `${done} of ${results.length} trials finished; no claim to judge.`,
    verdict: combineVerdicts(outcomes.map((o) => o.verdict)),
    run: { id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, trials: { done, failed, total: results.length } },
    seedSet: seedSetOf(study),
    arms: outcomes.flatMap((o) => o.arms),
    comparisons: outcomes.flatMap((o) => (o.comparison ? [o.comparison] : [])),
    tables: [...outcomes.map((o) => o.table), ...splitTables(study, results), ...pass.tables],
    plots: [...distinctPlots(outcomes.flatMap((o) => (o.plot ? [o.plot] : []))), ...curvePlots(study, results), ...suitePlots(study, results), ...pass.plots],
    settings: { ...settingsOf(study, results), trialSeconds: trialSeconds(results) },
    notes: reportNotes(study, results),
    unmeasured: outcomes.flatMap((o) => (o.unmeasured ? [o.unmeasured] : [])),
  };
}

/** The seeds the run used and whether they are held out from those the study was tuned on. */
function seedSetOf(study: ReportedStudy): SeedSet {
  const calibration = study.calibrationSeeds ?? null;
  const heldOut = calibration !== null && study.seeds.every((s) => !calibration.includes(s));
  return { mode: study.mode ?? 'full', seeds: study.seeds, calibrationSeeds: calibration, heldOut };
}

/** Held when every claim held, not held when any was not, inconclusive otherwise (and with no claim). */
function combineVerdicts(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 0) return 'inconclusive';
  if (verdicts.includes('not_held')) return 'not_held';
  return verdicts.every((v) => v === 'held') ? 'held' : 'inconclusive';
}

function reportNotes(study: ReportedStudy, results: readonly TrialResult[]): string[] {
  const failed = results.filter((t) => t.trial.status === 'failed');
  const unfinished = results.filter((t) => t.trial.status === 'queued' || t.trial.status === 'running');
  return [
    ...failed.map((t) => `Trial ${t.trial.id} failed and is left out: ${t.trial.reason ?? 'no reason recorded'}`),
    ...(unfinished.length ? [`${unfinished.length} trial(s) did not finish (run interrupted?); resume with \`continuum study resume\`.`] : []),
    ...(study.claims.length === 0 ? ['This study states no claim, so its verdict is inconclusive by construction.'] : []),
    ...(study.claims.length > 1 ? ['The study is held when every claim held, not held when any claim was not held, and inconclusive otherwise.'] : []),
  ];
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

/** Wall time of the finished trials: mean and total seconds; null when none has both times. */
function trialSeconds(results: readonly TrialResult[]): { mean: number; total: number } | null {
  const timing = results
    .filter((t) => t.trial.startedAt && t.trial.finishedAt && t.trial.status === 'done')
    .map((t) => (Date.parse(t.trial.finishedAt!) - Date.parse(t.trial.startedAt!)) / 1000);
  return timing.length ? { mean: mean(timing), total: timing.reduce((a, b) => a + b, 0) } : null;
}

/** The settings each part ran with, as summary.json states them. */
function settingsOf(study: ReportedStudy, results: readonly TrialResult[]): Record<string, unknown> {
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
