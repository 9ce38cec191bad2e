/**
 * The native engine: the GPT of native/ (C++, BLAS for the matrix products, every core through one
 * thread team, native/threads.h) behind the same Engine interface as the reference engine, which is its specification.
 *
 * JavaScript owns the four buffers the model trains (params, grads and the AdamW moments m, v) and lends
 * them to C++ once, at construction: checkpoints read and write `params` and `optimizer` directly, and no
 * call copies weights across the boundary. Activations live in C++, in one arena per (B, T).
 *
 * Node only (it loads a compiled addon): browsers use the reference engine.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

import { checkTokenShape, paramLayout, type GPTConfig } from './config.js';
import type {
  AdamWConfig,
  Engine,
  ForwardBackwardResult,
  InferenceSession,
  OptimizerState,
} from './engine.js';
import { initParams } from './init.js';

/** The addon's surface (native/addon.cpp). Outputs are written into arrays the caller allocates. */
interface NativeModel {
  forwardBackward(tokens: Int32Array, weights: Float32Array, B: number, T: number, normalizer: number, logprobs: Float32Array): number;
  logprobs(tokens: Int32Array, B: number, T: number, out: Float32Array): void;
  logits(tokens: Int32Array, B: number, T: number, out: Float32Array): void;
  step(lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, gradClip: number, t: number): number;
  dispose(): void;
}
interface NativeSession {
  prefill(row: number, tokens: Int32Array, out: Float32Array): void;
  decode(rows: Int32Array, tokens: Int32Array, out: Float32Array): void;
  dispose(): void;
}
interface NativeAddon {
  Model: new (config: GPTConfig, params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, threads: number) => NativeModel;
  Session: new (model: NativeModel, batch: number, lengths: Int32Array) => NativeSession;
  /** GFLOP/s of `threads` threads each multiplying [size, size] matrices for about `seconds`. */
  measureSgemm(threads: number, size: number, seconds: number): number;
  /** The parameter layout as native/gpt.cpp lays it out, for the test that holds it equal to paramLayout. */
  paramLayout(config: GPTConfig): { name: string; offset: number; size: number; decay: boolean }[];
}

let addon: NativeAddon | undefined;

/** Loads the compiled addon once; says how to build it when it is missing. */
export function loadNativeAddon(): NativeAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  // Same relative path from src/model (tests) and dist/model (the built CLI).
  const path = '../../build/Release/continuum_native.node';
  try {
    addon = require(path) as NativeAddon;
  } catch (err) {
    throw new Error(
      `the native engine is not built (${path}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}); ` +
        'build it with `npm ci` or `node native/build.mjs` (needs a C++ compiler, pkg-config and libopenblas-dev), ' +
        'or pass --engine reference',
    );
  }
  return addon;
}

/** Whether the native engine can run here (the addon is built and loads). */
export function nativeAvailable(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch {
    return false;
  }
}

/**
 * Optimizer moments lent to C++: assigning `m` or `v` (as a checkpoint loader may) copies into the lent
 * buffers instead of replacing them, so the native side never holds a stale pointer.
 */
class LentOptimizerState implements OptimizerState {
  t = 0;
  constructor(private readonly mBuf: Float32Array, private readonly vBuf: Float32Array) {}
  get m(): Float32Array {
    return this.mBuf;
  }
  set m(values: Float32Array) {
    copyInto(this.mBuf, values, 'optimizer.m');
  }
  get v(): Float32Array {
    return this.vBuf;
  }
  set v(values: Float32Array) {
    copyInto(this.vBuf, values, 'optimizer.v');
  }
}

function copyInto(dst: Float32Array, src: Float32Array, what: string): void {
  if (src.length !== dst.length) throw new Error(`${what}: expected ${dst.length} values, got ${src.length}`);
  if (src !== dst) dst.set(src);
}

export interface NativeEngineOptions {
  /** Threads in the engine's thread team (BLAS runs single-threaded inside each). Default: CONTINUUM_THREADS or every usable core. */
  threads?: number;
}

export class NativeEngine implements Engine {
  readonly name = 'native' as const;
  readonly config: GPTConfig;
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly optimizer: OptimizerState;
  /** Threads in the engine's thread team. */
  readonly threads: number;
  private model: NativeModel | null;
  private readonly addon: NativeAddon;

