/**
 * The WebAssembly engine against its specification, the reference engine, as one browser-safe function
 * (no vitest, no Node): wasm.test.ts runs it in Node and browser-wasm.test.ts inside Chromium, and both
 * assert on the errors it returns. The shapes are native.test.ts's: every attention and sgemm edge case.
 */
import { paramLayout, parseGPTConfig, type GPTConfig } from '../../src/model/config.js';
import { defaultAdamW, type Engine } from '../../src/model/engine.js';
import { generate } from '../../src/model/generate.js';
import { ReferenceEngine } from '../../src/model/reference.js';
import { Rng } from '../../src/util/rng.js';

/** Makes an engine of the engine under test holding exactly these weights. */
export type MakeEngine = (cfg: GPTConfig, params: Float32Array) => Promise<Engine>;

export interface AgreementReport {
  /** name -> the worst relative error over logits, log-probs, losses and every gradient tensor. */
  errors: Record<string, number>;
  /** Generation through the KV cache equals the reference's and recomputation without the cache. */
  generationAgrees: boolean;
  /** KV-cache logits against full recomputation on the reference, worst relative error. */
  cacheError: number;
  /** Two identical calls give bit-identical gradients. */
  reproducible: boolean;
}

// The native engine's tests use the same shapes (test/model/native.test.ts): every code path, on every engine.
export const agreementConfigs = [
  { name: 'tiny, B=3, T<ctx', cfg: { vocabSize: 11, contextLength: 9, dModel: 16, nHeads: 2, nLayers: 2 }, B: 3, T: 7 },
  { name: 'one head, odd widths, B=1, T=ctx', cfg: { vocabSize: 7, contextLength: 5, dModel: 12, nHeads: 1, nLayers: 1 }, B: 1, T: 5 },
  { name: 'hs=5, mlpRatio 2, B=2, T=40 (two attention blocks)', cfg: { vocabSize: 13, contextLength: 48, dModel: 20, nHeads: 4, nLayers: 2, mlpRatio: 2 }, B: 2, T: 40 },
  { name: 'hs=16, B=4, T=70', cfg: { vocabSize: 64, contextLength: 80, dModel: 64, nHeads: 4, nLayers: 2 }, B: 4, T: 70 },
  { name: 'hs=32 (as R1), B=3, T=33', cfg: { vocabSize: 30, contextLength: 40, dModel: 64, nHeads: 2, nLayers: 1 }, B: 3, T: 33 },
  { name: 'hs=64, B=2, T=18', cfg: { vocabSize: 9, contextLength: 18, dModel: 64, nHeads: 1, nLayers: 2 }, B: 2, T: 18 },
];

/** max |a - b| / max |b|: the error of the worst element, relative to the tensor's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isNaN(diff) ? Infinity : scale === 0 ? diff : diff / scale;
}

const tokensOf = (rng: Rng, n: number, V: number) => Int32Array.from({ length: n }, () => rng.int(V));
/** Weights in [-1, 2) with about a quarter of them zero: the RL case (advantages of both signs). */
const weightsOf = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => (rng.uniform() < 0.25 ? 0 : rng.uniform() * 3 - 1));

/** The worst error of one shape: logits, log-probs, two accumulating backward calls, every gradient, one AdamW step. */
async function shapeError(make: MakeEngine, raw: (typeof agreementConfigs)[number]): Promise<number> {
  const cfg = parseGPTConfig(raw.cfg);
  const { B, T } = raw;
  const reference = new ReferenceEngine(cfg, 7);
  const engine = await make(cfg, reference.params.slice());
  const rng = new Rng(raw.name);
  const tokens = tokensOf(rng, B * (T + 1), cfg.vocabSize);
  const weights = weightsOf(rng, B * T);
  const inputs = new Int32Array(B * T);
  for (let b = 0; b < B; b++) inputs.set(tokens.subarray(b * (T + 1), b * (T + 1) + T), b * T);
  const errs = [relativeError(engine.logits(inputs, B, T), reference.logits(inputs, B, T)), relativeError(engine.logprobs(tokens, B, T), reference.logprobs(tokens, B, T))];
  for (const normalizer of [undefined, 5.5]) {
    const w = engine.forwardBackward(tokens, weights, B, T, normalizer);
    const r = reference.forwardBackward(tokens, weights, B, T, normalizer);
    errs.push(Math.abs(w.loss - r.loss) / Math.max(1e-6, Math.abs(r.loss)), relativeError(w.logprobs, r.logprobs));
  }
  for (const t of paramLayout(cfg).tensors) {
    const end = t.offset + t.size;
    errs.push(relativeError(engine.grads.subarray(t.offset, end), reference.grads.subarray(t.offset, end)));
  }
  const norms = [engine.step(defaultAdamW), reference.step(defaultAdamW)];
  errs.push(Math.abs(norms[0] - norms[1]) / norms[1], relativeError(engine.params, reference.params), relativeError(engine.optimizer.v, reference.optimizer.v));
  engine.dispose();
  return Math.max(...errs.map((e) => (Number.isNaN(e) ? Infinity : e)));
}

