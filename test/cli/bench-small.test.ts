/** `continuum bench`'s small models (the studies' shape): the configs, native measured in-process, the ratios and their lines. */
import { describe, expect, it } from 'vitest';

import { formatSmall, measureSmall, SMALL_CONFIGS, smallModel, smallRows } from '../../src/cli/bench.js';

describe('bench small models', () => {
  it("are the studies' shape at contexts 32 and 64 and batches 32 and 64", () => {
    expect(SMALL_CONFIGS.map(({ T, B }) => `${T}x${B}`)).toEqual(['32x32', '32x64', '64x32', '64x64']);
    expect(smallModel(64)).toMatchObject({ vocabSize: 100, contextLength: 64, dModel: 64, nHeads: 4, nLayers: 2 });
  });

  it('measures each natively and gives native / torch ratios, or nulls without PyTorch', () => {
    const native = measureSmall('native', 1, 1);
    expect(native).toHaveLength(4);
    expect(native.every((r) => r > 0)).toBe(true);
    const torch = SMALL_CONFIGS.map((_, i) => ({ train_tok_s: native[i] / 2, threads: 2 }));
    const rows = smallRows(native, torch);
    expect(rows.map((r) => r.train_vs_torch)).toEqual([2, 2, 2, 2]);
    expect(rows[3]).toMatchObject({ T: 64, B: 64, torch_threads: 2, train_tok_s: Math.round(native[3]) });
    expect(formatSmall(rows).join('\n')).toMatch(/\n\s+64\s+64\s+[\d,]+\s+[\d,]+\s+2x \(torch 2 threads\)$/);
    const bare = smallRows(native, null);
    expect(bare.every((r) => r.torch_train_tok_s === null && r.train_vs_torch === null)).toBe(true);
    expect(formatSmall(bare).join('\n')).not.toMatch(/torch/);
  });
});
