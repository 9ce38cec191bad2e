/**
 * The training loop: runs a recipe's stages in order, each with its objective, budget, schedule and
 * optimizer; writes metrics, checkpoints and the final model to the run directory; resumes a killed run
 * exactly (same weights, bit for bit, as a run that was never interrupted).
 *
 * RUN/recipe.json       the resolved recipe
 * RUN/metrics.jsonl     one line per step: { step, stage, time, scalars: { 'train/loss': ..., ... } }
 * RUN/checkpoints/      see checkpoint.ts
 * RUN/model/            the final weights (model.safetensors + config.json)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { paramLayout, parseGPTConfig, type GPTConfig, type TensorView } from '../model/config.js';
import type { Engine, EngineName } from '../model/engine.js';
import { createEngine } from '../model/engines.js';
import { initParams, reinitTensors } from '../model/init.js';
import { loadModel, saveModel } from '../store/model-files.js';
import { SYMBOLS, VOCAB_SIZE } from '../text/vocab.js';
import { writeFileAtomic } from '../util/files.js';
import { hashString, Rng } from '../util/rng.js';
import { ValidationError } from '../util/validation.js';
import { checkpointsDir, latestCheckpoint, loadResumeCheckpoint, saveCheckpoint, type TrainState } from './checkpoint.js';
import { MetricsLog, type MetricsRecord, type Scalars } from './metrics.js';
import type { Objective, StepContext, UpdateResult, WeightedBatch } from './objective.js';
import { makeObjective } from './objectives/index.js';
import { parseRecipe, type Recipe, type Stage } from './recipe.js';
import { readSavedRecipe } from './recipe-file.js';
import { footprintProblems } from './footprint.js';
import { learningRate, type ScheduleConfig } from './schedule.js';

export interface TrainOptions {
  /** The run directory; null keeps everything in memory (tests, the browser). */
  outDir: string | null;
  engine?: EngineName;
  /** Continue from the run directory's latest checkpoint. */
  resume?: boolean;
  /** Called after every step with its metrics (progress display, live dashboard). */
  onStep?: (record: MetricsRecord, info: StepInfo) => void;
  /** Called for notable events: stage start, checkpoint written, resume point. */
  onEvent?: (message: string) => void;
  /** Stop (as if killed) after this many global steps: for resume tests. */
  stopAfterSteps?: number;
  /**
   * More measurements taken at each of a stage's evaluations and logged with them (`eval/...` tags), e.g. a
   * study's ICL score over training. It must not change the engine's weights.
   */
  extraEval?: (engine: Engine, stage: number) => Scalars;
  /** Called when a stage has spent its budget, with the model as it is then (e.g. pass@k before an RL stage). */
  onStageEnd?: (engine: Engine, stage: number, globalStep: number) => void;
}

export interface StepInfo {
  stage: number;
  stageName: string;
  objective: string;
  stageStep: number;
  /** Fraction of this stage's budget spent, in [0, 1]. */
  progress: number;
  /** Estimated optimizer steps in the stage (exact for step budgets). */
  stageSteps: number;
  stages: number;
}

export interface TrainResult {
  engine: Engine;
  recipe: Recipe;
  /** Global optimizer steps done. */
  steps: number;
  wallSeconds: number;
  /** The last value of every scalar, including the final evaluation. */
  last: Scalars;
  /** True when stopAfterSteps cut the run short. */
  interrupted: boolean;
}

export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

export function modelConfigOf(recipe: Recipe): GPTConfig {
  const { bias: _bias, ...shape } = recipe.model;
  return parseGPTConfig({ ...shape, vocabSize: VOCAB_SIZE });
}

/** Tensors that training must leave untouched: the biases of a bias-free model (recipe model.bias false). */
function frozenTensors(recipe: Recipe, config: GPTConfig): TensorView[] {
  return recipe.model.bias ? [] : paramLayout(config).tensors.filter((t) => t.name.endsWith('.bias'));
}

function recipeHash(recipe: Recipe): string {
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex');
}

function stageSeed(recipe: Recipe, stage: number, stream: string): number {
  return hashString(`${recipe.seed}:${stage}:${stream}`);
}

/** Steps the stage will take: exact for a steps budget, estimated from the batch for the others. */
function estimateSteps(stage: Stage, contextLength: number): number {
  const b = stage.budget;
  if (b.steps) return b.steps;
  if (b.episodes) return Math.ceil(b.episodes / stage.batchSize);
  const tokensPerStep = stage.batchSize * (stage.objective === 'lm' ? (stage.blockSize ?? contextLength) : contextLength / 2);
  return Math.max(1, Math.ceil(b.tokens! / tokensPerStep));
}

