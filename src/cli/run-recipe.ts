/**
 * Runs a recipe from the command line: progress bar (reward first for RL, loss otherwise), evaluation lines,
 * and a closing summary (or one JSON line with --json). Shared by `train` and `pretrain`.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from '../model/engine.js';
import { acquireRunLock } from '../store/run-lock.js';
import type { MetricsRecord, Scalars } from '../train/metrics.js';
import type { Recipe } from '../train/recipe.js';
import { readSavedRecipe } from '../train/recipe-file.js';
import { train, type StepInfo, type TrainResult } from '../train/trainer.js';
import { createProgress } from './progress.js';

export interface RunRecipeOptions {
  /** The command that trains, for the run lock and its messages. */
  command: 'train' | 'pretrain';
  outDir: string;
  engine?: EngineName;
  resume?: boolean;
  json?: boolean;
}

/** The resolved recipe a run directory was started with, for --resume. */
export function runDirRecipe(runDir: string): Recipe {
  const saved = join(runDir, 'recipe.json');
  if (!existsSync(saved)) throw new Error(`--resume ${runDir}: no recipe.json there; is it a run directory?`);
  return readSavedRecipe(saved);
}

/** What the trainer leaves in a run directory; any of them means a run was started there. */
const RUN_FILES = ['recipe.json', 'metrics.jsonl', 'checkpoints', 'model'];

/**
 * A new run never writes into an old one: it would replace model/ and recipe.json, append to metrics.jsonl
 * and repoint LATEST. An empty (or unrelated) folder is fine.
 */
export function refuseExistingRun(outDir: string, command: 'train' | 'pretrain'): void {
  if (!existsSync(outDir)) return;
  const found = RUN_FILES.filter((f) => existsSync(join(outDir, f)));
  if (found.length === 0) return;
  const finished = found.includes('model') && readdirSync(join(outDir, 'model')).length > 0;
  const how = finished
    ? 'it finished (its final model is in model/): choose another --out, or remove the folder to train it again'
    : `continue it with \`continuum ${command} --resume ${outDir}\`, or choose another --out`;
  throw new Error(`--out ${outDir} already holds a run (${found.join(', ')}); ${how}`);
}

/** The headline number of a step: the reward for rl / rft stages, the loss otherwise. */
function headline(s: Scalars): Record<string, string> {
  const fields: Record<string, string> = {};
  if (s['rl/reward_mean'] !== undefined) fields.reward = s['rl/reward_mean'].toFixed(3);
  if (s['rft/pass_rate'] !== undefined) fields.pass = s['rft/pass_rate'].toFixed(3);
  if (s['train/loss'] !== undefined) fields.loss = s['train/loss'].toFixed(4);
  if (s['perf/tok_s'] !== undefined) fields['tok/s'] = Math.round(s['perf/tok_s']).toString();
  return fields;
}

function evalLine(record: MetricsRecord): string | null {
  const evals = Object.entries(record.scalars).filter(([k]) => k.startsWith('eval/'));
  if (evals.length === 0) return null;
  return `step ${record.step}: ${evals.map(([k, v]) => `${k.slice(5)} ${v.toFixed(4)}`).join(', ')}`;
}

/**
 * Trains `recipe` into opts.outDir while owning it (RUN/owner.lock): a second `train --resume` of a run still
 * training is refused, naming its process, instead of interleaving checkpoints and metrics with it.
 */
export function runRecipe(recipe: Recipe, opts: RunRecipeOptions): TrainResult {
  mkdirSync(opts.outDir, { recursive: true });
  const lock = acquireRunLock(opts.outDir, `continuum ${opts.command}`, `continuum ${opts.command} --resume ${opts.outDir}`);
  try {
    // Checked again under the lock: a run started there since the caller's check is not overwritten.
    if (!opts.resume) refuseExistingRun(opts.outDir, opts.command);
    return trainWithProgress(recipe, opts);
  } finally {
    lock.release();
  }
}

function trainWithProgress(recipe: Recipe, opts: RunRecipeOptions): TrainResult {
  const progress = createProgress({ quiet: opts.json });
  const log = (line: string) => (opts.json ? process.stderr.write(line + '\n') : progress.log(line));
  // Smooth the displayed tokens/s over recent steps: single steps are noisy.
  let tokS = 0;
  try {
    const result = train(recipe, {
      outDir: opts.outDir,
      engine: opts.engine,
      resume: opts.resume,
      onEvent: log,
      onStep(record: MetricsRecord, info: StepInfo) {
        const s = record.scalars;
        // The evaluation before the first step has no throughput.
        if (s['perf/tok_s'] !== undefined) tokS = tokS === 0 ? s['perf/tok_s'] : 0.9 * tokS + 0.1 * s['perf/tok_s'];
        const label = info.stages > 1 ? `[${info.stage + 1}/${info.stages} ${info.stageName}] step ${info.stageStep}` : `step ${info.stageStep}`;
        progress.update(info.progress, label, headline({ ...s, 'perf/tok_s': tokS }));
        const line = evalLine(record);
        if (line) log(line);
      },
    });
    progress.stop();
    return result;
  } catch (err) {
    progress.stop();
    throw err;
  }
}
