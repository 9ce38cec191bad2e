/**
 * A contrast claim (`than`): is the claim's effect larger than another effect's size? Per seed, own effect (in the
 * claim's direction, averaged over the free axes) minus |other effect|, with the interval over seeds deciding.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { effectBySeed } from '../../src/report/contrast.js';
import { summaryJson } from '../../src/report/model.js';
import { parseStudy } from '../../src/study/schema.js';
import { expandTrials } from '../../src/study/expand.js';
import { fakeRun, trialResult } from './trial-results.js';

// A 2 x 2 design: breadth (narrow, broad) x objective (sft, rl), as in the continuum study.
const parts = [
  {
    name: 'arms',
    recipe: {
      model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 },
      stages: [{ objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 10 }, batchSize: 4 }],
    },
    sweep: {
      axes: {
        'stages[0].batchSize': { name: 'breadth', labels: ['narrow', 'broad'], values: [4, 8] },
        'stages[0].schedule.lr': { name: 'objective', labels: ['sft', 'rl'], values: [0.001, 0.0003] },
      },
    },
  },
];
const measure = { eval: { split: 'test', metric: 'exact' } };
const contrast = {
  part: 'arms',
  text: 'The breadth effect is larger than the label effect',
  label: 'accuracy on unseen tables',
  measure,
  axis: 'breadth',
  a: 'narrow',
  b: 'broad',
  direction: 'increase',
  than: { axis: 'objective', a: 'sft', b: 'rl', label: 'the label effect (RL - SFT)' },
};
const study = (claims: unknown[]) => parseStudy({ name: 's', seeds: [1, 2, 3, 4], parts, claims });

/** accuracy = base + breadth gain + label gain, with a per-seed wobble; the label gain is negative here. */
function results(breadthGain: (seed: number) => number, labelGain: (seed: number) => number) {
  const out = [];
  for (const seed of [1, 2, 3, 4]) {
    for (const breadth of ['narrow', 'broad']) {
      for (const objective of ['sft', 'rl']) {
        const value = 0.2 + 0.01 * seed + (breadth === 'broad' ? breadthGain(seed) : 0) + (objective === 'rl' ? labelGain(seed) : 0);
        out.push(trialResult({ part: 'arms', axes: { breadth, objective }, seed, evals: [{ value }] }));
      }
    }
  }
  return out;
}

describe('a contrast of two effects', () => {
  it('per seed, the effect averages the free axis: the main effect of breadth over both objectives', () => {
    const r = results((s) => 0.5 + 0.01 * s, () => -0.1);
    const byseed = effectBySeed(r, { part: 'arms', axis: 'breadth', a: 'narrow', b: 'broad', where: {} }, study([contrast]).claims[0].measure);
    expect([...byseed.keys()]).toEqual([1, 2, 3, 4]);
    for (const [seed, d] of byseed) expect(d).toBeCloseTo(0.5 + 0.01 * seed, 12);
  });

  it('the contrast is own effect - |other effect| per seed, held when its interval is above 0, in finding and summary.json', () => {
    // Breadth +0.5ish, label -0.1ish: the label's size counts whichever way it goes.
    const report = buildReport(study([contrast]), fakeRun, results((s) => 0.5 + 0.02 * s, (s) => -0.1 - 0.01 * s));
    const c = report.comparisons[0];
    const perSeed = [1, 2, 3, 4].map((s) => 0.5 + 0.02 * s - (0.1 + 0.01 * s));
    expect(c.difference.mean).toBeCloseTo(perSeed.reduce((x, y) => x + y) / 4, 12);
    expect(c.difference.n).toBe(4);
    expect(c.verdict).toBe('held');
    expect(c.b).toBe('breadth: narrow -> broad');
    expect(c.a).toBe('|the label effect (RL - SFT)|');
    expect(report.finding).toContain('their contrast is 0.425');
    expect(report.finding).toContain('(breadth: narrow -> broad, against the label effect (RL - SFT): objective: sft -> rl)');
    expect(report.tables![0].rows.map((row) => row[0])).toEqual(['|the label effect (RL - SFT)|', 'breadth: narrow -> broad']);
    const json = JSON.parse(summaryJson(report));
    expect(json.comparisons[0].verdict).toBe('held');
  });

  it('not held when the other effect is the larger, and inconclusive when the two are about equal', () => {
    const larger = buildReport(study([contrast]), fakeRun, results((s) => 0.05 + 0.01 * s, (s) => 0.4 + 0.02 * s));
    expect(larger.comparisons[0].verdict).toBe('not_held');
    const equal = buildReport(study([contrast]), fakeRun, results((s) => 0.3 + (s % 2 ? 0.02 : -0.02), () => 0.3));
    expect(equal.comparisons[0].verdict).toBe('inconclusive');
  });

  it("a claimed decrease signs the own effect: a fall in loss is a positive effect", () => {
    const decrease = { ...contrast, direction: 'decrease' };
    const report = buildReport(study([decrease]), fakeRun, results((s) => -0.15 - 0.01 * s, () => 0.05));
    expect(report.comparisons[0].verdict).toBe('held');
    expect(report.comparisons[0].difference.mean).toBeCloseTo(0.1 + 0.025, 12);
    expect(report.comparisons[0].b).toBe('breadth: narrow -> broad, a decrease');
  });

  it('with a ceiling under 0.8 the contrast is inconclusive, with the reason', () => {
    const ranged = { ...contrast, floor: 0.2, ceiling: { where: { breadth: 'broad', objective: 'sft' }, label: 'broad SFT' } };
    // broad SFT scores 0.2 + 0.01 s + 0.3: about 0.53, below 0.8.
    const report = buildReport(study([ranged]), fakeRun, results(() => 0.3, () => 0.01));
    expect(report.comparisons[0].verdict).toBe('inconclusive');
    expect(report.comparisons[0].miscalibration).toMatch(/mis-calibrated/);
  });

  it('no seed with both effects measured: inconclusive and unmeasured, with why', () => {
    const some = results(() => 0.5, () => 0.1).filter((t) => t.axes.objective === 'sft');
    const report = buildReport(study([contrast]), fakeRun, some);
    expect(report.comparisons).toHaveLength(0);
    expect(report.unmeasured![0].reason).toMatch(/no seed measured both sides of both effects/);
  });

  it('a study file naming an axis or arm the part lacks, or measureA with a contrast, is refused with the field', () => {
    const bad = (than: unknown, extra: object = {}) => () => expandTrials(study([{ ...contrast, ...extra, than }]));
    expect(bad({ axis: 'label', a: 'sft', b: 'rl', label: 'x' })).toThrow(/claims\[0\]\.than\.axis: got "label"/);
    expect(bad({ axis: 'objective', a: 'sft', b: 'ppo', label: 'x' })).toThrow(/claims\[0\]\.than\.b: got ppo; the axis objective has sft, rl/);
    expect(bad(contrast.than, { measureA: measure })).toThrow(/claims\[0\]\.than: a contrast reads both effects on the claim's measure; remove measureA/);
  });
});
