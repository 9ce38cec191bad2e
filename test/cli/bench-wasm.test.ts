/** `continuum bench --engine wasm`: the wasm engine's figures, with the native engine measured in the same run. */
import { describe, expect, it } from 'vitest';

import { compareWasmToNative, runBench, type BenchOptions } from '../../src/cli/bench.js';
import { prepareEngine } from '../../src/model/engines.js';

describe('bench --engine wasm', () => {
  it('reports the wasm figures, the native ones of the same run, their ratio and the single-thread flavour', async () => {
    const opts: BenchOptions = { engine: 'wasm', steps: 1, genReps: 1, windows: 1, torch: false };
    await prepareEngine('wasm');
    const r = await compareWasmToNative(runBench(opts), opts);
    expect(r.engine).toBe('wasm');
    expect(r.threads).toBeGreaterThanOrEqual(1);
    for (const v of [r.train_tok_s, r.gen_tok_s, r.native_train_tok_s!, r.native_gen_tok_s!, r.single_thread_train_tok_s!]) expect(v).toBeGreaterThan(0);
    expect(r.train_vs_native).toBeCloseTo(r.train_tok_s / r.native_train_tok_s!, 2);
    expect(r.gen_vs_native).toBeCloseTo(r.gen_tok_s / r.native_gen_tok_s!, 2);
  });
});
