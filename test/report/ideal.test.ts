/**
 * The ideal learner beside a count: the ideal counts of the shipped tasks (lookup in weights and in context, a
 * group table), and a claim's `ideal` turned into each arm's ratio in the comparison, the finding, the claim's
 * table and summary.json.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { formatRatio, groupTableFacts, idealFor, idealRatio, lookupInContext, lookupInWeights } from '../../src/report/ideal.js';
import { reportHtml } from '../../src/report/html.js';
import { summaryJson } from '../../src/report/model.js';
import { ClaimSchema } from '../../src/report/spec.js';
import { parseStudy } from '../../src/study/schema.js';
import { fakeRun, trialResult } from './trial-results.js';

describe('ideal learners', () => {
  it('a 4-key table in weights: two distinct keys reach 50% (0.5 + 0.5 * 0.1), expected 1 + 4/3 draws', () => {
    const r = lookupInWeights(4, 9, 0.5);
    expect(r.distinct).toBe(2);
    expect(r.examples).toBeCloseTo(1 + 4 / 3, 12);
    // One key of four gives 0.25 + 0.75 * 0.1 = 0.325, enough for a threshold of 0.3.
    expect(lookupInWeights(4, 9, 0.3)).toEqual({ distinct: 1, examples: 1 });
    // Every key: the full coupon collector, 4 (1 + 1/2 + 1/3 + 1/4).
    expect(lookupInWeights(4, 9, 1).examples).toBeCloseTo(4 * (1 + 1 / 2 + 1 / 3 + 1 / 4), 12);
    // A threshold chance already meets needs nothing.
    expect(lookupInWeights(4, 9, 0.05)).toEqual({ distinct: 0, examples: 0 });
  });

  it('in context the query asks a shown key: one demonstration; a group table: one row', () => {
    expect(lookupInContext(9, 0.5)).toBe(1);
    expect(lookupInContext(1, 0.5)).toBe(0);
    expect(groupTableFacts(23)).toBe(23);
  });

  it('per-arm ideals, ratios and their format', () => {
    const perArm = { arms: { 'in-weights': { value: 2, label: 'w' } } };
    expect(idealFor(perArm, 'in-weights')).toEqual({ value: 2, label: 'w' });
    expect(idealFor(perArm, 'in-context')).toBeNull();
    expect(idealFor({ value: 3, label: 'all' }, 'anything')!.value).toBe(3);
    expect(idealFor(undefined, 'a')).toBeNull();
    expect(idealRatio({ mean: 100, lo: -10, hi: 200 }, { value: 4, label: 'x' })).toEqual({ ideal: 4, label: 'x', ratio: 25, lo: 0, hi: 50 });
    expect(idealRatio({ mean: 8, lo: -Infinity, hi: Infinity }, { value: 4, label: 'x' })).toMatchObject({ ratio: 2, lo: null, hi: null });
    expect(formatRatio(43.4)).toBe('43×');
    expect(formatRatio(1.234)).toBe('1.2×');
    expect(() => ClaimSchema.parse({ text: 't', label: 'l', measure: { last: 'x' }, axis: 'M', a: 1, b: 2, direction: 'increase', ideal: { value: 0, label: 'z' } })).toThrow();
  });

  it("a claim's ideal in the comparison, the finding, the table and summary.json", () => {
    const study = parseStudy({
      name: 's',
      parts: [{ name: 'main', recipe: {}, sweep: { axes: { 'stages[0].batchSize': { name: 'learner', values: [1, 2], labels: ['slow', 'fast'] } } } }],
      claims: [
        {
          text: 'Fast needs fewer',
          label: 'examples to 50%',
          measure: { last: 'count' },
          axis: 'learner',
          a: 'slow',
          b: 'fast',
          direction: 'decrease',
          ideal: { arms: { slow: { value: 2, label: 'two keys' }, fast: { value: 1, label: 'one demonstration' } } },
        },
      ],
    });
    const count = (v: number) => ({ count: [{ step: 1, value: v }] });
    const results = [
      ...[1, 2, 3].map((s) => trialResult({ axes: { learner: 'slow' }, seed: s, series: count(100 + 10 * s) })),
      ...[1, 2, 3].map((s) => trialResult({ axes: { learner: 'fast' }, seed: s, series: count(2 + s) })),
    ];
    const report = buildReport(study, fakeRun, results);
    const c = report.comparisons[0];
    expect(c.ideal!.a!.ratio).toBeCloseTo(120 / 2, 12);
    expect(c.ideal!.b!.ratio).toBeCloseTo(4 / 1, 12);
    expect(c.ideal!.a!.lo).toBeLessThan(60);
    expect(report.finding).toContain('An ideal learner needs 1 at learner = fast (one demonstration), where the model takes 4× [1.5×, 6.5×] that');
    expect(report.finding).toContain('and 2 at learner = slow (two keys), where the model takes 60× [48×, 72×] that.');
    const t = report.tables![0];
    expect(t.columns).toEqual(['learner', 'seeds', 'mean', 'CI low', 'CI high', 'ideal learner', 'model / ideal', 'note']);
    expect(t.rows.find((r) => r[0] === 'slow')!.slice(5, 7)).toEqual([2, 60]);
    const json = JSON.parse(summaryJson(report));
    expect(json.comparisons[0].ideal.b).toMatchObject({ ideal: 1, label: 'one demonstration' });
    expect(json.comparisons[0].ideal.b.ratio).toBeCloseTo(4, 12);
    const html = reportHtml(report, {});
    expect(html).toContain('<th>model / ideal learner</th>');
    expect(html).toContain('fast: 4× of 1; slow: 60× of 2');
  });
});
