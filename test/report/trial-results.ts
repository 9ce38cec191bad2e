/** Synthetic finished trials for report tests: a part, axes, a seed, final evaluation rows and logged series. */
import { lastPerStep } from '../../src/eval/learning-curve.js';
import type { TrialResult } from '../../src/report/results.js';
import type { EvalRow, Trial } from '../../src/store/run-store.js';
import { parseRecipe, type Recipe } from '../../src/train/recipe.js';

export const twoStageRecipe = parseRecipe({
  model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 },
  stages: [
    { objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 100 }, batchSize: 8 },
    { objective: 'sft', tasks: { families: ['math/sub'] }, budget: { steps: 50 }, batchSize: 4 },
  ],
});

export interface TrialSketch {
  part?: string;
  axes: Record<string, unknown>;
  seed: number;
  /** Rows default to the overall test-split exact match. */
  evals?: Partial<EvalRow>[];
  series?: Record<string, { step: number; value: number }[]>;
  status?: Trial['status'];
  recipe?: Recipe;
}

export function trialResult({ part = 'main', axes, seed, evals = [], series = {}, status = 'done', recipe = twoStageRecipe }: TrialSketch): TrialResult {
  const trial: Trial = {
    key: seed, run: 'r', id: `${part}/${JSON.stringify(axes)}/${seed}`, config: recipe, axes: { part, ...axes }, seed, status,
    reason: status === 'failed' ? 'TrainingDivergedError: the loss is NaN' : null, startedAt: null, finishedAt: null, attempt: 1, worker: null,
  };
  const rows = evals.map((e, i) => ({ id: i, trialKey: seed, step: 150, suite: 'splits', split: 'test', stage: null, family: '*', domain: '*', metric: 'exact', x: null, value: 0, n: 10, wallTime: 0, ...e }) as EvalRow);
  // As loadResults does: one value per step, the last written.
  return { trial, part, axes, recipe, evals: rows, series: (tag) => lastPerStep(series[tag] ?? []) };
}

export const fakeRun = { id: 'r', study: 's', spec: {}, status: 'done' as const, createdAt: '', startedAt: null, finishedAt: null, verdict: null };