  /** A GPT with the given shape; weights are GPT-2-initialised from `seed` unless `params` are given. */
  constructor(config: GPTConfig, seedOrParams: number | Float32Array = 0, options: NativeEngineOptions = {}) {
    this.addon = loadNativeAddon();
    this.config = config;
    const { total } = paramLayout(config);
    if (typeof seedOrParams === 'number') this.params = initParams(config, seedOrParams);
    else {
      if (seedOrParams.length !== total) {
        throw new Error(`NativeEngine: expected ${total} parameters, got ${seedOrParams.length}`);
      }
      this.params = seedOrParams;
    }
    this.grads = new Float32Array(total);
    this.optimizer = new LentOptimizerState(new Float32Array(total), new Float32Array(total));
    this.threads = options.threads ?? defaultThreads();
    if (!(Number.isInteger(this.threads) && this.threads >= 1)) {
      throw new Error(`NativeEngine: threads must be a positive integer, got ${this.threads}`);
    }
    this.model = new this.addon.Model(
      config,
      this.params,
      this.grads,
      this.optimizer.m,
      this.optimizer.v,
      this.threads,
    );
  }

  forwardBackward(tokens: Int32Array, weights: Float32Array, B: number, T: number, normalizer?: number): ForwardBackwardResult {
    checkTokenShape(this.config, tokens, B, T, 1);
    if (weights.length !== B * T) throw new Error(`weights must hold B*T = ${B * T} values, got ${weights.length}`);
    let nonzero = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) nonzero++;
    const norm = normalizer ?? Math.max(1, nonzero);
    if (!(norm > 0 && Number.isFinite(norm))) throw new Error(`normalizer must be positive and finite, got ${norm}`);
    const logprobs = new Float32Array(B * T);
    const loss = this.native().forwardBackward(tokens, weights, B, T, norm, logprobs);
    return { loss, logprobs };
  }

  logprobs(tokens: Int32Array, B: number, T: number): Float32Array {
    checkTokenShape(this.config, tokens, B, T, 1);
    const out = new Float32Array(B * T);
    this.native().logprobs(tokens, B, T, out);
    return out;
  }

  logits(tokens: Int32Array, B: number, T: number): Float32Array {
    checkTokenShape(this.config, tokens, B, T, 0);
    const out = new Float32Array(B * T * this.config.vocabSize);
    this.native().logits(tokens, B, T, out);
    return out;
  }

  step(opt: AdamWConfig): number {
    const state = this.optimizer;
    const norm = this.native().step(opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weightDecay, opt.gradClip, state.t + 1);
    // A non-finite norm updates nothing (as in the reference): the step count stays.
    if (Number.isFinite(norm)) state.t += 1;
    return norm;
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  createInferenceSession(batch: number): InferenceSession {
    if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`batch must be a positive integer, got ${batch}`);
    const V = this.config.vocabSize;
    const lengths = new Int32Array(batch); // lent to C++, which advances it
    let session: NativeSession | null = new this.addon.Session(this.native(), batch, lengths);
    const live = (): NativeSession => {
      if (!session) throw new Error('the inference session was disposed');
      return session;
    };
    return {
      batch,
      lengths,
      prefill(row: number, tokens: Int32Array): Float32Array {
        const out = new Float32Array(V);
        live().prefill(row, tokens, out);
        return out;
      },
      decode(rows: Int32Array, tokens: Int32Array): Float32Array {
        if (rows.length !== tokens.length) {
          throw new Error(`decode: ${rows.length} rows but ${tokens.length} tokens; give one token per row`);
        }
        const out = new Float32Array(rows.length * V);
        live().decode(rows, tokens, out);
        return out;
      },
      dispose(): void {
        session?.dispose();
        session = null;
      },
    };
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }

  private native(): NativeModel {
    if (!this.model) throw new Error('this native engine was disposed');
    return this.model;
  }

}

/** CONTINUUM_THREADS, else the cores this process may run on (CPU affinity, as containers set it). */
function defaultThreads(): number {
  const fromEnv = process.env.CONTINUUM_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`CONTINUUM_THREADS must be a positive integer, got "${fromEnv}"`);
    return n;
  }
  return Math.max(1, availableParallelism());
}
