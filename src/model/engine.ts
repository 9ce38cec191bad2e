/**
 * The engine interface: one kernel for the whole pre-training <-> RL continuum.
 *
 * Every objective Continuum trains with is a weighted log-likelihood
 *   loss = -sum_{b,t} w[b,t] * log p(tokens[b,t+1] | tokens[b,<=t]) / normalizer
 * (pre-training and SFT put weight 1 on reference tokens, RL puts the advantage on sampled tokens),
 * so an engine needs only this loss, its gradient, an optimizer step and fast sampling.
 *
 * Three implementations: `reference` (plain TypeScript, the readable specification, runs in browsers),
 * `native` (C++ with BLAS, the fast one in Node) and `wasm` (the same C++ compiled to WebAssembly, the
 * fast one in browsers). Tests hold them to the same numbers.
 */
import type { GPTConfig } from './config.js';

export type EngineName = 'native' | 'reference' | 'wasm';

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay, applied to 2-D tensors only. */
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 or Infinity disables clipping. */
  gradClip: number;
}

export const defaultAdamW: AdamWConfig = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1.0,
};

export interface ForwardBackwardResult {
  /** The weighted loss of this call (already divided by the normalizer). */
  loss: number;
  /** log p(tokens[b, t+1] | prefix) for every position: [B, T]. */
  logprobs: Float32Array;
}

/**
 * A KV cache over `batch` rows, each row with its own length (prompts may differ in length).
 * Rows are filled by `prefill` and extended one token at a time by `decode`.
 */
export interface InferenceSession {
  readonly batch: number;
  /** Tokens stored so far in each row. */
  readonly lengths: Int32Array;
  /** Appends a whole prompt to an empty row; returns the logits after its last token: [V]. */
  prefill(row: number, tokens: Int32Array): Float32Array;
  /** Appends tokens[i] to row rows[i] for every i; returns the next-token logits: [rows.length, V]. */
  decode(rows: Int32Array, tokens: Int32Array): Float32Array;
  dispose(): void;
}

/** Optimizer moments and step count, for checkpoints. */
export interface OptimizerState {
  m: Float32Array;
  v: Float32Array;
  t: number;
}

export interface Engine {
  readonly name: EngineName;
  readonly config: GPTConfig;
  /** Every parameter in one buffer, laid out by paramLayout(config). Writable: loading writes here. */
  readonly params: Float32Array;
  /** Accumulated gradients, same layout as params. */
  readonly grads: Float32Array;
  readonly optimizer: OptimizerState;

  /**
   * tokens: [B, T+1] (inputs are [:, :T], targets [:, 1:]); weights: [B, T].
   * Accumulates gradients of the weighted loss into `grads`.
   * normalizer defaults to the number of non-zero weights (at least 1).
   */
  forwardBackward(
    tokens: Int32Array,
    weights: Float32Array,
    B: number,
    T: number,
    normalizer?: number,
  ): ForwardBackwardResult;

  /** log p(next token) without gradients, tokens: [B, T+1] -> [B, T]. */
  logprobs(tokens: Int32Array, B: number, T: number): Float32Array;

  /** Full-sequence logits without a cache (the reference for KV-cache tests): [B, T] -> [B, T, V]. */
  logits(tokens: Int32Array, B: number, T: number): Float32Array;

  /**
   * AdamW step with global-norm clipping; returns the gradient norm before clipping; zeroes grads.
   * When the norm is not finite (a NaN or infinite gradient), nothing is updated: the caller stops the run.
   */
  step(opt: AdamWConfig): number;

  zeroGrad(): void;

  createInferenceSession(batch: number): InferenceSession;

  dispose(): void;
}
