/**
 * The native engine against its specification, the reference engine: same logits, loss, log-probs and
 * gradients (relative error < 1e-4) on several shapes, the same AdamW step, a KV cache that reproduces
 * full recomputation, and the weighted-loss semantics every objective relies on.
 */
import { describe, expect, it } from 'vitest';

import { paramLayout, parseGPTConfig, type GPTConfig } from '../../src/model/config.js';
import { defaultAdamW, type AdamWConfig, type Engine } from '../../src/model/engine.js';
import { createEngine } from '../../src/model/engines.js';
import { generate } from '../../src/model/generate.js';
import { NativeEngine } from '../../src/model/native.js';
import { ReferenceEngine } from '../../src/model/reference.js';
import { Rng } from '../../src/util/rng.js';
import { relErr } from './rel-err.js';
import { agreementConfigs } from './wasm-agreement.js';

/** Bit-for-bit equality of two float arrays (fast: vitest's toEqual walks typed arrays element by element). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function randomTokens(rng: Rng, n: number, V: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(V));
}

/** Weights in [-1, 2) with about a quarter of them zero: the RL case (advantages of both signs). */
function randomWeights(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.uniform() < 0.25 ? 0 : rng.uniform() * 3 - 1));
}

/** A native engine and a reference engine holding the same weights. */
function twins(cfg: GPTConfig, seed: number): { native: NativeEngine; reference: ReferenceEngine } {
  const reference = new ReferenceEngine(cfg, seed);
  const native = new NativeEngine(cfg, reference.params.slice());
  return { native, reference };
}

// Shapes chosen to reach every code path: B > 1, T < contextLength and T = contextLength, T not a
// multiple of any block size (4 query rows, 16 key columns, 32 in the BLAS path), the head sizes with
// hand-written attention kernels (16, 32, 64) and others that take the BLAS path (5, 8, 12), one head.
const configs = agreementConfigs;

describe('native engine matches the reference engine', () => {
  for (const { name, cfg: raw, B, T } of configs) {
    it(`logits, loss, log-probs and every gradient: ${name}`, () => {
      const cfg = parseGPTConfig(raw);
      const { native, reference } = twins(cfg, 7);
      const rng = new Rng(`${name}`);
      const tokens = randomTokens(rng, B * (T + 1), cfg.vocabSize);
      const weights = randomWeights(rng, B * T);

      const inputs = new Int32Array(B * T);
      for (let b = 0; b < B; b++) inputs.set(tokens.subarray(b * (T + 1), b * (T + 1) + T), b * T);
      expect(relErr(native.logits(inputs, B, T), reference.logits(inputs, B, T))).toBeLessThan(1e-4);
      expect(relErr(native.logprobs(tokens, B, T), reference.logprobs(tokens, B, T))).toBeLessThan(1e-4);

      // Twice, with a custom normalizer the second time: gradients accumulate across calls.
      for (const normalizer of [undefined, 5.5]) {
        const n = native.forwardBackward(tokens, weights, B, T, normalizer);
        const r = reference.forwardBackward(tokens, weights, B, T, normalizer);
        expect(Math.abs(n.loss - r.loss) / Math.max(1e-6, Math.abs(r.loss))).toBeLessThan(1e-4);
        expect(relErr(n.logprobs, r.logprobs)).toBeLessThan(1e-4);
      }
      for (const t of paramLayout(cfg).tensors) {
        const end = t.offset + t.size;
        const err = relErr(native.grads.subarray(t.offset, end), reference.grads.subarray(t.offset, end));
        expect(err, t.name).toBeLessThan(1e-4);
      }
      native.dispose();
    });
  }

  it('gives bit-identical results when called twice (no dependence on thread scheduling)', () => {
    const cfg = parseGPTConfig({ vocabSize: 64, contextLength: 64, dModel: 64, nHeads: 4, nLayers: 2 });
    const engine = new NativeEngine(cfg, 3);
    const rng = new Rng(1);
    const tokens = randomTokens(rng, 8 * 65, 64);
    const weights = randomWeights(rng, 8 * 64);
    const first = engine.forwardBackward(tokens, weights, 8, 64);
    const grads = engine.grads.slice();
    engine.zeroGrad();
    for (let i = 0; i < 5; i++) {
      const again = engine.forwardBackward(tokens, weights, 8, 64);
      expect(again.loss).toBe(first.loss);
      expect(sameBits(engine.grads, grads)).toBe(true);
      engine.zeroGrad();
    }
    // One thread computes the same numbers (up to float summation order).
    const single = new NativeEngine(cfg, engine.params.slice(), { threads: 1 });
    single.forwardBackward(tokens, weights, 8, 64);
    expect(relErr(single.grads, grads)).toBeLessThan(1e-6);
  });
});

