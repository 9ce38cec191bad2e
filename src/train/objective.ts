/**
 * An objective is a way to make (sequences, per-token weights) for one training step. Every objective on
 * the continuum (lm, sft, rft, rl, mix) implements this one interface; the loop does the rest.
 */
import type { Engine } from '../model/engine.js';
import type { Rng } from '../util/rng.js';
import type { Scalars } from './metrics.js';

/** A weighted batch: tokens [B, T+1] (inputs [:, :T], targets [:, 1:]), weights [B, T]. */
export interface WeightedBatch {
  tokens: Int32Array;
  weights: Float32Array;
  B: number;
  T: number;
  /** Divides the weighted sum; default: the number of non-zero weights. */
  normalizer?: number;
}

export interface UpdateResult {
  loss: number;
  gradNorm: number;
  logprobs: Float32Array; // [B, T], before the update
}

export interface StepContext {
  engine: Engine;
  /** Steps already done in this stage. */
  stageStep: number;
  /** The stage's data stream: which examples, which prompts. Saved in checkpoints. */
  rng: Rng;
  /** The stage's sampling stream: which completions. Saved in checkpoints. */
  sampleRng: Rng;
  /** forwardBackward + optimizer step at the scheduled learning rate; throws on a NaN loss or gradient. */
  update(batch: WeightedBatch): UpdateResult;
}

export interface StepOutcome {
  scalars: Scalars;
  /** Tokens that carried a non-zero weight this step (for tokens budgets and tok/s). */
  tokens: number;
  /** Examples (lm windows, sft instances) or prompts (rft, rl) consumed this step. */
  episodes: number;
}

export interface Objective {
  readonly name: string;
  step(ctx: StepContext): StepOutcome;
  /** Periodic evaluation (e.g. val loss, test-split score); its rng is derived from the step, not the data stream. */
  evaluate?(engine: Engine, rng: Rng): Scalars;
  /** Objective state beyond the rngs that a checkpoint must carry (e.g. a curriculum level). */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** Pads sequences with PAD (id 0) into tokens [B, T+1] and weights [B, T] (weight[b][t] scores token t+1). */
export function packSequences(seqs: { tokens: number[]; weights: number[] }[], padId = 0): WeightedBatch {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.tokens.length)) - 1;
  const tokens = new Int32Array(B * (T + 1)).fill(padId);
  const weights = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    tokens.set(s.tokens, b * (T + 1));
    weights.set(s.weights.slice(0, T), b * T);
  });
  return { tokens, weights, B, T };
}

/**
 * One batch of two stacked above each other: `fixed`'s rows with their own (already scaled) weights, then
 * `second`'s rows with `secondWeights` scaled by `secondScale`, padded to a common length; normalizer 1
 * because both parts carry their own scale (mix: sft rows, then rl rows).
 */
export function stackBatches(fixed: WeightedBatch, second: WeightedBatch, secondWeights: Float32Array, secondScale: number): WeightedBatch {
  const T = Math.max(fixed.T, second.T);
  const B = fixed.B + second.B;
  const tokens = new Int32Array(B * (T + 1));
  const weights = new Float32Array(B * T);
  const put = (src: WeightedBatch, w: Float32Array, scale: number, row0: number) => {
    for (let b = 0; b < src.B; b++) {
      tokens.set(src.tokens.subarray(b * (src.T + 1), (b + 1) * (src.T + 1)), (row0 + b) * (T + 1));
      for (let t = 0; t < src.T; t++) weights[(row0 + b) * T + t] = w[b * src.T + t] * scale;
    }
  };
  put(fixed, fixed.weights, 1, 0);
  put(second, secondWeights, secondScale, fixed.B);
  return { tokens, weights, B, T, normalizer: 1 };
}
