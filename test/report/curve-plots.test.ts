/** The report's curve plots (the dashboard's run page draws the same specs): loss by position and many-shot accuracy on log x. */
import { describe, expect, it } from 'vitest';
import { suitePlots } from '../../src/report/evaluations.js';
import type { ReportedStudy } from '../../src/report/spec.js';
import { trialResult } from './trial-results.js';

const study: ReportedStudy = { name: 's', seeds: [1, 2], claims: [], curves: [], parts: [{ name: 'main', sweep: { axes: { context: ['short', 'long'] } } }] };
const positions = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Every encoding of a Vega-Lite spec's layers that reads field x. */
function xEncodings(spec: unknown): { scale?: { type?: string }; axis?: { values?: number[] } }[] {
  const out: { scale?: { type?: string }; axis?: { values?: number[] } }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const x = (o.encoding as Record<string, { field?: string }> | undefined)?.x;
      if (x?.field === 'x') out.push(x as never);
      Object.values(o).forEach(walk);
    }
  };
  walk(spec);
  return out;
}

describe('curve plots', () => {
  const results = [1, 2].flatMap((seed) =>
    ['short', 'long'].map((context) =>
      trialResult({
        axes: { context },
        seed,
        evals: positions.flatMap((x) => [
          { suite: 'genreLoss', split: 'unseen', metric: 'loss', x, value: 1 - x / 1000 },
          { suite: 'genreLoss', split: 'unseen', metric: 'bayes', x, value: 0.7 },
          { suite: 'manyShot', split: 'unseen', metric: 'accuracy', x, value: Math.min(1, x / 100) },
          { suite: 'manyShot', split: 'unseen', metric: 'ideal', x, value: 1 },
          { suite: 'manyShot', split: 'unseen', metric: 'window', x, value: context === 'short' ? 0.6 : 1 },
        ]),
      }),
    ),
  );

  it('draw loss by position and many-shot accuracy on a log x axis ticked at the measured 1, 2, 4, ... T', () => {
    const plots = suitePlots(study, results);
    for (const name of ['genre-loss', 'many-shot']) {
      const plot = plots.find((p) => p.name === name);
      expect(plot, name).toBeDefined();
      const xs = xEncodings(plot!.spec);
      expect(xs.length).toBeGreaterThan(0);
      for (const x of xs) {
        expect(x.scale?.type).toBe('log');
        expect(x.axis?.values).toEqual(positions);
      }
    }
  });

  it("draw the many-shot ideal once and each arm's window ideal as its own series", () => {
    const plot = suitePlots(study, results).find((p) => p.name === 'many-shot')!;
    const text = JSON.stringify(plot.spec);
    for (const series of ['ideal learner', 'short: window ideal', 'long: window ideal']) expect(text).toContain(series);
  });
});
