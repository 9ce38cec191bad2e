/**
 * From a study to its trials. `resolveMode` applies the quick overrides (or drops them for the full mode);
 * `expandTrials` crosses each part's sweep axes (grid, or a random sample of the grid) with the seeds, writes
 * each point's values into a copy of the recipe at the axes' paths, and validates every resulting recipe.
 * Problems are collected, one line each, and thrown together.
 */
import { valueLabel } from '../report/spec.js';
import { parseRecipe, type Recipe } from '../train/recipe.js';
import { Rng } from '../util/rng.js';
import { ValidationError } from '../util/validation.js';
import { measureProblems } from './claim-checks.js';
import { duplicateIdProblems, evaluationFamilyProblems, MAX_TRIALS, sweepSizeProblem } from './expand-checks.js';
import { parsePath, setPath } from './paths.js';
import { rangeProblems } from './range-checks.js';
import { normalizeInfinity, type Part, type Study } from './schema.js';

export type Mode = 'quick' | 'full';

export interface Axis {
  path: string;
  name: string;
  values: unknown[];
  /** What each value is called in trial ids, the store and reports. */
  labels: string[];
  /** The study file named the values (labels:); claims and `where` then refer to arms by these names. */
  labelled: boolean;
}

export interface TrialPlan {
  /** Unique within the run: part/axis=value/.../seed=N (no part prefix for a one-part study). */
  id: string;
  part: string;
  /** Axis name -> value (its label when the axis gives labels), as in the trial id. */
  axes: Record<string, unknown>;
  seed: number;
  recipe: Recipe;
}

/** The study as it runs in `mode`: quick overrides merged in, no quick section left, mode recorded. */
export function resolveMode(study: Study, mode: Mode): Study {
  const { quick, ...rest } = study;
  const parts = study.parts.map((part) => {
    const { quick: partQuick, ...p } = part;
    if (mode === 'full') return p;
    return applyOverrides(applyOverrides(p, quick), partQuick);
  });
  return { ...rest, seeds: mode === 'quick' && quick?.seeds ? quick.seeds : study.seeds, parts, mode };
}

function applyOverrides(part: Part, over: { set: Record<string, unknown>; axes: Part['sweep']['axes'] } | undefined): Part {
  if (!over) return part;
  let recipe = part.recipe;
  for (const [path, value] of Object.entries(over.set)) recipe = setPath(recipe, path, normalizeInfinity(value));
  const axes = { ...part.sweep.axes };
  for (const [path, axis] of Object.entries(over.axes)) {
    const old = axes[path];
    // An override that gives only values keeps the axis's name, and the labels of the values it keeps.
    if (Array.isArray(axis) && old && !Array.isArray(old)) {
      const labelOf = (v: unknown) => old.labels?.[old.values.findIndex((w) => JSON.stringify(w) === JSON.stringify(v))];
      const labels = axis.map(labelOf);
      axes[path] = { name: old.name, values: axis, ...(labels.every((l) => l !== undefined) ? { labels: labels as string[] } : {}) };
    } else axes[path] = axis;
  }
  return { ...part, recipe, sweep: { ...part.sweep, axes } };
}

export function axesOf(part: Part): Axis[] {
  return Object.entries(part.sweep.axes).map(([path, a]) => {
    const keys = parsePath(path);
    const last = keys.filter((k) => typeof k === 'string').pop() as string;
    if (Array.isArray(a)) return { path, name: last, values: a, labels: a.map(valueLabel), labelled: false };
    return { path, name: a.name ?? last, values: a.values, labels: a.labels ?? a.values.map(valueLabel), labelled: a.labels !== undefined };
  });
}

/** Every combination of the axes' values (in order: the last axis varies fastest). */
function grid(axes: Axis[]): unknown[][] {
  return axes.reduce<unknown[][]>((points, axis) => points.flatMap((p) => axis.values.map((v) => [...p, v])), [[]]);
}

function sweepPoints(part: Part, axes: Axis[]): unknown[][] {
  const all = grid(axes);
  if (part.sweep.mode === 'grid') return all;
  // A random sweep: `samples` distinct grid points, in grid order so ids and tables read naturally.
  const rng = new Rng(`sweep|${part.name}|${part.sweep.seed}`);
  const order = rng.shuffle(all.map((_, i) => i));
  return order
    .slice(0, Math.min(part.sweep.samples!, all.length))
    .sort((a, b) => a - b)
    .map((i) => all[i]);
}

