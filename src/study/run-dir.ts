/**
 * A run directory: everything one execution of a study leaves behind.
 *
 *   runs/<study>-<timestamp>/
 *     study.yaml       the resolved study (quick overrides applied), as it ran
 *     store.sqlite     the run, its trials (recipe, axes, seed, status), metrics and evals
 *     trials/<id>/     each trial's training run: recipe.json, metrics.jsonl, checkpoints/, model/
 *     report.html, plots/, summary.json
 *
 * The run's id in the store is the directory's name.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { openRunStore, STORE_FILE, type Run, type RunStore, type Trial } from '../store/run-store.js';
import { parseRecipe, type Recipe } from '../train/recipe.js';
import { writeFileAtomic } from '../util/files.js';
import type { TrialPlan } from './expand.js';
import { parseStudy, type Part, type Study } from './schema.js';

export const STUDY_FILE = 'study.yaml';
export const TRIALS_DIR = 'trials';

export interface OpenedRun {
  dir: string;
  store: RunStore;
  run: Run;
  study: Study;
}

/** Creates the directory, writes study.yaml and registers the run and its queued trials in a new store. */
export function createRunDir(dir: string, study: Study, trials: readonly TrialPlan[]): OpenedRun {
  if (existsSync(join(dir, STORE_FILE))) throw new Error(`${dir} already holds a run; resume it with \`continuum study resume ${dir}\` or choose another --out`);
  mkdirSync(join(dir, TRIALS_DIR), { recursive: true });
  writeFileAtomic(join(dir, STUDY_FILE), `# The resolved study, as it ran (${study.mode ?? 'full'} mode).\n` + stringify(study));
  const store = openRunStore(join(dir, STORE_FILE));
  const run = store.createRun({ id: runIdOf(dir), study: study.name, spec: study });
  store.addTrials(
    run.id,
    trials.map((t) => ({ id: t.id, config: t.recipe, axes: { part: t.part, ...t.axes }, seed: t.seed })),
  );
  return { dir, store, run, study };
}

export function openRunDir(dir: string): OpenedRun {
  const path = join(dir, STORE_FILE);
  if (!existsSync(path)) throw new Error(`${dir} is not a study run: it has no ${STORE_FILE}`);
  const store = openRunStore(path, { mustExist: true });
  const run = store.getRun(runIdOf(dir));
  return { dir, store, run, study: parseStudy(run.spec, `${dir}/${STORE_FILE}`) };
}

export const runIdOf = (dir: string): string => basename(resolve(dir));

/** Where a trial trains: trials/<id with / as __>, e.g. trials/M=16__seed=2. */
export function trialDir(runDir: string, trialId: string): string {
  return join(runDir, TRIALS_DIR, trialFolderName(trialId));
}

/**
 * A folder name for each trial id, never one for two ids. An id whose segments (between slashes) are plain
 * characters, with no `__` inside and no `_` at either end, maps back unambiguously (every `__` was a `/`), so it
 * keeps the readable name. Any other id ('a b', 'a_/b', 'é') has its odd characters replaced and a hash of the
 * whole id added: 'a b' and 'a_b' would otherwise share a folder, and one metrics.jsonl would hold both trials.
 */
function trialFolderName(id: string): string {
  const escaped = id.replace(/\//g, '__');
  const plain = id.split('/').every((seg) => /^[\w=.+-]+$/.test(seg) && !seg.includes('__') && !seg.startsWith('_') && !seg.endsWith('_'));
  if (plain) return escaped;
  return `${escaped.replace(/[^\w=.+-]/g, '_')}~${createHash('sha256').update(id).digest('hex').slice(0, 10)}`;
}

export function trialPart(study: Study, trial: Trial): Part {
  const name = String(trial.axes.part);
  const part = study.parts.find((p) => p.name === name);
  if (!part) throw new Error(`trial ${trial.id}: its part "${name}" is not in the study`);
  return part;
}

export const trialRecipe = (trial: Trial): Recipe => parseRecipe(trial.config, `trial ${trial.id}`);

/** Run directories under `root` (those with a store), newest first. */
export function listRunDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, STORE_FILE)))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}
