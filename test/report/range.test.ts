/**
 * A claim's floor and ceiling in a report: the difference as a share of ceiling - floor, a positive control below
 * 0.8 (or never reaching a count's threshold) making the claim inconclusive with that reason, and the floor and
 * ceiling drawn on the claim's chart and written to summary.json.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { summaryJson } from '../../src/report/model.js';
import { CEILING_MIN, claimRange, intervalScale } from '../../src/report/range.js';
import { ClaimSchema, MeasureSchema } from '../../src/report/spec.js';
import { meanCI } from '../../src/stats/stats.js';
import { parseStudy } from '../../src/study/schema.js';
import { fakeRun, trialResult } from './trial-results.js';

// Part `arms` compares M = 1 with M = 16; part `control` trains on the target itself (no axes).
const study = (claims: unknown[]) =>
  parseStudy({
    name: 's',
    parts: [
      { name: 'arms', recipe: {}, sweep: { axes: { 'stages[0].batchSize': { name: 'M', values: [1, 16] } } } },
      { name: 'control', recipe: {}, sweep: { axes: {} } },
    ],
    claims,
  });

const claim = { part: 'arms', text: 'More is better', label: 'accuracy', measure: { eval: { split: 'test', metric: 'exact' } }, axis: 'M', a: 1, b: 16, direction: 'increase' };
const withRange = { ...claim, floor: { value: 0.25, label: 'chance among those shown' }, ceiling: { part: 'control', label: 'trained on the target' } };

/** Three seeds per arm: M = 1 near 0.3, M = 16 near 0.7, and the control at `ceiling`. */
function results(ceiling: number[]) {
  const acc = (value: number) => [{ value }];
  return [
    ...[1, 2, 3].map((s) => trialResult({ part: 'arms', axes: { M: 1 }, seed: s, evals: acc(0.3 + s * 0.01) })),
    ...[1, 2, 3].map((s) => trialResult({ part: 'arms', axes: { M: 16 }, seed: s, evals: acc(0.7 - s * 0.02) })),
    ...ceiling.map((v, i) => trialResult({ part: 'control', axes: {}, seed: i + 1, evals: acc(v) })),
  ];
}