export function expandTrials(study: Study): TrialPlan[] {
  const problems: string[] = [];
  const trials: TrialPlan[] = [];
  const axesByPart = new Map<string, Axis[]>();
  const tooLarge: string[] = [];
  let planned = 0;
  study.parts.forEach((part, p) => {
    if (tooLarge.length) return;
    const where = study.parts.length > 1 || part.name !== 'main' ? `parts[${p}] (${part.name})` : 'study';
    const axes = checkedAxes(part, where, problems);
    if (!axes) return;
    axesByPart.set(part.name, axes);
    // Counted from the axes before any point is built: a sweep of 10^8 trials is refused, not built.
    const size = sweepSizeProblem(part, axes, study.seeds.length, where);
    planned += size.trials;
    if (size.problem) {
      tooLarge.push(size.problem);
      return;
    }
    if (planned > MAX_TRIALS) {
      tooLarge.push(`study: the parts make ${planned} or more trials; a run holds at most ${MAX_TRIALS}: fewer values or seeds`);
      return;
    }
    for (const point of sweepPoints(part, axes)) trials.push(...pointTrials(study, part, axes, point, where, problems));
  });
  if (tooLarge.length) throw new ValidationError(`${study.name}: the study is too large to run:\n  - ${tooLarge.join('\n  - ')}`, tooLarge);
  problems.push(...duplicateIdProblems(study, trials, axesByPart), ...claimProblems(study), ...measureProblems(study, trials));
  if (problems.length > 0) {
    // The same mistake in the base recipe shows up once per trial: report each distinct problem once.
    const distinct = dedupe(problems);
    throw new ValidationError(`${study.name}: the study does not expand into valid trials:\n  - ${distinct.join('\n  - ')}`, distinct);
  }
  return trials;
}

/** The part's sweep axes, or null when they cannot be read; names two axes share, or "part", are problems. */
function checkedAxes(part: Part, where: string, problems: string[]): Axis[] | null {
  let axes: Axis[];
  try {
    axes = axesOf(part);
  } catch (err) {
    problems.push(`${where}.sweep.axes: ${(err as Error).message}`);
    return null;
  }
  const names = axes.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`${where}.sweep.axes: two axes are named ${dup}; give one a name: { name: ..., values: [...] }`);
  if (names.includes('part')) problems.push(`${where}.sweep.axes: "part" is reserved for the part's name; name the axis otherwise`);
  problems.push(...evaluationFamilyProblems(part, where));
  return axes;
}

/** One trial per seed at one point of the sweep; a recipe that does not parse adds problems instead. */
function pointTrials(study: Study, part: Part, axes: Axis[], point: unknown[], where: string, problems: string[]): TrialPlan[] {
  const trials: TrialPlan[] = [];
  const labels = point.map((v, i) => axes[i].labels[axes[i].values.indexOf(v)]);
  // Scalars are stored as they are; lists and objects (e.g. a list of families), and values the file named, by
  // their label (a testFraction of 0.7 swept as the trained share "0.3" reads as 0.3 everywhere).
  const shown = point.map((v, i) => (axes[i].labelled || (v !== null && typeof v === 'object') ? labels[i] : v));
  for (const seed of study.seeds) {
    const label = [...axes.map((a, i) => `${a.name}=${labels[i]}`), `seed=${seed}`].join('/');
    const id = study.parts.length > 1 ? `${part.name}/${label}` : label;
    let recipe: unknown = { name: `${study.name}`, ...part.recipe };
    try {
      axes.forEach((a, i) => (recipe = setPath(recipe, a.path, point[i])));
      for (const path of part.seedPaths ?? study.seedPaths) recipe = setPath(recipe, path, seed);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
      continue;
    }
    try {
      const parsed = parseRecipe(recipe, `${where} trial ${id}`);
      part.evaluations.forEach((e, j) => {
        if (e.stage !== undefined && e.stage >= parsed.stages.length) {
          problems.push(`${where}.evaluations[${j}].stage: got ${e.stage}; the recipe has ${parsed.stages.length} stage(s), numbered from 0 (leave stage out to measure the final model)`);
        }
        const generated = (kind: string) => parsed.stages.some((s) => s.objective === 'lm' && typeof s.corpus === 'object' && s.corpus.kind === kind);
        if (e.kind === 'genreLoss' && !generated('markov')) {
          problems.push(`${where}.evaluations[${j}]: genreLoss measures unseen genres of a generated corpus; give an lm stage corpus: { kind: markov, genres: ... }`);
        }
        if (e.kind === 'manyShot' && !generated('functions')) {
          problems.push(`${where}.evaluations[${j}]: manyShot measures unseen functions of a generated corpus; give an lm stage corpus: { kind: functions, keys: ..., values: ... }`);
        }
      });
      trials.push({ id, part: part.name, axes: Object.fromEntries(axes.map((a, i) => [a.name, shown[i]])), seed, recipe: parsed });
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems.map((line) => `${where}.recipe.${line} (trial ${id})`));
      else problems.push(`${where} trial ${id}: ${(err as Error).message}`);
    }
  }
  return trials;
}

