import { describe, expect, it } from 'vitest';
import { paramLayout, parseGPTConfig } from '../../src/model/config.js';
import { ReferenceEngine } from '../../src/model/reference.js';
import { generate } from '../../src/model/generate.js';
import { defaultAdamW } from '../../src/model/engine.js';
import { Rng } from '../../src/util/rng.js';

const tiny = parseGPTConfig({ vocabSize: 7, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 2, mlpRatio: 2 });

function batch(rng: Rng, B: number, T: number, V: number) {
  const tokens = Int32Array.from({ length: B * (T + 1) }, () => rng.int(V));
  const weights = Float32Array.from({ length: B * T }, () => rng.uniform() * 2 - 0.5);
  return { tokens, weights };
}

describe('reference engine', () => {
  it('gradients match central finite differences for every parameter tensor', () => {
    const engine = new ReferenceEngine(tiny, 3);
    // Larger weights than the GPT-2 init so every path carries a visible gradient.
    const rng = new Rng(11);
    for (let i = 0; i < engine.params.length; i++) engine.params[i] += rng.normal() * 0.3;
    const B = 2;
    const T = 5;
    const { tokens, weights } = batch(rng, B, T, tiny.vocabSize);
    engine.zeroGrad();
    engine.forwardBackward(tokens, weights, B, T, 3);
    const analytic = Float32Array.from(engine.grads);
    const lossAt = () => {
      const lp = engine.logprobs(tokens, B, T);
      let loss = 0;
      for (let i = 0; i < lp.length; i++) loss -= (weights[i] * lp[i]) / 3;
      return loss;
    };
    for (const t of paramLayout(tiny).tensors) {
      // Check a few entries of each tensor, including its first and last.
      const picks = new Set([t.offset, t.offset + t.size - 1, t.offset + rng.int(t.size), t.offset + rng.int(t.size)]);
      for (const i of picks) {
        const saved = engine.params[i];
        const h = 1e-2;
        engine.params[i] = saved + h;
        const up = lossAt();
        engine.params[i] = saved - h;
        const down = lossAt();
        engine.params[i] = saved;
        // The step is exact in float32 only up to rounding: use the step actually taken.
        const numeric = (up - down) / (Math.fround(saved + h) - Math.fround(saved - h));
        expect(Math.abs(numeric - analytic[i]), `${t.name}[${i - t.offset}]`).toBeLessThan(2e-4 + 1e-3 * Math.abs(analytic[i]));
      }
    }
  });

  it('zero weights give zero gradients; the loss is the weighted mean of -log p', () => {
    const engine = new ReferenceEngine(tiny, 1);
    const rng = new Rng(2);
    const { tokens } = batch(rng, 2, 4, tiny.vocabSize);
    const res = engine.forwardBackward(tokens, new Float32Array(8), 2, 4);
    expect(res.loss === 0).toBe(true);
    expect(engine.grads.every((g) => g === 0)).toBe(true);
    const weights = Float32Array.from([1, 0, 0, 1, 0, 1, 0, 0]);
    const r2 = engine.forwardBackward(tokens, weights, 2, 4);
    expect(r2.loss).toBeCloseTo(-(r2.logprobs[0] + r2.logprobs[3] + r2.logprobs[5]) / 3, 6);
  });

  it('a negative weight pushes that token down, a positive one up', () => {
    for (const sign of [1, -1]) {
      const engine = new ReferenceEngine(tiny, 5);
      const tokens = Int32Array.from([1, 2, 3, 4, 5]);
      const weights = Float32Array.from([0, 0, 0, sign]);
      const before = engine.logprobs(tokens, 1, 4)[3];
      engine.forwardBackward(tokens, weights, 1, 4);
      engine.step({ ...defaultAdamW, lr: 1e-2, weightDecay: 0 });
      const after = engine.logprobs(tokens, 1, 4)[3];
      expect(Math.sign(after - before)).toBe(sign);
    }
  });

  it('the KV cache gives the same logits as recomputing the whole sequence', () => {
    const engine = new ReferenceEngine(tiny, 9);
    const seq = Int32Array.from([1, 4, 2, 6, 0, 3]);
    const full = engine.logits(seq, 1, 6);
    const V = tiny.vocabSize;
    const session = engine.createInferenceSession(2);
    session.prefill(1, Int32Array.from([5])); // another row, to check rows stay independent
    let last = session.prefill(0, seq.subarray(0, 3));
    for (let v = 0; v < V; v++) expect(last[v]).toBeCloseTo(full[2 * V + v], 5);
    for (let t = 3; t < 6; t++) {
      last = session.decode(Int32Array.from([0, 1]), Int32Array.from([seq[t], 2])).subarray(0, V);
      for (let v = 0; v < V; v++) expect(last[v]).toBeCloseTo(full[t * V + v], 5);
    }
    expect(Array.from(session.lengths)).toEqual([6, 4]);
  });

  it('generation with the cache equals generation by recomputation, and the seed fixes the tokens', () => {
    const engine = new ReferenceEngine(tiny, 4);
    const prompts = [[1, 2], [3], [4, 5, 6]];
    const opts = { maxNewTokens: 4, temperature: 1, topK: 5 };
    const cached = generate(engine, prompts, opts, new Rng(7));
    const recomputed = generate(engine, prompts, { ...opts, useCache: false }, new Rng(7));
    expect(cached).toEqual(recomputed);
    expect(generate(engine, prompts, opts, new Rng(7))).toEqual(cached);
    // Rows stop at the context: the 3-token prompt has room for 3 new tokens only.
    expect(cached.map((o) => o.length)).toEqual([4, 4, 3]);
    const greedy = generate(engine, prompts, { maxNewTokens: 3, temperature: 0, stopToken: 0 }, new Rng(1));
    for (const out of greedy) expect(out.indexOf(0) === -1 || out.indexOf(0) === out.length - 1).toBe(true);
  });

  it('rejects impossible shapes with a message naming the problem', () => {
    const engine = new ReferenceEngine(tiny, 0);
    expect(() => engine.logits(new Int32Array(7), 1, 7)).toThrow(/contextLength 6/);
    expect(() => engine.logprobs(new Int32Array(5), 1, 5)).toThrow(/B\*\(T\+1\)/);
    expect(() => engine.logits(Int32Array.from([9]), 1, 1)).toThrow(/outside the vocabulary/);
    expect(() => parseGPTConfig({ ...tiny, nHeads: 3 })).toThrow(/divisible by nHeads/);
  });
});
