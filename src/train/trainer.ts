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
import { initParams } from '../model/init.js';
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
import { learningRate } from './schedule.js';

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

export function train(recipeInput: Recipe | unknown, options: TrainOptions): TrainResult {
  const recipe = parseRecipe(recipeInput);
  const config = modelConfigOf(recipe);
  const engineName = options.engine ?? recipe.engine ?? 'native';
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

  // Where to start: the latest checkpoint when resuming, else stage 0 from scratch.
  let state: TrainState | null = null;
  let engine: Engine | null = null;
  let reference: Float32Array | null = null;
  if (options.resume) {
    if (!out) throw new Error('resume needs a run directory');
    // The checkpoint LATEST names, or the newest intact one when that one is gone or damaged.
    const found = loadResumeCheckpoint(out);
    if (!found) throw new Error(`--resume: ${out} has no checkpoint yet (${checkpointsDir(out)} is empty); start it again without --resume`);
    found.notes.forEach(say);
    const { checkpoint: ckpt } = found;
    const dir = ckpt.dir;
    if (ckpt.state.recipeHash !== hash) throw new Error(`--resume: checkpoint ${dir} belongs to a different recipe`);
    state = ckpt.state;
    engine = createEngine(engineName, config, ckpt.params);
    engine.optimizer.m.set(ckpt.m);
    engine.optimizer.v.set(ckpt.v);
    engine.optimizer.t = ckpt.state.optimizerStep;
    reference = ckpt.reference;
    metrics.truncateAfter(state.stage, state.globalStep);
    say(`resuming from ${dir} (stage ${state.stage + 1}, step ${state.globalStep})`);
  }

  let globalStep = state?.globalStep ?? 0;
  let last: Scalars = {};
  for (let s = state?.stage ?? 0; s < recipe.stages.length; s++) {
    const stage = recipe.stages[s];
    const resumingHere = state !== null && state.stage === s;
    const stageName = stage.name ?? `${stage.objective}${recipe.stages.length > 1 ? ` ${s + 1}` : ''}`;

    // Weights at the start of a fresh stage; a resumed stage already has them from its checkpoint.
    if (!resumingHere) {
      if (stage.init === 'random' || engine === null) {
        engine?.dispose();
        const params = stage.init !== 'random' && typeof stage.init === 'object' ? loadInitWeights(stage.init.checkpoint) : initParams(config, stageSeed(recipe, s, 'init'));
        engine = createEngine(engineName, config, params);
      } else if (typeof stage.init === 'object') {
        engine.params.set(loadInitWeights(stage.init.checkpoint));
      }
      // Each stage starts with a fresh optimizer.
      engine.optimizer.m.fill(0);
      engine.optimizer.v.fill(0);
      engine.optimizer.t = 0;
      engine.zeroGrad();
      reference = (stage.rl?.klBeta ?? 0) > 0 ? Float32Array.from(engine.params) : null;
    }
    const live = engine!;
    const rng = new Rng(stageSeed(recipe, s, 'data'));
    const sampleRng = new Rng(stageSeed(recipe, s, 'sample'));
    const referenceEngine = reference ? createEngine(engineName, config, Float32Array.from(reference)) : null;
    const objective: Objective = makeObjective(stage, { config, reference: referenceEngine });
    let stageStep = 0;
    let tokens = 0;
    let episodes = 0;
    if (resumingHere) {
      stageStep = state!.stageStep;
      tokens = state!.tokens;
      episodes = state!.episodes;
      rng.setState(state!.rng.data);
      sampleRng.setState(state!.rng.sample);
      if (objective.loadState) objective.loadState(state!.objective);
    }
    const totalSteps = estimateSteps(stage, config.contextLength);
    const minLr = stage.schedule.minLr ?? stage.schedule.lr / 10;
    const schedule = { ...stage.schedule, minLr };
    say(`stage ${s + 1}/${recipe.stages.length}: ${stageName} (${stage.objective}), budget ${JSON.stringify(stage.budget)}`);

    const checkpoint = () => {
      if (!out) return;
      saveCheckpoint(out, {
        config,
        params: live.params,
        m: live.optimizer.m,
        v: live.optimizer.v,
        reference,
        state: {
          format: 'continuum-train-state/1',
          recipeHash: hash,
          stage: s,
          stageStep,
          globalStep,
          tokens,
          episodes,
          rng: { data: rng.state(), sample: sampleRng.state() },
          optimizerStep: live.optimizer.t,
          objective: objective.saveState ? objective.saveState() : null,
          files: {},
        },
      });
    };
    const evaluate = (): Scalars => ({
      ...(objective.evaluate ? objective.evaluate(live, new Rng(stageSeed(recipe, s, `eval:${stageStep}`))) : {}),
      ...options.extraEval?.(live, s),
    });

    // A run's first evaluation is before its first step, so learning curves start at 0 examples (a curve already
    // past a threshold at its first point would otherwise give only an upper bound). A later stage starts from the
    // weights its predecessor's last step evaluated and logged under the same step number, so it has none.
    if (globalStep === 0 && !resumingHere && stage.eval.interval > 0) {
      const record = { step: 0, stage: s, time: Date.now(), scalars: evaluate() };
      metrics.write(record);
      last = { ...last, ...record.scalars };
      options.onStep?.(record, { stage: s, stageName, objective: stage.objective, stageStep: 0, progress: 0, stageSteps: totalSteps, stages: recipe.stages.length });
    }
    while (budgetProgress(stage, stageStep, tokens, episodes) < 1) {
      if (options.stopAfterSteps !== undefined && globalStep >= options.stopAfterSteps) {
        referenceEngine?.dispose();
        return { engine: live, recipe, steps: globalStep, wallSeconds: (Date.now() - started) / 1000, last, interrupted: true };
      }
      const lr = learningRate(schedule, stageStep, budgetProgress(stage, stageStep, tokens, episodes), totalSteps);
      let lastUpdate: UpdateResult | null = null;
      const ctx: StepContext = {
        engine: live,
        stageStep,
        rng,
        sampleRng,
        update: (batch: WeightedBatch) => {
          lastUpdate = applyUpdate(live, batch, { ...stage.optimizer, lr }, frozen, () => describeFailure(out, globalStep + 1, stageName));
          return lastUpdate;
        },
      };
      const t0 = performance.now();
      const outcome = objective.step(ctx);
      const seconds = (performance.now() - t0) / 1000;
      stageStep++;
      globalStep++;
      tokens += outcome.tokens;
      episodes += outcome.episodes;
      const scalars: Scalars = { ...outcome.scalars, 'opt/lr': lr, 'perf/tok_s': outcome.tokens / Math.max(seconds, 1e-9), 'perf/step_s': seconds };
      if (lastUpdate) scalars['opt/grad_norm'] = (lastUpdate as UpdateResult).gradNorm;
      const done = budgetProgress(stage, stageStep, tokens, episodes) >= 1;
      if ((stage.eval.interval > 0 && stageStep % stage.eval.interval === 0) || done) Object.assign(scalars, evaluate());
      const record = { step: globalStep, stage: s, time: Date.now(), scalars };
      metrics.write(record);
      last = { ...last, ...scalars };
      options.onStep?.(record, {
        stage: s,
        stageName,
        objective: stage.objective,
        stageStep,
        progress: Math.min(1, budgetProgress(stage, stageStep, tokens, episodes)),
        stageSteps: totalSteps,
        stages: recipe.stages.length,
      });
      if (done || (stage.checkpointInterval > 0 && stageStep % stage.checkpointInterval === 0)) checkpoint();
    }
    referenceEngine?.dispose();
    state = null;
    // After the stage's last checkpoint: a run killed during the hook resumes at the stage's end and calls it again.
    options.onStageEnd?.(live, s, globalStep);
  }
  if (out) {
    saveModel(join(out, 'model'), { config, params: engine!.params, symbols: [...SYMBOLS] });
    say(`final model written to ${join(out, 'model')}`);
  }
  return { engine: engine!, recipe, steps: globalStep, wallSeconds: (Date.now() - started) / 1000, last, interrupted: false };
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