describe('floor, ceiling and share', () => {
  it('the difference as a share of ceiling - floor, in the comparison, the finding, the table and summary.json', () => {
    const report = buildReport(study([withRange]), fakeRun, results([0.9, 0.92, 0.94]));
    const c = report.comparisons[0];
    const diff = (0.7 - 0.04) - 0.32; // means of the two arms
    expect(c.difference.mean).toBeCloseTo(diff, 12);
    expect(c.floor).toMatchObject({ value: 0.25, label: 'chance among those shown', source: 'value' });
    expect(c.ceiling!.value).toBeCloseTo(0.92, 12);
    expect(c.ceiling).toMatchObject({ source: 'arm', part: 'control', label: 'trained on the target', seeds: [1, 2, 3] });
    expect(c.share).toBeCloseTo(diff / (0.92 - 0.25), 12);
    expect(c.shareInterval![0]).toBeCloseTo(c.difference.lo / 0.67, 12);
    expect(c.shareInterval![1]).toBeCloseTo(c.difference.hi / 0.67, 12);
    expect(c.miscalibration).toBeNull();
    expect(c.verdict).toBe('held');
    expect(c.claim).toEqual({ index: 0, text: 'More is better', part: 'arms' });
    expect(report.finding).toContain(`the difference is ${Math.round((diff / 0.67) * 100)}%`);
    // Where each arm stands in the range: M = 16 at (0.66 - 0.25) / 0.67, M = 1 at (0.32 - 0.25) / 0.67.
    expect(report.finding).toContain(`of the range from floor to ceiling (M = 16 stands at ${Math.round(((0.66 - 0.25) / 0.67) * 100)}% of it, M = 1 at ${Math.round(((0.32 - 0.25) / 0.67) * 100)}%)`);
    expect(report.tables![0].note).toMatch(/^Floor 0\.250 \(chance among those shown\), ceiling 0\.920 \[[^\]]+\] \(trained on the target\): the difference is \d+% \[/);
    const json = JSON.parse(summaryJson(report));
    expect(json.comparisons[0].share).toBeCloseTo(diff / 0.67, 12);
    expect(json.comparisons[0].floor.value).toBe(0.25);
    expect(json.comparisons[0].ceiling.value).toBeCloseTo(0.92, 12);
  });

  it('a positive control below 0.8 makes a clear difference inconclusive, with the reason in the finding', () => {
    const report = buildReport(study([withRange]), fakeRun, results([0.5, 0.6, 0.7]));
    const c = report.comparisons[0];
    expect(c.difference.lo).toBeGreaterThan(0); // the difference alone would say held
    expect(c.verdict).toBe('inconclusive');
    expect(report.verdict).toBe('inconclusive');
    expect(c.miscalibration).toMatch(/^mis-calibrated: the positive control \(trained on the target\) reached only 0\.600 \(< 0\.8\)/);
    expect(report.finding).toContain('reached only 0.600 (< 0.8)');
    expect(CEILING_MIN).toBe(0.8);
  });

  it('a ceiling at exactly 0.8 is calibrated; one with no finished trial is not', () => {
    expect(buildReport(study([withRange]), fakeRun, results([0.8, 0.8, 0.8])).comparisons[0].verdict).toBe('held');
    const none = buildReport(study([withRange]), fakeRun, results([]));
    expect(none.comparisons[0].verdict).toBe('inconclusive');
    expect(none.comparisons[0].ceiling).toBeNull();
    expect(none.comparisons[0].miscalibration).toMatch(/has no finished trial with its measure/);
  });

  it('a ceiling not beyond the floor leaves no range: no share, and the claim is inconclusive with that reason', () => {
    // Rates are checked against 0.8 first; a loss (no 0.8 rule) shows the range check alone.
    const lossClaim = { ...withRange, measure: { last: 'train/loss' }, direction: 'decrease', floor: 2.3 };
    const loss = (part: string, axes: Record<string, unknown>, s: number, v: number) => trialResult({ part, axes, seed: s, series: { 'train/loss': [{ step: 10, value: v }] } });
    const rows = (control: number) => [
      ...[1, 2, 3].map((s) => loss('arms', { M: 1 }, s, 2.0 + s / 100)),
      ...[1, 2, 3].map((s) => loss('arms', { M: 16 }, s, 1.0 + s / 50)),
      ...[1, 2, 3].map((s) => loss('control', {}, s, control)),
    ];
    const fine = buildReport(study([lossClaim]), fakeRun, rows(0.5)).comparisons[0];
    expect(fine.verdict).toBe('held');
    expect(fine.share).toBeCloseTo((1.04 - 2.02) / (0.5 - 2.3), 12);
    const inverted = buildReport(study([lossClaim]), fakeRun, rows(2.5)).comparisons[0];
    expect(inverted.share).toBeNull();
    expect(inverted.verdict).toBe('inconclusive');
    expect(inverted.miscalibration).toBe('mis-calibrated: the ceiling (trained on the target, 2.500) is not below the floor (floor, 2.300), so there is no range for the effect to be a share of');
  });

  it('a claim without floor or ceiling is judged as before, with null range fields', () => {
    const c = buildReport(study([claim]), fakeRun, results([0.1])).comparisons[0];
    expect(c.verdict).toBe('held');
    expect([c.floor, c.ceiling, c.share, c.miscalibration]).toEqual([null, null, null, null]);
  });

  it('a measured floor (an arm without the mechanism) and a decreasing claim give a positive share', () => {
    const lossClaim = { ...claim, direction: 'decrease', floor: { where: { M: 1 } }, ceiling: { part: 'control' } };
    // Lower is better here (an error rate): M = 1 is the floor (0.3x); the control comes down to 0.1; M = 16 sits at 0.2.
    const rows = [
      ...[1, 2, 3].map((s) => trialResult({ part: 'arms', axes: { M: 1 }, seed: s, evals: [{ value: 0.3 + s * 0.01 }] })),
      ...[1, 2, 3].map((s) => trialResult({ part: 'arms', axes: { M: 16 }, seed: s, evals: [{ value: 0.2 + s * 0.005 }] })),
      ...[1, 2, 3].map((s) => trialResult({ part: 'control', axes: {}, seed: s, evals: [{ value: 0.1 - s * 0.001 }] })),
    ];
    const c = buildReport(study([lossClaim]), fakeRun, rows).comparisons[0];
    expect(c.floor!.value).toBeCloseTo(0.32, 12);
    expect(c.floor!.label).toBe('floor (M = 1)');
    expect(c.share).toBeCloseTo((0.21 - 0.32) / (0.098 - 0.32), 12);
    expect(c.share).toBeGreaterThan(0);
    expect(c.verdict).toBe('held');
    // The same control at 0.3 has not learned the target: for a claimed decrease the control must reach <= 0.2.
    const weak = rows.map((r) => (r.part === 'control' ? { ...r, evals: r.evals.map((e) => ({ ...e, value: 0.3 })) } : r));
    expect(buildReport(study([lossClaim]), fakeRun, weak).comparisons[0].miscalibration).toMatch(/came down only to 0\.300 \(> 0\.2\)/);
  });

  it('a ceiling measured in other units checks the instrument but gives no share', () => {
    const countClaim = {
      ...claim,
      direction: 'decrease',
      measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5 } },
      ceiling: { part: 'control', measure: { eval: { split: 'test', metric: 'exact' } } },
      floor: 1000,
    };
    const range = claimRange(ClaimSchema.parse(countClaim), { mean: -100, lo: -150, hi: -50, level: 0.95, n: 3, method: 't' }, results([0.95, 0.9, 0.85]));
    expect(range.ceiling!.value).toBeCloseTo(0.9, 12);
    expect(range.share).toBeNull();
    expect(range.miscalibration).toBeNull();
    const low = claimRange(ClaimSchema.parse(countClaim), { mean: -100, lo: -150, hi: -50, level: 0.95, n: 3, method: 't' }, results([0.3, 0.2, 0.4]));
    expect(low.miscalibration).toMatch(/reached only 0\.300/);
  });

  it('a loss on unseen genres takes the reference learners on the same documents as floor and ceiling, with a share', () => {
    const genre = (metric: string) => ({ eval: { split: 'genre-loss', metric } });
    const lossClaim = ClaimSchema.parse({
      ...claim,
      direction: 'decrease',
      measure: genre('loss'),
      floor: { part: 'control', measure: genre('unigram') },
      ceiling: { part: 'control', measure: genre('bayes') },
    });
    const row = (metric: string, value: number) => ({ suite: 'genreLoss' as const, split: 'unseen', metric, value });
    const trials = [1, 2, 3].map((s) => trialResult({ part: 'control', axes: {}, seed: s, evals: [row('loss', 0.9), row('unigram', 1.12), row('bayes', 0.83)] }));
    const range = claimRange(lossClaim, { mean: -2.2, lo: -2.3, hi: -2.1, level: 0.95, n: 3, method: 't' }, trials);
    expect(range.floor!.value).toBeCloseTo(1.12, 12);
    expect(range.ceiling!.value).toBeCloseTo(0.83, 12);
    expect(range.share).toBeCloseTo(-2.2 / (0.83 - 1.12), 12);
    expect(range.miscalibration).toBeNull();
  });

  it('a count ceiling that never reaches its threshold is mis-calibrated', () => {
    const countClaim = ClaimSchema.parse({ ...claim, direction: 'decrease', measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5 } }, ceiling: { part: 'control' } });
    const curve = (top: number) => ({ 'eval/test_acc': [{ step: 10, value: 0.1 }, { step: 20, value: top }] });
    const control = (tops: number[]) => tops.map((top, i) => trialResult({ part: 'control', axes: {}, seed: i + 1, series: curve(top) }));
    const d = { mean: -1, lo: -2, hi: -0.5, level: 0.95, n: 3, method: 't' as const };
    expect(claimRange(countClaim, d, control([0.9, 0.9, 0.9])).miscalibration).toBeNull();
    expect(claimRange(countClaim, d, control([0.9, 0.4, 0.9])).miscalibration).toMatch(/did not reach the threshold in 1 of 3 trial\(s\)/);
  });

  it("a count ceiling's check: the positive control must also reach 0.8 on a rate, and the share is still in examples", () => {
    const countClaim = ClaimSchema.parse({
      ...claim,
      direction: 'decrease',
      measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5 } },
      floor: 1000,
      ceiling: { part: 'control', check: { last: 'eval/test_acc' } },
    });
    // Each control reaches 0.5 by step 15 (batch 8: 120 examples) and ends at `end`.
    const curve = (end: number) => ({ 'eval/test_acc': [{ step: 10, value: 0.4 }, { step: 20, value: 0.6 }, { step: 30, value: end }] });
    const control = (end: number) => [1, 2, 3].map((s) => trialResult({ part: 'control', axes: {}, seed: s, series: curve(end) }));
    const d = { mean: -10, lo: -15, hi: -5, level: 0.95, n: 3, method: 't' as const };
    const good = claimRange(countClaim, d, control(0.9));
    expect(good.ceiling!.value).toBeCloseTo(120, 9);
    expect(good.ceiling!.check).toEqual({ value: expect.closeTo(0.9, 12), values: [0.9, 0.9, 0.9] });
    expect(good.miscalibration).toBeNull();
    expect(good.share).toBeCloseTo(-10 / (120 - 1000), 12);
    expect(claimRange(countClaim, d, control(0.6)).miscalibration).toMatch(/reached only 0\.600 \(< 0\.8\) on its check/);
  });

  it('the claim chart draws the floor and the ceiling as dashed rules, and summary.json carries their rows', () => {
    const report = buildReport(study([withRange]), fakeRun, results([0.9, 0.92, 0.94]));
    const plot = report.plots.find((p) => p.name.startsWith('claim1'))!;
    type Layer = { mark?: { type: string }; layer?: Layer[] };
    const marks = (l: Layer): string[] => [...(l.mark ? [l.mark.type] : []), ...(l.layer ?? []).flatMap(marks)];
    expect(marks(plot.spec as Layer).filter((m) => m === 'rule')).toHaveLength(1);
    expect(plot.caption).toContain('Dashed lines: the floor');
    const data = JSON.parse(summaryJson(report)).plots.find((p: { name: string }) => p.name === plot.name).data;
    const rules = data.filter((r: { rule?: string }) => r.rule);
    expect(rules.map((r: { y: number }) => r.y)).toEqual([0.25, expect.closeTo(0.92, 12)]);
  });
});

