/**
 * The report's views of the final evaluations (src/eval/): the split table (fit, new instances, transfer, per
 * arm), curves over the number of demonstrations (iclCurve, contextLoss) and pass@k against k. Each groups
 * a part's rows by arm with the one helper in points.ts.
 */
import type { EvalRow } from '../store/run-store.js';
import { meanCI } from '../stats/stats.js';
import type { ReportPlot, ReportTable } from './model.js';
import { armKey, ciPoint, clipBands, groupBy } from './points.js';
import type { TrialResult } from './results.js';
import type { ReportedStudy } from './spec.js';
import { finiteOrNull, lineChartSpec, type LinePoint } from './specs.js';

type Part = ReportedStudy['parts'][number];

/** A part's rows of one kind, each with its trial; `done` keeps finished trials only. */
function rowsOf(results: readonly TrialResult[], part: Part, keep: (e: EvalRow) => boolean) {
  return results.filter((t) => t.part === part.name).flatMap((t) => t.evals.filter(keep).map((e) => ({ t, e })));
}

/** " (part x)" / "-x" suffixes, only when the study has several parts. */
const partTitle = (study: ReportedStudy, part: Part) => (study.parts.length > 1 ? ` (part ${part.name})` : '');
const partSuffix = (study: ReportedStudy, part: Part) => (study.parts.length > 1 ? `-${part.name}` : '');

/** Every arm of a part (each combination of its axes) on the final split evaluations: fit, new instances, transfer. */
export function splitTables(study: ReportedStudy, results: readonly TrialResult[]): ReportTable[] {
  const splits = ['train', 'test', 'heldout'];
  const names: Record<string, string> = { train: 'train-split', test: 'test-split', heldout: 'held-out families' };
  return study.parts.flatMap((part) => {
    const trials = results.filter((t) => t.part === part.name && t.trial.status === 'done');
    const overall = (e: EvalRow, split: string) =>
      e.suite === 'splits' && e.stage === null && e.split === split && e.family === '*' && e.domain === '*' && e.metric === 'exact';
    const present = splits.filter((sp) => trials.some((t) => t.evals.some((e) => e.suite === 'splits' && e.stage === null && e.split === sp)));
    if (present.length === 0) return [];
    // Three numeric cells per split (mean, CI low, CI high), so summary.json needs no parsing.
    const cells = (ts: TrialResult[], split: string): (number | null)[] => {
      const ys = ts.flatMap((t) => t.evals.filter((e) => overall(e, split)).map((e) => e.value));
      if (ys.length === 0) return [null, null, null];
      const ci = meanCI(ys, { scale: 'rate' }); // exact-match accuracies: intervals inside [0, 1]
      return [ci.mean, finiteOrNull(ci.lo), finiteOrNull(ci.hi)];
    };
    const arms = groupBy(trials, armKey);
    return [
      {
        title: `Exact-match accuracy of every arm${partTitle(study, part)}`,
        columns: ['arm', 'seeds', ...present.flatMap((sp) => [`${names[sp]} mean`, `${names[sp]} CI low`, `${names[sp]} CI high`])],
        rows: [...arms.entries()].map(([arm, ts]) => [arm, ts.length, ...present.flatMap((sp) => cells(ts, sp))]),
        note: 'Final models; mean over seeds with its 95% CI. Train-split instances measure fit, test-split instances of the same families generalization to new instances, held-out families transfer.',
      },
    ];
  });
}

/**
 * The suites that store a curve over x, and how each is drawn. genreLoss also holds the two reference
 * learners' curves (metrics bayes, unigram), drawn as series of their own beside the arms.
 */
const CURVE_SUITES = [
  { suite: 'iclCurve', name: 'icl-curve', title: 'Score on new rules by number of demonstrations', y: 'score on new rules', x: 'demonstrations k', xScale: 'linear', domain: [0, 1] as [number, number], caption: 'fresh rules never in any training pool' },
  { suite: 'contextLoss', name: 'context-loss', title: 'Answer loss by number of demonstrations before it', y: 'answer loss (nats per character)', x: 'demonstrations k', xScale: 'linear', domain: undefined, caption: 'fresh rules never in any training pool' },
  { suite: 'genreLoss', name: 'genre-loss', title: 'Loss by position on genres never trained on', y: 'loss (nats per letter)', x: 'position (letters of context)', xScale: 'log', domain: undefined, caption: 'documents of fresh random chains; Bayes-optimal = the in-context bigram posterior, unigram = letter counts only' },
  { suite: 'manyShot', name: 'many-shot', title: 'Many-shot accuracy by number of demonstrations on functions never trained on', y: 'accuracy on the answer f(x)', x: 'demonstration n (n - 1 before it)', xScale: 'log', domain: [0, 1] as [number, number], caption: "documents of fresh random functions, each model answering within its training window; ideal = right when x was demonstrated before, else a guess; window ideal = the same seeing only that arm's window; guess = 1/M" },
] as const;