function budgetProgress(stage: Stage, step: number, tokens: number, episodes: number): number {
  const b = stage.budget;
  if (b.steps) return step / b.steps;
  if (b.tokens) return tokens / b.tokens;
  return episodes / b.episodes!;
}

function loadInitWeights(source: string): Float32Array {
  // A run directory holds its final model in model/; a checkpoint folder holds it directly.
  const dir = existsSync(join(source, 'model', 'config.json')) ? join(source, 'model') : source;
  return loadModel(dir).params;
}

/** What a run carries from stage to stage. */
interface Run {
  recipe: Recipe;
  config: GPTConfig;
  engineName: EngineName;
  out: string | null;
  hash: string;
  options: TrainOptions;
  say: (message: string) => void;
  frozen: TensorView[];
  metrics: MetricsLog;
  started: number;
  globalStep: number;
  /** The last value of every scalar logged so far. */
  last: Scalars;
}

/** The model a stage trains, and the copy of its starting weights an RL stage's KL term is measured against. */
interface StageModel {
  engine: Engine;
  reference: Float32Array | null;
}

/** A stage under way: its objective, its two random streams and how much of its budget is spent. */
interface StageRun extends StageModel {
  index: number;
  /** Continued from a checkpoint taken inside this stage. */
  resumed: boolean;
  stage: Stage;
  name: string;
  objective: Objective;
  referenceEngine: Engine | null;
  rng: Rng;
  sampleRng: Rng;
  stageStep: number;
  tokens: number;
  episodes: number;
  totalSteps: number;
  schedule: ScheduleConfig;
}

export function train(recipeInput: Recipe | unknown, options: TrainOptions): TrainResult {
  const run = openRun(parseRecipe(recipeInput), options);
  // Where to start: the latest checkpoint when resuming, else stage 0 from scratch.
  const resumed = options.resume ? restore(run) : null;
  let engine: Engine | null = null;
  for (let s = resumed?.state.stage ?? 0; s < run.recipe.stages.length; s++) {
    const at = resumed?.state.stage === s ? resumed : null;
    const model: StageModel = at ? at.model : startStage(run, s, engine);
    engine = model.engine;
    if (!runStage(run, openStage(run, s, model, at?.state ?? null))) return result(run, engine, true);
  }
  if (engine === null) throw new Error('a recipe needs at least one stage');
  if (run.out) {
    saveModel(join(run.out, 'model'), { config: run.config, params: engine.params, symbols: [...SYMBOLS] });
    run.say(`final model written to ${join(run.out, 'model')}`);
  }
  return result(run, engine, false);
}

function result(run: Run, engine: Engine, interrupted: boolean): TrainResult {
  const wallSeconds = (Date.now() - run.started) / 1000;
  return { engine, recipe: run.recipe, steps: run.globalStep, wallSeconds, last: run.last, interrupted };
}

/** The run directory with its recipe.json (a resume must bring the recipe it was started with) and metrics log. */
function openRun(recipe: Recipe, options: TrainOptions): Run {
  const config = modelConfigOf(recipe);
  const out = options.outDir;
  const hash = recipeHash(recipe);
  const say = options.onEvent ?? (() => {});
  // Before any allocation: a model too large for this machine is refused with its figures, not a RangeError.
  const tooLarge = footprintProblems(recipe, config, totalmem());
  if (tooLarge.length) throw new ValidationError(`the recipe does not fit this machine:\n  - ${tooLarge.join('\n  - ')}`, tooLarge);
  const frozen = frozenTensors(recipe, config);
  const started = Date.now();
  if (out) {
    mkdirSync(out, { recursive: true });
    const recipePath = join(out, 'recipe.json');
    if (options.resume && existsSync(recipePath)) {
      if (recipeHash(readSavedRecipe(recipePath)) !== hash) {
        throw new Error(`--resume: ${out} was started with a different recipe; resume it with its own recipe.json or start a new run`);
      }
    }
    writeFileAtomic(recipePath, JSON.stringify(recipe, null, 2) + '\n');
  }
  const metrics = new MetricsLog(out ? join(out, 'metrics.jsonl') : null);
  const engineName = options.engine ?? recipe.engine ?? 'native';
  return { recipe, config, engineName, out, hash, options, say, frozen, metrics, started, globalStep: 0, last: {} };
}