describe('interval scales', () => {
  const scaleOf = (measure: unknown) => intervalScale(MeasureSchema.parse(measure));
  it('rates on the logit scale, counts and losses on the log scale, loss differences and the rest linear', () => {
    expect(scaleOf({ eval: { split: 'test', metric: 'exact' } })).toBe('rate');
    expect(scaleOf({ examplesTo: { tag: 'eval/test_acc', threshold: 0.8 } })).toBe('positive');
    expect(scaleOf({ eval: { split: 'context-loss', family: 'icl/lookup', domain: 'icl', metric: 'loss|k=4' } })).toBe('positive');
    expect(scaleOf({ eval: { split: 'genre-loss', metric: 'bayes|k=256', suite: 'genreLoss' } })).toBe('positive');
    expect(scaleOf({ last: 'eval/val_loss' })).toBe('positive');
    expect(scaleOf({ mean: 'train/loss' })).toBe('positive');
    expect(scaleOf({ last: 'eval/icl_score' })).toBe('linear'); // a loss difference: either sign
    expect(scaleOf({ eval: { split: 'test', metric: 'lossless' } })).toBe('linear');
  });

  it("a loss arm's interval stays above 0, where a linear t interval over 3 seeds would not", () => {
    const lossClaim = { ...claim, label: 'answer loss', measure: { eval: { split: 'context-loss', metric: 'loss|k=4' } }, direction: 'decrease' };
    const loss = (value: number) => [{ split: 'test', suite: 'contextLoss' as const, metric: 'loss', x: 4, value }];
    const values = [0.05, 0.08, 1.9];
    const report = buildReport(study([lossClaim]), fakeRun, [
      ...[1, 2, 3].map((s) => trialResult({ part: 'arms', axes: { M: 1 }, seed: s, evals: loss(2 + s / 10) })),
      ...[1, 2, 3].map((s) => trialResult({ part: 'arms', axes: { M: 16 }, seed: s, evals: loss(values[s - 1]) })),
    ]);
    const arm = report.arms.find((a) => a.arm === '16')!;
    expect(arm.values).toEqual(values);
    expect(meanCI(values).lo).toBeLessThan(0);
    expect(arm.ci.method).toBe('log-t');
    expect(arm.ci.lo).toBeGreaterThan(0);
    expect(report.comparisons[0].difference.method).toBe('t'); // a difference of losses keeps either sign
  });
});
