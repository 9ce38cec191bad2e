/**
 * A finished (or partly finished) run read back from its store, in the shape reports need: each trial with
 * its part, axes, seed, recipe, final evaluations and logged series, and measures read off them.
 */
import { lastPerStep, learningCurve, thresholdOf, type SeriesPoint } from '../eval/learning-curve.js';
import type { EvalKey } from '../measure/evals.js';
import type { ThresholdResult } from '../stats/stats.js';
import type { EvalRow, RunStore, Trial } from '../store/run-store.js';
import { parseRecipe, type Recipe } from '../train/recipe.js';
import { valueLabel, type Measure } from './spec.js';

export interface TrialResult {
  trial: Trial;
  part: string;
  /** Axis name -> value (without `part`). */
  axes: Record<string, unknown>;
  recipe: Recipe;
  evals: EvalRow[];
  series(tag: string): SeriesPoint[];
}

export function loadResults(store: RunStore, runId: string): TrialResult[] {
  return store.listTrials(runId).map((trial) => {
    const { part, ...axes } = trial.axes as Record<string, unknown>;
    const cache = new Map<string, SeriesPoint[]>();
    return {
      trial,
      part: String(part),
      axes,
      recipe: parseRecipe(trial.config, `trial ${trial.id}`),
      evals: trial.status === 'done' ? store.listEvals({ trialKey: trial.key }) : [],
      series(tag) {
        if (!cache.has(tag)) cache.set(tag, lastPerStep(store.metricSeries(trial.key, tag)));
        return cache.get(tag)!;
      },
    };
  });
}

/** Global steps taken by stages before `stage`, and the examples one step of `stage` trains on. */
export function stageOffset(recipe: Recipe, stageIndex: number): { offset: number; examplesPerStep: number } {
  const stage = stageIndex < 0 ? recipe.stages.length + stageIndex : stageIndex;
  let offset = 0;
  for (let s = 0; s < stage; s++) {
    const steps = recipe.stages[s].budget.steps;
    if (steps === undefined) throw new Error(`stage ${s} has no steps budget: curves over later stages need step budgets before them`);
    offset += steps;
  }
  const st = recipe.stages[stage];
  if (!st) throw new Error(`the recipe has no stage ${stageIndex}`);
  // rl and rft steps take batchSize prompts; lm/sft steps batchSize sequences: either way, batchSize examples.
  return { offset, examplesPerStep: st.batchSize };
}

export interface MeasureValue {
  value: number;
  /** False when an examples-to-threshold measure was not reached: value is then the budget (a lower bound). */
  reached: boolean;
  /** Set when it was reached at the first evaluation (after 0): value is then an upper bound. */
  upperBound?: true;
  /** For an evaluation row: the problems it was scored on (a rate's interval shrinks by half a problem). */
  items?: number;
}

/** The fewest problems any seed's rate was scored on (the most cautious shrinkage); undefined when unknown. */
export function fewestItems(values: readonly { items?: number }[]): number | undefined {
  const known = values.map((v) => v.items).filter((n): n is number => n !== undefined && n >= 2);
  return known.length === values.length && known.length > 0 ? Math.min(...known) : undefined;
}

/** A threshold crossing as a measure: the budget when not reached (a lower bound), marked when an upper bound. */
function thresholdMeasure(result: ThresholdResult): MeasureValue {
  if (!result.reached) return { value: result.lastX, reached: false };
  return result.upperBound ? { value: result.x, reached: true, upperBound: true } : { value: result.x, reached: true };
}

/** A measure of one finished trial; null when the trial has no such data. */
export function measureOf(t: TrialResult, m: Measure): MeasureValue | null {
  if ('eval' in m) {
    const rows = t.evals.filter((e) => sameKey(e, m.eval));
    return rows.length ? { value: rows[rows.length - 1].value, reached: true, items: rows[rows.length - 1].n } : null;
  }
  if ('last' in m) {
    const s = t.series(m.last);
    return s.length ? { value: s[s.length - 1].value, reached: true } : null;
  }
  if ('mean' in m) {
    let s = t.series(m.mean);
    if (m.stage !== undefined) {
      const { offset } = stageOffset(t.recipe, m.stage);
      const end = offset + (t.recipe.stages.at(m.stage)!.budget.steps ?? Infinity);
      s = s.filter((p) => p.step > offset && p.step <= end);
    }
    return s.length ? { value: s.reduce((a, p) => a + p.value, 0) / s.length, reached: true } : null;
  }
  if ('demonstrationsTo' in m) {
    const curve = t.evals
      .filter((e) => e.suite === 'iclCurve' && e.stage === null && e.family === m.demonstrationsTo.family && e.x !== null)
      .map((e) => ({ x: e.x!, y: e.value }));
    const result = thresholdOf(curve, m.demonstrationsTo.threshold);
    return result ? thresholdMeasure(result) : null;
  }
  const { offset, examplesPerStep } = stageOffset(t.recipe, m.examplesTo.stage);
  const result = thresholdOf(learningCurve(t.series(m.examplesTo.tag), examplesPerStep, offset), m.examplesTo.threshold);
  return result ? thresholdMeasure(result) : null;
}

/** Whether an evaluation row measures what `key` names. */
export function sameKey(row: EvalKey, key: EvalKey): boolean {
  return (
    row.suite === key.suite && row.split === key.split && row.stage === key.stage && row.family === key.family &&
    row.domain === key.domain && row.metric === key.metric && row.x === key.x
  );
}

export interface Arm {
  value: unknown;
  label: string;
  /** The arm's finished trials. */
  trials: TrialResult[];
  /** All of its trials, finished or not (to say why an arm has no measure). */
  all: TrialResult[];
}

/**
 * The arms of `axis` in a part: its values in sweep order, each with its finished trials; with `where`, only
 * trials whose other axes have those values.
 */
export function armsOf(results: readonly TrialResult[], part: string, axis: string, where: Record<string, unknown> = {}): Arm[] {
  const arms = new Map<string, Arm>();
  for (const t of results) {
    if (t.part !== part || !(axis in t.axes)) continue;
    if (Object.entries(where).some(([name, v]) => valueLabel(t.axes[name]) !== valueLabel(v))) continue;
    const label = valueLabel(t.axes[axis]);
    if (!arms.has(label)) arms.set(label, { value: t.axes[axis], label, trials: [], all: [] });
    arms.get(label)!.all.push(t);
    if (t.trial.status === 'done') arms.get(label)!.trials.push(t);
  }
  return [...arms.values()];
}