describe('AdamW step', () => {
  const cfg = parseGPTConfig({ vocabSize: 11, contextLength: 8, dModel: 16, nHeads: 2, nLayers: 2 });
  const cases: [string, AdamWConfig][] = [
    ['defaults (clipping active)', defaultAdamW],
    ['no clipping, strong decay', { ...defaultAdamW, gradClip: 0, weightDecay: 0.5, lr: 3e-3 }],
    ['tight clipping', { ...defaultAdamW, gradClip: 0.01, beta2: 0.95 }],
  ];
  for (const [name, opt] of cases) {
    it(`equals the reference's step over several steps: ${name}`, () => {
      const { native, reference } = twins(cfg, 11);
      const rng = new Rng(name);
      for (let step = 0; step < 3; step++) {
        const tokens = randomTokens(rng, 2 * 9, 11);
        const weights = randomWeights(rng, 2 * 8);
        native.forwardBackward(tokens, weights, 2, 8);
        reference.forwardBackward(tokens, weights, 2, 8);
        const nNorm = native.step(opt);
        const rNorm = reference.step(opt);
        expect(Math.abs(nNorm - rNorm) / rNorm).toBeLessThan(1e-4);
        expect(native.optimizer.t).toBe(reference.optimizer.t);
        expect(relErr(native.params, reference.params)).toBeLessThan(1e-4);
        expect(relErr(native.optimizer.m, reference.optimizer.m)).toBeLessThan(1e-4);
        expect(relErr(native.optimizer.v, reference.optimizer.v)).toBeLessThan(1e-4);
        expect(native.grads.every((g) => g === 0)).toBe(true);
      }
    });
  }

  it('decays matrices only: a step with zero gradients shrinks 2-D tensors and leaves the rest', () => {
    const engine = new NativeEngine(cfg, 2);
    const before = engine.params.slice();
    engine.step({ ...defaultAdamW, weightDecay: 0.5, lr: 0.1 });
    for (const t of paramLayout(cfg).tensors) {
      const i = t.offset; // the first element of each tensor
      if (t.decay) expect(engine.params[i]).toBeCloseTo(before[i] * (1 - 0.05), 6);
      else expect(engine.params[i]).toBe(before[i]);
    }
  });

  it('resumes exactly from saved params and optimizer state', () => {
    const rng = new Rng(5);
    const batches = Array.from({ length: 4 }, () => ({ tokens: randomTokens(rng, 2 * 9, 11), weights: randomWeights(rng, 16) }));
    const run = (engine: Engine, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        engine.forwardBackward(batches[i].tokens, batches[i].weights, 2, 8);
        engine.step(defaultAdamW);
      }
    };
    const straight = new NativeEngine(cfg, 9);
    run(straight, 0, 4);
    const first = new NativeEngine(cfg, 9);
    run(first, 0, 2);
    const resumed = new NativeEngine(cfg, first.params.slice());
    resumed.optimizer.m = first.optimizer.m.slice(); // assignment copies into the buffers C++ holds
    resumed.optimizer.v = first.optimizer.v.slice();
    resumed.optimizer.t = first.optimizer.t;
    run(resumed, 2, 4);
    expect(sameBits(resumed.params, straight.params)).toBe(true);
    expect(sameBits(resumed.optimizer.m, straight.optimizer.m)).toBe(true);
    expect(sameBits(resumed.optimizer.v, straight.optimizer.v)).toBe(true);
  });

  it('skips the update when the gradient is not finite', () => {
    const engine = new NativeEngine(cfg, 1);
    const before = engine.params.slice();
    engine.grads[3] = NaN;
    expect(Number.isNaN(engine.step(defaultAdamW))).toBe(true);
    expect(sameBits(engine.params, before)).toBe(true);
    expect(engine.optimizer.t).toBe(0);
    expect(engine.grads.every((g) => g === 0)).toBe(true);
  });
});

