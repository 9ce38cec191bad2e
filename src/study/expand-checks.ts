/**
 * Checks on a study's expansion that no single trial's recipe can see: how many trials the sweep makes (counted
 * before any is built), trial ids that come twice, and the task families its evaluations name.
 */
import { unknownConfigKeys } from '../tasks/config-keys.js';
import { getFamily } from '../tasks/registry.js';
import type { Axis, TrialPlan } from './expand.js';
import type { Part, Study } from './schema.js';

/** Trials one run may hold: each is a training run of its own, and a run of more would take months. */
export const MAX_TRIALS = 10_000;
/** Grid points a random sweep may draw from: drawing builds the whole grid. */
export const MAX_GRID_POINTS = 1_000_000;

/** The sweep's size from the axes' lengths alone, or the problem when it is too large to build. */
export function sweepSizeProblem(part: Part, axes: readonly Axis[], seeds: number, where: string): { trials: number; problem: string | null } {
  const grid = axes.reduce((n, a) => n * a.values.length, 1);
  const lengths = axes.length ? `${axes.map((a) => a.values.length).join(' × ')} values × ` : '';
  if (part.sweep.mode === 'random' && grid > MAX_GRID_POINTS) {
    return { trials: Infinity, problem: `${where}.sweep: a random sweep draws from ${grid} grid points; at most ${MAX_GRID_POINTS}: fewer values per axis` };
  }
  const points = part.sweep.mode === 'random' ? Math.min(part.sweep.samples!, grid) : grid;
  const trials = points * seeds;
  const problem =
    trials > MAX_TRIALS
      ? `${where}.sweep: ${lengths}${seeds} seed(s) make ${trials} trials; a run holds at most ${MAX_TRIALS}: fewer values or seeds, or sweep: { mode: random, samples: N }`
      : null;
  return { trials, problem };
}

/** Why two trials of a part got one id: a seed listed twice, or an axis whose values share a label. */
function collisionReasons(study: Study, axes: readonly Axis[], trial: TrialPlan): string[] {
  const reasons: string[] = [];
  if (study.seeds.filter((s) => s === trial.seed).length > 1) reasons.push(`seeds list ${trial.seed} twice`);
  for (const axis of axes) {
    // A trial's axes hold scalars as they are and everything else by its label: either way String() is the label.
    const label = String(trial.axes[axis.name]);
    const same = axis.values.filter((_, i) => axis.labels[i] === label);
    if (same.length < 2) continue;
    const identical = same.every((v) => JSON.stringify(v) === JSON.stringify(same[0]));
    if (identical) reasons.push(`axis ${axis.name} lists ${label} twice`);
    else if (axis.labelled) reasons.push(`axis ${axis.name} labels two values ${label}`);
    else reasons.push(`axis ${axis.name} has two values that print as ${label}: give the axis labels`);
  }
  return reasons;
}

/** Each trial id that comes more than once, with why; the run store keys trials by id. */
export function duplicateIdProblems(study: Study, trials: readonly TrialPlan[], axesByPart: ReadonlyMap<string, Axis[]>): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  const problems: string[] = [];
  for (const t of trials) {
    if (!seen.has(t.id)) {
      seen.add(t.id);
      continue;
    }
    if (reported.has(t.id)) continue;
    reported.add(t.id);
    const reasons = collisionReasons(study, axesByPart.get(t.part) ?? [], t);
    const why = reasons.length ? ` (${reasons.join('; ')})` : '';
    problems.push(`study: the trial id ${t.id} comes twice${why}; every trial needs its own id: make the seeds, axis values or labels distinct`);
  }
  return problems;
}

/** The families that iclCurve and contextLoss evaluations name: known, and with config keys they have. */
export function evaluationFamilyProblems(part: Part, where: string): string[] {
  const problems: string[] = [];
  part.evaluations.forEach((e, j) => {
    if (!('family' in e)) return;
    const entry = typeof e.family === 'string' ? { family: e.family, config: {} } : e.family;
    let family;
    try {
      family = getFamily(entry.family);
    } catch (err) {
      problems.push(`${where}.evaluations[${j}].family: ${(err as Error).message}`);
      return;
    }
    for (const { key, message } of unknownConfigKeys(family, entry.config)) problems.push(`${where}.evaluations[${j}].family.config.${key}: ${message}`);
  });
  return problems;
}
