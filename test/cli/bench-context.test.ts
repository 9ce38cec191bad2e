/** `continuum bench --context`: the lengths it accepts, one length measured in-process, the report's columns. */
import { describe, expect, it } from 'vitest';

import { parseLengths } from '../../src/cli/bench.js';
import { contextRows, formatContextReport, measureNativeContext, peakRssMb } from '../../src/cli/bench-context.js';

describe('bench --context', () => {
  it('parses comma-separated lengths and refuses the rest', () => {
    expect(parseLengths('512,1024, 4096')).toEqual([512, 1024, 4096]);
    expect(() => parseLengths('512,abc')).toThrow(/--context/);
    expect(() => parseLengths('0')).toThrow(/--context/);
    expect(() => parseLengths('70000')).toThrow(/--context/);
  });

  it('trains 4,096 tokens a step at any length and reads the peak RSS', () => {
    expect([64, 512, 4096, 8192].map(contextRows)).toEqual([64, 8, 1, 1]);
    const r = measureNativeContext(600, 1, 1); // tiled attention
    expect(r.train_tok_s).toBeGreaterThan(0);
    expect(r.peak_rss_mb).toBeGreaterThan(10);
    expect(peakRssMb()).toBeGreaterThanOrEqual(r.peak_rss_mb * 0.5);
  });

  it('prints ratios against PyTorch, or says why they are missing', () => {
    const model = { vocabSize: 64, contextLength: 4096, dModel: 64, nHeads: 4, nLayers: 2, mlpRatio: 4 };
    const row = { T: 4096, B: 1, train_tok_s: 2000, peak_rss_mb: 150, torch_train_tok_s: 1000, torch_peak_rss_mb: 1500, train_vs_torch: 2, rss_vs_torch: 0.1 };
    const withTorch = formatContextReport({ model, tokens_per_step: 4096, torch_version: '1.13', context: [row] });
    expect(withTorch).toMatch(/4096\s+1\s+2,000\s+150\s+1,000\s+1500\s+2x\s+0\.1x/);
    const bare = { ...row, torch_train_tok_s: null, torch_peak_rss_mb: null, train_vs_torch: null, rss_vs_torch: null };
    expect(formatContextReport({ model, tokens_per_step: 4096, torch_skipped: 'disabled with --no-torch', context: [bare] })).toMatch(/PyTorch: skipped \(disabled with --no-torch\)/);
  });
});