describe('weighted loss semantics', () => {
  const cfg = parseGPTConfig({ vocabSize: 16, contextLength: 12, dModel: 32, nHeads: 4, nLayers: 2 });

  it('zero weights give exactly zero gradients and zero loss', () => {
    const engine = new NativeEngine(cfg, 4);
    const tokens = randomTokens(new Rng(2), 3 * 13, 16);
    const { loss, logprobs } = engine.forwardBackward(tokens, new Float32Array(3 * 12), 3, 12);
    expect(loss).toBe(0);
    expect(engine.grads.every((g) => g === 0)).toBe(true);
    expect(logprobs.every((lp) => lp < 0)).toBe(true); // log-probs are still computed
  });

  it('a zero-weight token contributes nothing: same gradient as dropping it', () => {
    const engine = new NativeEngine(cfg, 4);
    const tokens = randomTokens(new Rng(3), 13, 16);
    const w = new Float32Array(12).fill(1);
    w[11] = 0;
    engine.forwardBackward(tokens, w, 1, 12, 11);
    const withZero = engine.grads.slice();
    engine.zeroGrad();
    // Changing the target of the zero-weight (last) position must not change anything.
    const changed = tokens.slice();
    changed[12] = (changed[12] + 1) % 16;
    engine.forwardBackward(changed, w, 1, 12, 11);
    expect(sameBits(engine.grads, withZero)).toBe(true);
  });

  it('a negative-weight step lowers that token\'s log-prob; a positive one raises it', () => {
    for (const sign of [-1, 1]) {
      const engine = new NativeEngine(cfg, 6);
      const tokens = randomTokens(new Rng(8), 13, 16);
      const w = new Float32Array(12);
      w[9] = sign;
      const before = engine.logprobs(tokens, 1, 12)[9];
      engine.forwardBackward(tokens, w, 1, 12);
      engine.step({ ...defaultAdamW, lr: 1e-2, weightDecay: 0 });
      const after = engine.logprobs(tokens, 1, 12)[9];
      if (sign < 0) expect(after).toBeLessThan(before - 1e-3);
      else expect(after).toBeGreaterThan(before + 1e-3);
    }
  });
});