/** The checkpoint LATEST names, or the newest intact one when that one is gone or damaged: weights, moments, state. */
function restore(run: Run): { model: StageModel; state: TrainState } {
  const { out, say } = run;
  if (!out) throw new Error('resume needs a run directory');
  const found = loadResumeCheckpoint(out);
  if (!found) throw new Error(`--resume: ${out} has no checkpoint yet (${checkpointsDir(out)} is empty); start it again without --resume`);
  found.notes.forEach(say);
  const { checkpoint: ckpt } = found;
  const { dir, state } = ckpt;
  if (state.recipeHash !== run.hash) throw new Error(`--resume: checkpoint ${dir} belongs to a different recipe`);
  const engine = createEngine(run.engineName, run.config, ckpt.params);
  engine.optimizer.m.set(ckpt.m);
  engine.optimizer.v.set(ckpt.v);
  engine.optimizer.t = state.optimizerStep;
  run.metrics.truncateAfter(state.stage, state.globalStep);
  run.globalStep = state.globalStep;
  say(`resuming from ${dir} (stage ${state.stage + 1}, step ${state.globalStep})`);
  return { model: { engine, reference: ckpt.reference }, state };
}

/** Weights at the start of a fresh stage (random, a checkpoint's, or the previous stage's) and a fresh optimizer. */
function startStage(run: Run, s: number, previous: Engine | null): StageModel {
  const stage = run.recipe.stages[s];
  let engine: Engine;
  if (stage.init === 'random' || previous === null) {
    previous?.dispose();
    const params = typeof stage.init === 'object' ? loadInitWeights(stage.init.checkpoint) : initParams(run.config, stageSeed(run.recipe, s, 'init'));
    engine = createEngine(run.engineName, run.config, params);
  } else {
    engine = previous;
    if (typeof stage.init === 'object') engine.params.set(loadInitWeights(stage.init.checkpoint));
  }
  // The named tensors redrawn as a random start of this stage would draw them; the rest kept.
  if (stage.reinit.length > 0) reinitTensors(run.config, engine.params, stage.reinit, stageSeed(run.recipe, s, 'init'));
  engine.optimizer.m.fill(0);
  engine.optimizer.v.fill(0);
  engine.optimizer.t = 0;
  engine.zeroGrad();
  return { engine, reference: (stage.rl?.klBeta ?? 0) > 0 ? Float32Array.from(engine.params) : null };
}

/** The stage's objective and random streams, at its start or where a checkpoint (`at`) left them. */
function openStage(run: Run, s: number, model: StageModel, at: TrainState | null): StageRun {
  const { recipe, config, engineName } = run;
  const stage = recipe.stages[s];
  const rng = new Rng(stageSeed(recipe, s, 'data'));
  const sampleRng = new Rng(stageSeed(recipe, s, 'sample'));
  const referenceEngine = model.reference ? createEngine(engineName, config, Float32Array.from(model.reference)) : null;
  const objective: Objective = makeObjective(stage, { config, reference: referenceEngine });
  if (at) {
    rng.setState(at.rng.data);
    sampleRng.setState(at.rng.sample);
    if (objective.loadState) objective.loadState(at.objective);
  }
  const name = stage.name ?? `${stage.objective}${recipe.stages.length > 1 ? ` ${s + 1}` : ''}`;
  const totalSteps = estimateSteps(stage, config.contextLength);
  const schedule = { ...stage.schedule, minLr: stage.schedule.minLr ?? stage.schedule.lr / 10 };
  run.say(`stage ${s + 1}/${recipe.stages.length}: ${name} (${stage.objective}), budget ${JSON.stringify(stage.budget)}`);
  const spent = { stageStep: at?.stageStep ?? 0, tokens: at?.tokens ?? 0, episodes: at?.episodes ?? 0 };
  return { ...model, index: s, resumed: at !== null, stage, name, objective, referenceEngine, rng, sampleRng, ...spent, totalSteps, schedule };
}

/** Steps the stage to the end of its budget; false when stopAfterSteps cut it short. */
function runStage(run: Run, st: StageRun): boolean {
  const { options } = run;
  const { stage } = st;
  // A run's first evaluation is before its first step, so learning curves start at 0 examples (a curve already
  // past a threshold at its first point would otherwise give only an upper bound). A later stage starts from the
  // weights its predecessor's last step evaluated and logged under the same step number, so it has none.
  if (run.globalStep === 0 && !st.resumed && stage.eval.interval > 0) log(run, st, evaluate(run, st));
  while (progressOf(st) < 1) {
    if (options.stopAfterSteps !== undefined && run.globalStep >= options.stopAfterSteps) {
      st.referenceEngine?.dispose();
      return false;
    }
    const scalars = step(run, st);
    const done = progressOf(st) >= 1;
    if ((stage.eval.interval > 0 && st.stageStep % stage.eval.interval === 0) || done) Object.assign(scalars, evaluate(run, st));
    log(run, st, scalars);
    if (done || (stage.checkpointInterval > 0 && st.stageStep % stage.checkpointInterval === 0)) checkpoint(run, st);
  }
  st.referenceEngine?.dispose();
  // After the stage's last checkpoint: a run killed during the hook resumes at the stage's end and calls it again.
  options.onStageEnd?.(st.engine, st.index, run.globalStep);
  return true;
}

