/**
 * A study's size, checked before its trials start (train/footprint.ts estimates each trial): a trial that
 * cannot fit this machine refuses the whole study, with the figures and the field to change; when `jobs`
 * trials at once would not fit in memory, fewer run at once; a long study says how long before it starts.
 */
import { totalmem } from 'node:os';
import { formatBytes, recipeFootprint, footprintProblems, type Footprint } from '../train/footprint.js';
import type { Recipe } from '../train/recipe.js';
import { modelConfigOf } from '../train/trainer.js';
import { ValidationError } from '../util/validation.js';

/** Trials at once may use this share of the machine's memory; the rest is the system's and the coordinator's. */
const PARALLEL_MEMORY_SHARE = 0.8;
/** Studies estimated to take longer than this say so before they start. */
const ANNOUNCE_AFTER_SECONDS = 600;

export interface RunPlan {
  /** Trials run at once: the jobs asked for, or fewer when memory is short. */
  jobs: number;
  /** What the user should know before it starts: fewer jobs and why, the estimated time. */
  notes: string[];
}

/** Throws a ValidationError when a trial cannot run here; otherwise the jobs to run and what to say first. */
export function planTrials(trials: readonly { id: string; recipe: Recipe }[], jobs: number, memoryBytes = totalmem()): RunPlan {
  const footprints = trials.map((t) => ({ id: t.id, recipe: t.recipe, f: recipeFootprint(t.recipe, modelConfigOf(t.recipe)) }));
  refuseWhatCannotFit(footprints, memoryBytes);
  if (footprints.length === 0) return { jobs, notes: [] };
  const largest = Math.max(...footprints.map((t) => t.f.bytes));
  const fit = Math.max(1, Math.floor((memoryBytes * PARALLEL_MEMORY_SHARE) / largest));
  const notes: string[] = [];
  const run = Math.min(jobs, fit);
  if (run < jobs) {
    notes.push(`running ${run} trial(s) at once instead of ${jobs}: each needs up to ${formatBytes(largest)} and ${jobs} would not fit in ${Math.round(PARALLEL_MEMORY_SHARE * 100)}% of this machine's ${formatBytes(memoryBytes)}`);
  }
  const estimate = timeEstimate(footprints.map((t) => t.f), run);
  if (estimate) notes.push(estimate);
  return { jobs: run, notes };
}

/** One line per distinct problem (most trials of a sweep share them), naming the first trial and how many more. */
function refuseWhatCannotFit(footprints: { id: string; recipe: Recipe }[], memoryBytes: number): void {
  const byProblem = new Map<string, string[]>();
  for (const t of footprints) {
    for (const p of footprintProblems(t.recipe, modelConfigOf(t.recipe), memoryBytes, 'recipe')) byProblem.set(p, [...(byProblem.get(p) ?? []), t.id]);
  }
  if (byProblem.size === 0) return;
  const lines = [...byProblem].map(([p, ids]) => `trial ${ids[0]}${ids.length > 1 ? ` (and ${ids.length - 1} more)` : ''}: ${p}`);
  throw new ValidationError(`the study does not fit this machine:\n  - ${lines.join('\n  - ')}`, lines);
}

/** "estimated time: ..." for a study whose trials' arithmetic alone takes long; null for a short one. */
function timeEstimate(footprints: Footprint[], jobs: number): string | null {
  const total = footprints.reduce((a, f) => a + f.seconds, 0);
  // With jobs at once the wall time is the total over jobs, or the longest trial when that is longer.
  const wall = Math.max(total / jobs, ...footprints.map((f) => f.seconds));
  if (wall < ANNOUNCE_AFTER_SECONDS) return null;
  const flops = footprints.reduce((a, f) => a + f.flops, 0);
  return (
    `estimated time: about ${formatDuration(wall)} for ${footprints.length} trial(s), ${jobs} at once ` +
    `(${flops.toExponential(1).replace('e+', 'e')} FLOPs of training at 1 GFLOP/s per unit of dModel, at most 60 GFLOP/s, per trial: ` +
    'the speed of small models on one core here; evaluations add to it)'
  );
}

/** 5400 -> `1.5 h`; 86400 * 400 -> `1.1 years`. */
export function formatDuration(seconds: number): string {
  const units: [string, number][] = [['years', 365 * 86400], ['days', 86400], ['h', 3600], ['min', 60]];
  for (const [unit, size] of units) if (seconds >= size) return `${(seconds / size).toFixed(1)} ${unit}`;
  return `${Math.round(seconds)} s`;
}