describe('KV-cache inference', () => {
  const cfg = parseGPTConfig({ vocabSize: 19, contextLength: 40, dModel: 24, nHeads: 3, nLayers: 2 });

  it('prefill and decode over rows of different lengths equal full recomputation', () => {
    const { native, reference } = twins(cfg, 12);
    const rng = new Rng(4);
    const V = cfg.vocabSize;
    const rows = [randomTokens(rng, 1, V), randomTokens(rng, 9, V), randomTokens(rng, 33, V), randomTokens(rng, 4, V)];
    const session = native.createInferenceSession(rows.length);
    const seqs = rows.map((r) => Array.from(r));
    const check = (row: number, logits: Float32Array) => {
      const seq = Int32Array.from(seqs[row]);
      const T = seq.length;
      const full = native.logits(seq, 1, T).subarray((T - 1) * V);
      expect(relErr(logits, full)).toBeLessThan(1e-4);
      expect(relErr(logits, reference.logits(seq, 1, T).subarray((T - 1) * V))).toBeLessThan(1e-4);
    };
    rows.forEach((tokens, row) => check(row, session.prefill(row, tokens)));
    expect(Array.from(session.lengths)).toEqual([1, 9, 33, 4]);
    // Decode several steps, each over a different subset of rows, in varying order.
    const plan = [[0, 1, 2, 3], [3, 1], [2, 0, 3], [1], [0, 1, 2, 3], [2, 3, 0, 1]];
    for (const active of plan) {
      const next = active.map(() => rng.int(V));
      active.forEach((row, i) => seqs[row].push(next[i]));
      const out = session.decode(Int32Array.from(active), Int32Array.from(next));
      active.forEach((row, i) => check(row, out.subarray(i * V, (i + 1) * V)));
    }
    expect(Array.from(session.lengths)).toEqual(seqs.map((s) => s.length));
    session.dispose();
  });

  it('refuses what would corrupt the cache, with a clear error', () => {
    const engine = new NativeEngine(cfg, 1);
    const session = engine.createInferenceSession(2);
    session.prefill(0, Int32Array.from([1, 2, 3]));
    expect(() => session.prefill(0, Int32Array.from([1]))).toThrow(/not empty/);
    expect(() => session.prefill(1, new Int32Array(41))).toThrow(/contextLength/);
    expect(() => session.prefill(5, Int32Array.from([1]))).toThrow(/batch/);
    expect(() => session.decode(Int32Array.from([0, 0]), Int32Array.from([1, 2]))).toThrow(/distinct/);
    expect(() => session.decode(Int32Array.from([0]), Int32Array.from([99]))).toThrow(/vocabulary/);
    session.prefill(1, new Int32Array(40));
    expect(() => session.decode(Int32Array.from([1]), Int32Array.from([0]))).toThrow(/full/);
    session.dispose();
    expect(() => session.decode(Int32Array.from([0]), Int32Array.from([0]))).toThrow(/disposed/);
    // A session must not outlive its engine's weights.
    const orphan = engine.createInferenceSession(1);
    engine.dispose();
    expect(() => orphan.prefill(0, Int32Array.from([1]))).toThrow(/disposed/);
  });

  it('generation with the cache equals generation by recomputation, and the reference engine\'s', () => {
    const { native, reference } = twins(cfg, 21);
    const prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10, 11], [0, 18]];
    const opts = { maxNewTokens: 12, temperature: 1, topK: 8 };
    const cached = generate(native, prompts, opts, new Rng(99));
    expect(generate(native, prompts, { ...opts, useCache: false }, new Rng(99))).toEqual(cached);
    expect(generate(reference, prompts, opts, new Rng(99))).toEqual(cached);
    expect(generate(native, prompts, opts, new Rng(99))).toEqual(cached);
  });
});

describe('argument checks', () => {
  const cfg = parseGPTConfig({ vocabSize: 10, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 });

  it('rejects out-of-vocabulary ids, long sequences, wrong shapes and use after dispose', () => {
    const engine = createEngine('native', cfg, 0);
    expect(engine.name).toBe('native');
    const ok = new Int32Array(2 * 7);
    expect(() => engine.forwardBackward(ok.map((_, i) => (i === 5 ? 10 : 0)), new Float32Array(12), 2, 6)).toThrow(/vocabulary/);
    expect(() => engine.logprobs(new Int32Array(8), 1, 7)).toThrow(/contextLength/);
    expect(() => engine.forwardBackward(ok, new Float32Array(11), 2, 6)).toThrow(/weights/);
    expect(() => new NativeEngine(cfg, new Float32Array(3))).toThrow(/parameters/);
    engine.dispose();
    expect(() => engine.logprobs(ok, 2, 6)).toThrow(/disposed/);
  });
});