function progressOf(st: StageRun): number {
  return budgetProgress(st.stage, st.stageStep, st.tokens, st.episodes);
}

/** One optimizer step of the stage's objective: its scalars, with the learning rate, speed and gradient norm. */
function step(run: Run, st: StageRun): Scalars {
  const lr = learningRate(st.schedule, st.stageStep, progressOf(st), st.totalSteps);
  let lastUpdate: UpdateResult | null = null;
  const ctx: StepContext = {
    engine: st.engine,
    stageStep: st.stageStep,
    rng: st.rng,
    sampleRng: st.sampleRng,
    update: (batch: WeightedBatch) => {
      const where = () => describeFailure(run.out, run.globalStep + 1, st.name);
      lastUpdate = applyUpdate(st.engine, batch, { ...st.stage.optimizer, lr }, run.frozen, where);
      return lastUpdate;
    },
  };
  const t0 = performance.now();
  const outcome = st.objective.step(ctx);
  const seconds = (performance.now() - t0) / 1000;
  st.stageStep++;
  run.globalStep++;
  st.tokens += outcome.tokens;
  st.episodes += outcome.episodes;
  const scalars: Scalars = { ...outcome.scalars, 'opt/lr': lr, 'perf/tok_s': outcome.tokens / Math.max(seconds, 1e-9), 'perf/step_s': seconds };
  if (lastUpdate) scalars['opt/grad_norm'] = (lastUpdate as UpdateResult).gradNorm;
  return scalars;
}

/** The objective's own evaluation and the caller's extra measurements, under a seed of this stage and step. */
function evaluate(run: Run, st: StageRun): Scalars {
  const rng = new Rng(stageSeed(run.recipe, st.index, `eval:${st.stageStep}`));
  return { ...(st.objective.evaluate ? st.objective.evaluate(st.engine, rng) : {}), ...run.options.extraEval?.(st.engine, st.index) };
}

function log(run: Run, st: StageRun, scalars: Scalars): void {
  const record = { step: run.globalStep, stage: st.index, time: Date.now(), scalars };
  run.metrics.write(record);
  run.last = { ...run.last, ...scalars };
  run.options.onStep?.(record, {
    stage: st.index,
    stageName: st.name,
    objective: st.stage.objective,
    stageStep: st.stageStep,
    progress: Math.min(1, progressOf(st)),
    stageSteps: st.totalSteps,
    stages: run.recipe.stages.length,
  });
}

function checkpoint(run: Run, st: StageRun): void {
  if (!run.out) return;
  const { engine } = st;
  saveCheckpoint(run.out, {
    config: run.config,
    params: engine.params,
    m: engine.optimizer.m,
    v: engine.optimizer.v,
    reference: st.reference,
    state: {
      format: 'continuum-train-state/1',
      recipeHash: run.hash,
      stage: st.index,
      stageStep: st.stageStep,
      globalStep: run.globalStep,
      tokens: st.tokens,
      episodes: st.episodes,
      rng: { data: st.rng.state(), sample: st.sampleRng.state() },
      optimizerStep: engine.optimizer.t,
      objective: st.objective.saveState ? st.objective.saveState() : null,
      files: {},
    },
  });
}

/** forwardBackward + AdamW step; a NaN or infinite loss or gradient stops the run before the weights change. */
function applyUpdate(engine: Engine, batch: WeightedBatch, opt: Stage['optimizer'] & { lr: number }, frozen: TensorView[], where: () => string): UpdateResult {
  const { loss, logprobs } = engine.forwardBackward(batch.tokens, batch.weights, batch.B, batch.T, batch.normalizer);
  if (!Number.isFinite(loss)) {
    engine.zeroGrad();
    throw new TrainingDivergedError(`the loss is ${loss} at ${where()}`);
  }
  // A frozen tensor gets no gradient: AdamW's moments stay zero and its values never move.
  for (const t of frozen) engine.grads.fill(0, t.offset, t.offset + t.size);
  // The engine leaves the weights untouched when the gradient norm is not finite.
  const gradNorm = engine.step(opt);
  if (!Number.isFinite(gradNorm)) throw new TrainingDivergedError(`the gradient norm is ${gradNorm} at ${where()}`);
  return { loss, gradNorm, logprobs };
}

function describeFailure(out: string | null, step: number, stageName: string): string {
  const ckpt = out ? latestCheckpoint(out) : null;
  const keep = ckpt
    ? `The last good checkpoint, ${ckpt}, is kept: start a new run from it with \`init: { checkpoint: ${ckpt} }\` and a lower schedule.lr.`
    : 'No checkpoint was written before it: lower schedule.lr (or raise warmupSteps) and start again.';
  return `step ${step} (stage ${stageName}). Training stopped. ${keep}`;
}
