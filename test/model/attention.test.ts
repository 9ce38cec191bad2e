/**
 * Tiled (FlashAttention) attention: the native engine switches to it past 512 positions, with blocks of
 * 64 queries against 64 keys. Loss and every gradient must match the reference engine (relative error
 * < 1e-4) there, at block boundaries (block size and one either side) and on both native cores: the
 * AVX2 kernels (head sizes 16, 32, 64) and the plain loops (any other head size).
 */
import { describe, expect, it } from 'vitest';

import { paramLayout, parseGPTConfig } from '../../src/model/config.js';
import { NativeEngine } from '../../src/model/native.js';
import { ReferenceEngine } from '../../src/model/reference.js';
import { Rng } from '../../src/util/rng.js';

/** max |a - b| / max |b|: the error of the worst element, relative to the tensor's scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

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
