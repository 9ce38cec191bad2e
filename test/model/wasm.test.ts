/**
 * The WebAssembly engine (src/model/wasm.ts) in Node, both flavours: the same numbers as the reference
 * engine (relative error < 1e-4, the native engine's bar), a KV cache that reproduces recomputation,
 * bit-reproducible gradients, errors from C++ surfaced as exceptions, and createEngine('wasm') after
 * prepareEngine. Fails (never skips) when dist/wasm is not built, with what to install.
 */
import { describe, expect, it } from 'vitest';

import { parseGPTConfig } from '../../src/model/config.js';
import { createEngine, prepareEngine } from '../../src/model/engines.js';
import { wasmBuildPath } from '../../src/model/wasm-node.js';
import { createWasmEngine, loadWasmModule, WasmEngine } from '../../src/model/wasm.js';
import { relErr } from './rel-err.js';
import { wasmAgreement } from './wasm-agreement.js';

describe('wasm engine is built', () => {
  it('dist/wasm holds both flavours (else: install emscripten and npm run build)', () => {
    expect(() => wasmBuildPath('single')).not.toThrow();
    expect(() => wasmBuildPath('threads')).not.toThrow();
  });
});

for (const threads of [1, 2]) {
  describe(`wasm engine, ${threads === 1 ? 'single-thread flavour' : 'threads flavour, 2 threads'}`, () => {
    it('matches the reference engine: logits, loss, log-probs, every gradient, AdamW, KV cache, generation', async () => {
      const report = await wasmAgreement((cfg, params) => createWasmEngine(cfg, params, { threads }));
      for (const [name, err] of Object.entries(report.errors)) expect(err, name).toBeLessThan(1e-4);
      expect(report.cacheError).toBeLessThan(1e-4);
      expect(report.generationAgrees).toBe(true);
      expect(report.reproducible).toBe(true);
    });
  });
}

describe('wasm engine', () => {
  const cfg = parseGPTConfig({ vocabSize: 10, contextLength: 6, dModel: 8, nHeads: 2, nLayers: 1 });

  it('the threads flavour runs its team on pthread workers (both threads take chunks)', async () => {
    const module = await loadWasmModule('threads');
    expect(module._cm_team_probe(2, 200)).toBe(2);
    expect(module._cm_team_probe(1, 20)).toBe(1);
  });

  it('2 threads and 1 thread compute the same numbers (up to float summation order)', async () => {
    const big = parseGPTConfig({ vocabSize: 64, contextLength: 64, dModel: 64, nHeads: 4, nLayers: 2 });
    const two = await createWasmEngine(big, 3, { threads: 2 });
    const one = await createWasmEngine(big, two.params.slice(), { threads: 1 });
    const tokens = Int32Array.from({ length: 8 * 65 }, (_, i) => (i * 7919) % 64);
    const weights = new Float32Array(8 * 64).fill(1);
    expect(two.forwardBackward(tokens, weights, 8, 64).loss).toBeCloseTo(one.forwardBackward(tokens, weights, 8, 64).loss, 5);
    expect(relErr(two.grads, one.grads)).toBeLessThan(1e-5);
    two.dispose();
    one.dispose();
  });

  it('surfaces C++ errors as exceptions and refuses use after dispose', async () => {
    const engine = await createWasmEngine(cfg, 0, { threads: 1 });
    expect(() => engine.forwardBackward(new Int32Array(14).map((_, i) => (i === 5 ? 10 : 0)), new Float32Array(12), 2, 6)).toThrow(/vocabulary/);
    const session = engine.createInferenceSession(2);
    session.prefill(0, Int32Array.from([1, 2, 3]));
    expect(() => session.prefill(0, Int32Array.from([1]))).toThrow(/not empty/);
    expect(() => session.decode(Int32Array.from([0, 0]), Int32Array.from([1, 2]))).toThrow(/distinct/);
    engine.dispose();
    expect(() => session.prefill(1, Int32Array.from([1]))).toThrow(/disposed/);
    expect(() => engine.logprobs(new Int32Array(14), 2, 6)).toThrow(/disposed/);
  });

  it('keeps params valid when the heap grows (views are re-derived)', async () => {
    const engine = await createWasmEngine(cfg, 5, { threads: 1 });
    const before = engine.params.slice();
    const other = await createWasmEngine(parseGPTConfig({ vocabSize: 64, contextLength: 512, dModel: 256, nHeads: 4, nLayers: 4 }), 1, { threads: 1 });
    expect(relErr(engine.params, before)).toBe(0);
    other.dispose();
    engine.dispose();
  });

  it('createEngine("wasm") works after prepareEngine("wasm") and agrees with createWasmEngine', async () => {
    await prepareEngine('wasm');
    const engine = createEngine('wasm', cfg, 4);
    expect(engine).toBeInstanceOf(WasmEngine);
    expect(engine.name).toBe('wasm');
    const direct = await createWasmEngine(cfg, 4, { threads: 1 });
    expect(relErr(engine.params, direct.params)).toBe(0);
    const tokens = Int32Array.from({ length: 14 }, (_, i) => i % 10);
    expect(relErr(engine.logprobs(tokens, 2, 6), direct.logprobs(tokens, 2, 6))).toBeLessThan(1e-6);
    engine.dispose();
    direct.dispose();
  });
});
