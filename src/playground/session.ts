/**
 * A playground run in memory: the model, the objective, its two random streams and the evaluations the page
 * draws. Everything follows from the settings, so one URL gives one run, step for step. The browser's own small
 * training loop (train/trainer.ts writes files): it reuses the objectives, tasks, rollouts and evaluations.
 */
import { evaluateIclCurve } from '../eval/icl-curve.js';
import { parseGPTConfig, type GPTConfig } from '../model/config.js';
import type { Engine } from '../model/engine.js';
import { completionText } from '../rollout/episodes.js';
import { rollOut } from '../rollout/sample.js';
import { MixSource, type TasksSpecLike } from '../rollout/source.js';
import { VOCAB_SIZE } from '../text/vocab.js';
import type { Objective, UpdateResult, WeightedBatch } from '../train/objective.js';
import { makeTaskEvaluator, type TaskEvaluator } from '../train/objectives/task-eval.js';
import { learningRate } from '../train/schedule.js';
import { hashString, Rng } from '../util/rng.js';
import { chooseEngine, type EngineChoice, type EngineRequest } from './engine.js';
import { playgroundObjective } from './objectives.js';
import { entryOf, levelFor, trainFamilies, type PlaygroundSettings } from './settings.js';

/** Instances per evaluation set (train split, unseen instances or rules, held-out families). */
export const EVAL_SIZE = 64;
/** Steps between evaluations: fixed, so pausing or stepping never changes which steps are scored. */
export const EVAL_EVERY = 50;
const WARMUP_STEPS = 50;
/** Unseen instances: 30% of each family's problems are the test split (the breadth study's share). */
const TEST_FRACTION = 0.3;

export interface StepPoint {
  step: number;
  loss: number;
  /** Mean reward of the step's sampled answers (rl, mix). */
  reward?: number;
}

export interface EvalPoint {
  step: number;
  /** Greedy exact-match accuracy on training-split instances (training rules). */
  train: number;
  /** On unseen instances (for in-context families: unseen rules). */
  test: number;
  /** On the held-out families, when there are any. */
  heldOut?: number;
}

export interface Sample {
  family: string;
  prompt: string;
  answer: string;
  output: string;
  score: number;
}

export class PlaygroundSession {
  step = 0;
  /** Tokens through forward and backward, and the seconds they took: the engine's tokens/s. */
  private tokens = 0;
  private seconds = 0;
  private readonly rng: Rng;
  private readonly sampleRng: Rng;

  private constructor(
    readonly settings: PlaygroundSettings,
    readonly engine: Engine,
    readonly choice: EngineChoice,
    readonly tasks: TasksSpecLike,
    private readonly objective: Objective,
    private readonly evaluator: TaskEvaluator,
  ) {
    this.rng = new Rng(hashString(`${settings.seed}:playground:data`));
    this.sampleRng = new Rng(hashString(`${settings.seed}:playground:sample`));
  }

  static async create(settings: PlaygroundSettings, request: EngineRequest): Promise<PlaygroundSession> {
    const config = modelConfig(settings);
    const tasks = tasksOf(settings);
    const source = MixSource.fromSpec(tasks, 'train')!;
    const heldOut = MixSource.fromSpec(tasks, 'heldOut');
    const choice = await chooseEngine(config, hashString(`${settings.seed}:playground:init`), request);
    const objective = playgroundObjective(settings.objective, source, settings.batch, config.contextLength, settings.rlFraction);
    return new PlaygroundSession(settings, choice.engine, choice, tasks, objective, makeTaskEvaluator(source, heldOut, EVAL_SIZE));
  }

  /** One optimizer step; its loss (and reward, when it sampled). */
  trainStep(): StepPoint {
    const { settings, engine } = this;
    const lr = learningRate({ lr: settings.lr, minLr: settings.lr, warmupSteps: WARMUP_STEPS, decay: 'constant' }, this.step, 0, 0);
    const update = (batch: WeightedBatch): UpdateResult => {
      const t0 = performance.now();
      const { loss, logprobs } = engine.forwardBackward(batch.tokens, batch.weights, batch.B, batch.T, batch.normalizer);
      // The engine leaves the weights as they were on a non-finite gradient; the run stops here with a reason.
      if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss} at step ${this.step + 1}: lower the learning rate and reset`);
      const gradNorm = engine.step({ lr, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, gradClip: 1 });
      if (!Number.isFinite(gradNorm)) throw new Error(`the gradient is ${gradNorm} at step ${this.step + 1}: lower the learning rate and reset`);
      this.seconds += (performance.now() - t0) / 1000;
      this.tokens += batch.B * batch.T;
      return { loss, gradNorm, logprobs };
    };
    const outcome = this.objective.step({ engine, stageStep: this.step, rng: this.rng, sampleRng: this.sampleRng, update });
    this.step++;
    const reward = outcome.scalars['rl/reward_mean'];
    return { step: this.step, loss: outcome.scalars['train/loss'] ?? NaN, ...(reward === undefined ? {} : { reward }) };
  }

  /** Accuracy on the training split and on unseen instances (and held-out families), on fixed problem sets. */
  evaluate(): EvalPoint {
    const s = this.evaluator(this.engine, new Rng(0));
    const point: EvalPoint = { step: this.step, train: s['eval/train_acc'] ?? 0, test: s['eval/test_acc'] ?? 0 };
    if (s['eval/heldout_acc'] !== undefined) point.heldOut = s['eval/heldout_acc'];
    return point;
  }

  /** The engine's tokens per second over the run so far (forward, backward and the optimizer step). */
  tokensPerSecond(): number {
    return this.seconds > 0 ? this.tokens / this.seconds : 0;
  }

  /** A few unseen instances with the model's greedy answers and their scores; the same problems every time. */
  samples(n = 4): Sample[] {
    const source = MixSource.fromSpec(this.tasks, 'train')!;
    const rng = new Rng('playground-samples');
    const instances = Array.from({ length: n }, () => source.draw(rng, 'test'));
    const { completions, scores } = rollOut(this.engine, source, instances, 1, { temperature: 0, topK: 0 }, new Rng(0));
    return instances.map((inst, i) => ({
      family: inst.family,
      prompt: inst.prompt,
      answer: inst.answer,
      output: completionText(completions[i]!),
      score: scores[i]!,
    }));
  }

  /** Accuracy on unseen rules against the number of demonstrations k, for in-context families; else null. */
  iclCurve(): { k: number; score: number }[] | null {
    const family = this.tasks.families.find((f) => (typeof f === 'string' ? f : f.family).startsWith('icl/'));
    if (!family) return null;
    const ks = [0, 1, 2, 3, 4, 6, 8];
    const rows = evaluateIclCurve(this.engine, family, ks, EVAL_SIZE, this.step, { testFraction: TEST_FRACTION });
    return rows.map((r) => ({ k: r.x!, score: r.value }));
  }

  dispose(): void {
    this.engine.dispose();
  }
}

export function modelConfig(s: PlaygroundSettings): GPTConfig {
  return parseGPTConfig({ nLayers: s.layers, nHeads: s.heads, dModel: s.dModel, contextLength: s.context, vocabSize: VOCAB_SIZE });
}

/** The settings' task section: training families at their levels with the pool, held-out ones at their easiest. */
export function tasksOf(s: PlaygroundSettings): TasksSpecLike {
  const families = trainFamilies(s).map((f) => entryOf(f, levelFor(s, f), s.pool));
  const heldOut = s.heldOut.map((f) => entryOf(f, levelFor(s, f), Infinity));
  return { families, heldOut, testFraction: TEST_FRACTION };
}