const REFERENCES: Record<string, string> = { bayes: 'Bayes-optimal', unigram: 'unigram (counts only)', ideal: 'ideal learner', guess: 'guess (no memory)' };

/**
 * The series a curve row belongs to: its arm, or a reference learner's name (the same for every arm); the
 * many-shot window ideal differs by arm (its window), so it is drawn per arm.
 */
const seriesOf = (t: TrialResult, e: EvalRow) => (e.suite === 'manyShot' && e.metric === 'window' ? `${armKey(t)}: window ideal` : (REFERENCES[e.metric] ?? armKey(t)));

/** One line per arm for each curve suite of the final models (iclCurve: score by k; contextLoss: answer loss by k; genreLoss: loss by position). */
export function suitePlots(study: ReportedStudy, results: readonly TrialResult[]): ReportPlot[] {
  const plots: ReportPlot[] = [];
  for (const part of study.parts) {
    const axis = Object.keys(results.find((t) => t.part === part.name)?.axes ?? {}).join(', ') || 'arm';
    for (const s of CURVE_SUITES) {
      const rows = rowsOf(results, part, (e) => e.suite === s.suite && e.stage === null && e.x !== null);
      const points: LinePoint[] = [...groupBy(rows, ({ t, e }) => seriesOf(t, e)).entries()].flatMap(([series, armRows]) =>
        [...groupBy(armRows, ({ e }) => String(e.x)).values()]
          .map((at) => ({ x: at[0].e.x!, ys: at.map(({ e }) => e.value) }))
          .sort((p, q) => p.x - q.x)
          .map(({ x, ys }) => ({ series, x, ...ciPoint(ys) })),
      );
      if (points.length === 0) continue;
      plots.push({
        name: `${s.name}${partSuffix(study, part)}`,
        title: s.title,
        caption: `Final models, ${s.caption}; mean over seeds with a 95% band.`,
        spec: lineChartSpec({
          title: s.title,
          subtitle: study.parts.length > 1 ? `part ${part.name}` : undefined,
          xTitle: s.x,
          xScale: s.xScale,
          yTitle: s.y,
          seriesTitle: axis,
          yDomain: s.domain,
          points: clipBands(points, s.domain),
        }),
      });
    }
  }
  return plots;
}

/** What a pass@k row's problems are called: its split, and `@stage` when it measured an earlier stage's model. */
const problemsOf = (e: EvalRow) => (e.stage === null ? e.split : `${e.split}@${e.stage}`);

/** pass@k against k, per arm, with greedy pass@1 in the table. */
export function passAtKPlots(study: ReportedStudy, results: readonly TrialResult[]): { plots: ReportPlot[]; tables: ReportTable[] } {
  const plots: ReportPlot[] = [];
  const tables: ReportTable[] = [];
  for (const part of study.parts) {
    const rows = rowsOf(results, part, (e) => e.suite === 'passAtK');
    if (rows.length === 0) continue;
    const entries = [...groupBy(rows, ({ t, e }) => JSON.stringify([armKey(t), problemsOf(e), e.metric])).values()].map((group) => {
      const { t, e } = group[0];
      const items = Math.min(...group.map((r) => r.e.n));
      return { arm: armKey(t), split: e.split, stage: e.stage, metric: e.metric, ...ciPoint(group.map((r) => r.e.value), { items }) };
    });
    tables.push({
      title: `pass@k${partTitle(study, part)}`,
      columns: ['arm', 'problems', 'metric', 'seeds', 'mean', 'CI low', 'CI high'],
      rows: entries.map((r) => [r.arm, r.stage === null ? r.split : `${r.split}@${r.stage}`, r.metric, r.n, r.mean, finiteOrNull(r.lo), finiteOrNull(r.hi)]),
    });
    // One chart per problem set (test, heldout); rows measured after an earlier stage join their problem set's
    // chart as their own lines, e.g. before and after RL.
    const problemSets = [...new Set(entries.map((r) => r.split))];
    for (const set of problemSets) {
      const points = entries
        .filter((r) => r.split === set && /^pass@\d+$/.test(r.metric))
        .map((r) => ({ series: r.stage ? `${r.arm} (after ${r.stage})` : r.arm, x: Number(r.metric.slice(5)), mean: r.mean, lo: r.lo, hi: r.hi, n: r.n }));
      if (points.length === 0) continue;
      plots.push({
        name: `pass-at-k${problemSets.length > 1 ? `-${set}` : ''}${partSuffix(study, part)}`,
        title: `pass@k on ${set} problems`,
        caption: 'Unbiased pass@k estimator over sampled answers; mean over seeds with a 95% band. Lines "after <stage>" measure the model as it was at the end of that stage.',
        spec: lineChartSpec({ title: 'pass@k', subtitle: `on ${set} problems`, xTitle: 'k (samples)', yTitle: 'pass@k', xScale: 'log', seriesTitle: 'arm', yDomain: [0, 1], points: clipBands(points, [0, 1]) }),
      });
    }
  }
  return { plots, tables };
}