/** KV cache over rows of different lengths against the reference's full recomputation; cached generation. */
async function cacheChecks(make: MakeEngine): Promise<{ cacheError: number; generationAgrees: boolean }> {
  const cfg = parseGPTConfig({ vocabSize: 19, contextLength: 40, dModel: 24, nHeads: 3, nLayers: 2 });
  const reference = new ReferenceEngine(cfg, 12);
  const engine = await make(cfg, reference.params.slice());
  const rng = new Rng(4);
  const V = cfg.vocabSize;
  const seqs = [1, 9, 33, 4].map((n) => Array.from(tokensOf(rng, n, V)));
  const session = engine.createInferenceSession(seqs.length);
  let cacheError = 0;
  const check = (row: number, logits: Float32Array) => {
    const seq = Int32Array.from(seqs[row]);
    cacheError = Math.max(cacheError, relativeError(logits, reference.logits(seq, 1, seq.length).subarray((seq.length - 1) * V)));
  };
  seqs.forEach((tokens, row) => check(row, session.prefill(row, Int32Array.from(tokens))));
  for (const active of [[0, 1, 2, 3], [3, 1], [2, 0, 3], [1], [2, 3, 0, 1]]) {
    const next = active.map(() => rng.int(V));
    active.forEach((row, i) => seqs[row].push(next[i]));
    const out = session.decode(Int32Array.from(active), Int32Array.from(next));
    active.forEach((row, i) => check(row, out.subarray(i * V, (i + 1) * V)));
  }
  if (session.lengths.join() !== seqs.map((s) => s.length).join()) cacheError = Infinity;
  session.dispose();
  const prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11], [0, 18]];
  const opts = { maxNewTokens: 12, temperature: 1, topK: 8 };
  const cached = JSON.stringify(generate(engine, prompts, opts, new Rng(99)));
  const generationAgrees =
    cached === JSON.stringify(generate(engine, prompts, { ...opts, useCache: false }, new Rng(99))) &&
    cached === JSON.stringify(generate(reference, prompts, opts, new Rng(99)));
  engine.dispose();
  return { cacheError, generationAgrees };
}

/** Bit-identical gradients from the same call repeated (no dependence on thread scheduling). */
async function reproducible(make: MakeEngine): Promise<boolean> {
  const cfg = parseGPTConfig({ vocabSize: 64, contextLength: 64, dModel: 64, nHeads: 4, nLayers: 2 });
  const engine = await make(cfg, new ReferenceEngine(cfg, 3).params.slice());
  const rng = new Rng(1);
  const tokens = tokensOf(rng, 8 * 65, 64);
  const weights = weightsOf(rng, 8 * 64);
  const first = engine.forwardBackward(tokens, weights, 8, 64).loss;
  const grads = engine.grads.slice();
  let same = true;
  for (let i = 0; i < 3; i++) {
    engine.zeroGrad();
    same &&= engine.forwardBackward(tokens, weights, 8, 64).loss === first && engine.grads.every((g, j) => Object.is(g, grads[j]));
  }
  engine.dispose();
  return same;
}

export async function wasmAgreement(make: MakeEngine): Promise<AgreementReport> {
  const errors: Record<string, number> = {};
  for (const c of agreementConfigs) errors[c.name] = await shapeError(make, c);
  return { errors, ...(await cacheChecks(make)), reproducible: await reproducible(make) };
}