function dedupe(lines: string[]): string[] {
  const seen = new Map<string, string>();
  for (const line of lines) {
    const key = line.replace(/ \(trial [^)]*\)$/, '');
    if (!seen.has(key)) seen.set(key, line);
  }
  return [...seen.values()];
}

/**
 * Each claim and curve must name an axis of its part, and a claim's arms a and b must be values of that axis; so
 * must the other effect a claim compares its own with (`than`).
 */
function claimProblems(study: Study): string[] {
  const problems: string[] = [];
  const axesByPart = new Map(study.parts.map((p) => [p.name, axesOf(p)]));
  const check = (path: string, part: string, axisName: string, arms: unknown[]) => {
    const axes = axesByPart.get(part) ?? [];
    const axis = axes.find((a) => a.name === axisName);
    if (!axis) {
      problems.push(`${path}.axis: got "${axisName}"; part ${part} has the axes ${axes.map((a) => a.name).join(', ') || '(none)'}`);
      return;
    }
    arms.forEach((v, j) => {
      const label = valueLabel(v);
      if (!axis.labels.includes(label)) problems.push(`${path}.${j === 0 ? 'a' : 'b'}: got ${label}; the axis ${axisName} has ${axis.labels.join(', ')}`);
    });
  };
  // `where` holds other axes of the part at one of their values.
  const checkWhere = (path: string, isClaim: boolean, part: string, axisName: string, where: Record<string, unknown>) => {
    const axes = axesByPart.get(part) ?? [];
    for (const [name, value] of Object.entries(where)) {
      const axis = axes.find((a) => a.name === name);
      const label = valueLabel(value);
      // A curve may draw some arms of its own axis; a claim compares two of them, so it cannot hold it.
      if (name === axisName && isClaim) problems.push(`${path}.where.${name}: ${name} is the axis the claim compares; hold other axes only`);
      else if (!axis) problems.push(`${path}.where.${name}: part ${part} has no axis ${name}; its axes are ${axes.map((a) => a.name).join(', ') || '(none)'}`);
      else if (!axis.labels.includes(label)) problems.push(`${path}.where.${name}: got ${label}; the axis ${name} has ${axis.labels.join(', ')}`);
    }
  };
  study.claims.forEach((c, i) => {
    check(`claims[${i}]`, c.part, c.axis, [c.a, c.b]);
    checkWhere(`claims[${i}]`, true, c.part, c.axis, c.where);
    if (!c.than) return;
    if (c.measureA || c.measureB || c.ideal) problems.push(`claims[${i}].than: a contrast reads both effects on the claim's measure; remove ${[c.measureA && 'measureA', c.measureB && 'measureB', c.ideal && 'ideal'].filter(Boolean).join(', ')}`);
    check(`claims[${i}].than`, c.part, c.than.axis, [c.than.a, c.than.b]);
    checkWhere(`claims[${i}].than`, true, c.part, c.than.axis, c.than.where);
  });
  study.curves.forEach((c, i) => {
    check(`curves[${i}]`, c.part, c.axis, []);
    checkWhere(`curves[${i}]`, false, c.part, c.axis, c.where);
  });
  problems.push(...rangeProblems(study.claims, axesByPart));
  return problems;
}
