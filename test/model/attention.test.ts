/**
 * Tiled (FlashAttention) attention. The reference engine's tiled kernels against its untiled ones (the
 * definition) at T = 1, 7, 64, 1000 and at block boundaries, forward and backward, and over a KV
 * store (pos0 > 0). Then the native engine, which switches to it past 512 positions, with blocks of
 * 64 queries against 64 keys. Loss and every gradient must match the reference engine (relative error
 * < 1e-4) there, at block boundaries (block size and one either side) and on both native cores: the
 * AVX2 kernels (head sizes 16, 32, 64) and the plain loops (any other head size).
 */
import { describe, expect, it } from 'vitest';

import { paramLayout, parseGPTConfig } from '../../src/model/config.js';
import { NativeEngine } from '../../src/model/native.js';
import { ATTENTION_BLOCK, attentionKernels, ReferenceEngine } from '../../src/model/reference.js';
import { Rng } from '../../src/util/rng.js';
import { relErr } from './rel-err.js';

function randomVec(rng: Rng, n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

describe('reference tiled attention matches untiled attention', () => {
  const B = ATTENTION_BLOCK;
  for (const T of [1, 7, 64, 1000, B - 1, B + 1, 2 * B, 2 * B + 1]) {
    for (const [C, NH] of [[16, 1], [12, 3]]) {
      it(`out and dq, dk, dv: T=${T}, C=${C}, ${NH} heads`, () => {
        const rng = new Rng(`${T} ${C}`);
        const qkv = randomVec(rng, T * 3 * C, 3); // scores of a few units: softmax far from uniform
        const dout = randomVec(rng, T * C, 1);
        const out = new Float64Array(T * C);
        const lse = new Float64Array(NH * T);
        const outU = new Float64Array(T * C);
        const att = new Float64Array(NH * T * T);
        attentionKernels.forward(out, lse, qkv, 0, T, C, NH);
        attentionKernels.forwardUntiled(outU, att, qkv, 0, T, T, C, NH);
        expect(relErr(out, outU)).toBeLessThan(1e-12);
        const dqkv = new Float64Array(T * 3 * C);
        const dqkvU = new Float64Array(T * 3 * C);
        attentionKernels.backward(dqkv, dout, out, qkv, lse, T, C, NH);
        attentionKernels.backwardUntiled(dqkvU, dout, qkv, att, T, C, NH);
        expect(relErr(dqkv, dqkvU)).toBeLessThan(1e-12);
      });
    }
  }

  it('over a KV store: 30 new positions after 100 cached ones', () => {
    const rng = new Rng('store');
    const C = 16, NH = 2, pos0 = 100, L = 30, P = pos0 + L;
    const qkv = randomVec(rng, P * 3 * C, 3);
    const out = new Float64Array(L * C);
    const outU = new Float64Array(L * C);
    attentionKernels.forward(out, new Float64Array(NH * L), qkv, pos0, L, C, NH);
    attentionKernels.forwardUntiled(outU, new Float64Array(NH * L * P), qkv, pos0, L, P, C, NH);
    expect(relErr(out, outU)).toBeLessThan(1e-12);
  });
});

// T past the native threshold (512): 575, 576, 577 end one short of, on, and one past a 64-block.
const longShapes = [
  { name: 'hs=16, T=1000', cfg: { vocabSize: 13, contextLength: 1000, dModel: 32, nHeads: 2, nLayers: 1 }, B: 1, T: 1000 },
  { name: 'hs=32, T=575 (block - 1)', cfg: { vocabSize: 11, contextLength: 600, dModel: 64, nHeads: 2, nLayers: 1 }, B: 1, T: 575 },
  { name: 'hs=64, T=576 (block)', cfg: { vocabSize: 9, contextLength: 576, dModel: 64, nHeads: 1, nLayers: 1 }, B: 1, T: 576 },
  { name: 'hs=5 (plain loops), B=2, T=577 (block + 1)', cfg: { vocabSize: 7, contextLength: 577, dModel: 20, nHeads: 4, nLayers: 2 }, B: 2, T: 577 },
];

describe('native tiled attention matches the reference engine', () => {
  for (const { name, cfg: raw, B, T } of longShapes) {
    it(`loss and every gradient: ${name}`, () => {
      const cfg = parseGPTConfig(raw);
      const reference = new ReferenceEngine(cfg, 5);
      const native = new NativeEngine(cfg, reference.params.slice());
      const rng = new Rng(name);
      const tokens = Int32Array.from({ length: B * (T + 1) }, () => rng.int(cfg.vocabSize));
      const weights = Float32Array.from({ length: B * T }, () => rng.uniform() * 2 - 0.5);
      const n = native.forwardBackward(tokens, weights, B, T);
      const r = reference.forwardBackward(tokens, weights, B, T);
      expect(Math.abs(n.loss - r.loss) / Math.abs(r.loss)).toBeLessThan(1e-4);
      expect(relErr(n.logprobs, r.logprobs)).toBeLessThan(1e-4);
      for (const t of paramLayout(cfg).tensors) {
        const end = t.offset + t.size;
        expect(relErr(native.grads.subarray(t.offset, end), reference.grads.subarray(t.offset, end)), t.name).toBeLessThan(1e-4);
      }
      native.dispose();
    });
  }
});

describe('contexts of 4,096 tokens', () => {
  const cfg = parseGPTConfig({ vocabSize: 17, contextLength: 4096, dModel: 32, nHeads: 2, nLayers: 2 });

  it('train natively on a full 4,096-token row', () => {
    const native = new NativeEngine(cfg, 2);
    const rng = new Rng('4096');
    const tokens = Int32Array.from({ length: 4097 }, () => rng.int(cfg.vocabSize));
    const { loss } = native.forwardBackward(tokens, new Float32Array(4096).fill(1), 1, 4096);
    expect(Math.abs(loss - Math.log(cfg.vocabSize))).toBeLessThan(0.5); // untrained: about log V
    expect(native.grads.every(Number.isFinite)).toBe(true);
    native.dispose();
  });

  it('KV-cache decoding far past 512 positions equals full (tiled) recomputation', () => {
    const native = new NativeEngine(cfg, 3);
    const rng = new Rng('kv');
    const V = cfg.vocabSize;
    const seq = Array.from({ length: 4000 }, () => rng.int(V));
    const session = native.createInferenceSession(1);
    session.prefill(0, Int32Array.from(seq));
    for (let step = 0; step < 3; step++) {
      seq.push(rng.int(V));
      const logits = session.decode(Int32Array.of(0), Int32Array.of(seq[seq.length - 1]));
      const T = seq.length;
      const full = native.logits(Int32Array.from(seq), 1, T).subarray((T - 1) * V);
      expect(relErr(logits, full)).toBeLessThan(1e-4);
    }
    session.dispose();
    native.dispose();
  });
});
