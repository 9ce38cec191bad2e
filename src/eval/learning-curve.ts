/**
 * Learning curves from logged metrics: score against training examples seen, and the examples needed to reach
 * a threshold (stats.ts examplesToThreshold, interpolated; "not reached" is a value). Series logged more than
 * once at a step (a trial resumed from a checkpoint repeats the steps after it) keep the last value written.
 */
import { examplesToThreshold, type CurvePoint, type ThresholdResult } from '../stats/stats.js';

export interface SeriesPoint {
  step: number;
  value: number;
}

/** One value per step, the last one written winning; in step order. */
export function lastPerStep(series: readonly SeriesPoint[]): SeriesPoint[] {
  const byStep = new Map<number, number>();
  for (const p of series) byStep.set(p.step, p.value);
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, value]) => ({ step, value }));
}

/**
 * Steps -> examples: `examplesPerStep` sequences per optimizer step (a stage's batch size), after `offset` steps of
 * earlier stages. Step 0 is the evaluation before any training, which only a run's first stage has: a later
 * stage's step `offset` is the stage before's last step.
 */
export function learningCurve(series: readonly SeriesPoint[], examplesPerStep: number, offset = 0): CurvePoint[] {
  return lastPerStep(series)
    .filter((p) => inStage(p.step, offset))
    .map((p) => ({ x: (p.step - offset) * examplesPerStep, y: p.value }));
}

/** Whether a logged global step belongs to the stage that starts after `offset` steps (see learningCurve). */
export function inStage(step: number, offset: number): boolean {
  return step > offset || (offset === 0 && step === 0);
}

export function thresholdOf(curve: readonly CurvePoint[], threshold: number): ThresholdResult | null {
  return curve.length === 0 ? null : examplesToThreshold(curve, threshold);
}

/**
 * The in-context-learning score of Olsson et al. 2022: loss late in the context minus loss early on (negative
 * when the model predicts better as it sees more). Takes the per-position losses in context order.
 */
export function iclScore(lossByPosition: readonly number[], early = 0, late = lossByPosition.length - 1): number {
  if (lossByPosition.length < 2) throw new Error('iclScore: need losses at two positions at least');
  return lossByPosition[late] - lossByPosition[early];
}
