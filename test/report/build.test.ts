/** Reports from synthetic trial results: arms, comparisons, verdicts and per-arm measures, with no training. */
import { describe, expect, it } from 'vitest';
import type { EvalRow, Trial } from '../../src/store/run-store.js';
import { buildReport } from '../../src/report/build.js';
import { measureOf, type TrialResult } from '../../src/report/results.js';
import { fromPackedColumns } from '../../src/measure/evals.js';
import { mean, meanCI, rateCI, std, studentTQuantile } from '../../src/stats/stats.js';
import { parseStudy } from '../../src/study/schema.js';
import { trialResult } from './trial-results.js';

function result(axes: Record<string, unknown>, seed: number, evals: Partial<EvalRow>[], series: Record<string, { step: number; value: number }[]> = {}, status: Trial['status'] = 'done'): TrialResult {
  return trialResult({ axes, seed, evals, series, status });
}

const study = (claims: unknown[]) =>
  parseStudy({ name: 's', recipe: {}, sweep: { axes: { 'stages[0].batchSize': { name: 'M', values: [1, 16] } } }, claims });

const claim = { text: 'More is better', label: 'accuracy', measure: { eval: { split: 'test', metric: 'exact' } }, axis: 'M', a: 1, b: 16, direction: 'increase' };
const run = { id: 'r', study: 's', spec: {}, status: 'done' as const, createdAt: '', startedAt: null, finishedAt: null, verdict: null };

describe('study reports', () => {
  it('a clear increase over seeds is held, with the numbers in the finding; a failed trial is left out and noted', () => {
    const results = [
      ...[1, 2, 3].map((s) => result({ M: 1 }, s, [{ value: 0.1 + s * 0.01 }])),
      ...[1, 2, 3].map((s) => result({ M: 16 }, s, [{ value: 0.9 - s * 0.01 }])),
      result({ M: 16 }, 4, [], {}, 'failed'),
    ];
    const report = buildReport(study([claim]), run, results);
    expect(report.verdict).toBe('held');
    expect(report.arms.map((a) => [a.arm, a.values])).toEqual([
      ['1', [1, 2, 3].map((s) => 0.1 + s * 0.01)],
      ['16', [1, 2, 3].map((s) => 0.9 - s * 0.01)],
    ]);
    expect(report.comparisons[0].difference.mean).toBeCloseTo(0.76, 12);
    expect(report.finding).toContain('0.880');
    expect(report.finding).toContain('held');
    expect(report.notes!.some((n) => n.includes('failed and is left out: TrainingDivergedError'))).toBe(true);
    expect(report.run.trials).toEqual({ done: 6, failed: 1, total: 7 });
  });

  it('a confident decrease is not held, and one not-held claim makes the study not held', () => {
    const results = [...[1, 2, 3].map((s) => result({ M: 1 }, s, [{ value: 0.8 + s * 0.01 }])), ...[1, 2, 3].map((s) => result({ M: 16 }, s, [{ value: 0.2 + s * 0.02 }]))];
    expect(buildReport(study([claim]), run, results).verdict).toBe('not_held');
    const flipped = { ...claim, direction: 'decrease' };
    const both = buildReport(study([claim, flipped]), run, results);
    expect(both.comparisons.map((c) => c.verdict)).toEqual(['not_held', 'held']);
    expect(both.verdict).toBe('not_held');
  });

  it('two seeds, or seeds that all differ by the same amount, give no verdict, and the finding says why', () => {
    // Both seeds gain one problem in 128: a t interval of width 0, [0.0078, 0.0078], which read as "held".
    const gain = (seeds: number[]) => seeds.flatMap((s) => [result({ M: 1 }, s, [{ value: s / 8 }]), result({ M: 16 }, s, [{ value: s / 8 + 1 / 128 }])]);
    const two = buildReport(study([claim]), run, gain([1, 2]));
    expect(two.comparisons[0].difference.lo).toBeCloseTo(1 / 128, 12);
    expect(two.verdict).toBe('inconclusive');
    expect(two.finding).toMatch(/only 2 seeds measured the difference; a verdict needs 3 -> inconclusive/);
    const three = buildReport(study([claim]), run, gain([1, 2, 3]));
    expect(three.verdict).toBe('inconclusive');
    expect(three.finding).toMatch(/every seed gave the same difference, 0\.008: with zero variance the interval has width 0, which is not certainty -> inconclusive/);
  });

  it('an arm without finished trials gives an inconclusive verdict, not a crash', () => {
    const results = [1, 2].map((s) => result({ M: 1 }, s, [{ value: 0.5 }]));
    const report = buildReport(study([claim]), run, results);
    expect(report.verdict).toBe('inconclusive');
    expect(report.finding).toContain('More is better: not measured, no trial has M = 16 -> inconclusive.');
    expect(report.unmeasured).toEqual([{ claim: 'More is better', cause: 'no data', reason: 'no trial has M = 16' }]);
  });

  it('an arm whose trials all failed makes the claim unmeasured, naming the failure; unfinished trials are told apart', () => {
    const results = [...[1, 2, 3].map((s) => result({ M: 1 }, s, [{ value: 0.5 }])), ...[1, 2].map((s) => result({ M: 16 }, s, [], {}, 'failed'))];
    const report = buildReport(study([claim]), run, results);
    expect(report.verdict).toBe('inconclusive');
    const reason = 'all 2 trials of M = 16 failed (main/{"M":16}/1: TrainingDivergedError: the loss is NaN)';
    expect(report.unmeasured).toEqual([{ claim: 'More is better', cause: 'failed', reason }]);
    expect(report.finding).toContain(`More is better: not measured, ${reason} -> inconclusive.`);
    const interrupted = buildReport(study([claim]), run, [...results.slice(0, 3), result({ M: 16 }, 1, [], {}, 'failed'), result({ M: 16 }, 2, [], {}, 'running')]);
    expect(interrupted.unmeasured).toEqual([{ claim: 'More is better', cause: 'unfinished', reason: '1 of the 2 trials of M = 16 did not finish' }]);
    // A measured claim is not listed, whatever failed beside it.
    const measured = buildReport(study([claim]), run, [...results, ...[1, 2, 3].map((s) => result({ M: 16 }, s + 2, [{ value: 0.6 }]))]);
    expect(measured.unmeasured).toEqual([]);
  });

  it('per-arm measures compare one arm measured two ways, paired by seed', () => {
    const curve = (k: number, v: number) => ({ suite: 'iclCurve' as const, split: 'test', family: 'icl/lookup', domain: 'icl', metric: 'score', x: k, value: v });
    const results = [1, 2, 3].map((s) => result({ M: 16 }, s, [curve(0, 0.1), curve(4, 0.6 + s / 100)]));
    const twoWays = {
      ...claim,
      a: 16,
      // Study files name a curve's point either way: with columns, or packed as schema-1 stores wrote them.
      measureA: { eval: { suite: 'iclCurve', split: 'test', family: 'icl/lookup', domain: 'icl', metric: 'score', x: 0 } },
      measureB: { eval: { split: 'icl-curve', family: 'icl/lookup', domain: 'icl', metric: 'score|k=4' } },
    };
    const report = buildReport(study([twoWays]), run, results);
    expect(report.arms.map((a) => a.arm)).toEqual(['16 (a)', '16 (b)']);
    expect(report.comparisons[0].difference.mean).toBeCloseTo(0.52, 12);
    expect(report.verdict).toBe('held');
  });

  it('examples to threshold interpolate within a stage; not reached counts the stage budget as a lower bound', () => {
    // Stage 1 starts after 100 steps; 4 examples per step.
    const t = result({ M: 1 }, 1, [], { 'eval/test_acc': [{ step: 50, value: 0.9 }, { step: 110, value: 0.2 }, { step: 120, value: 0.6 }, { step: 120, value: 0.4 }, { step: 130, value: 0.8 }] });
    // The repeated step 120 (a resumed trial) keeps the last value, 0.4, so 0.5 is crossed a quarter of the way
    // from stage step 20 (80 examples) to 30 (120 examples): 90 examples. Stage -1 is the last stage, the same one.
    expect(measureOf(t, { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 1 } })).toEqual({ value: 90, reached: true });
    expect(measureOf(t, { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: -1 } })).toEqual({ value: 90, reached: true });
    // Stage 0 ends at step 100, so only its own point (step 50, 400 examples) counts, already above 0.5: the
    // crossing came at most 400 examples in, an upper bound.
    expect(measureOf(t, { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 0 } })).toEqual({ value: 400, reached: true, upperBound: true });
    // With the evaluation before training (step 0) the curve starts at 0 examples and the crossing is interpolated.
    const fromZero = result({ M: 1 }, 1, [], { 'eval/test_acc': [{ step: 0, value: 0.1 }, { step: 50, value: 0.9 }] });
    expect(measureOf(fromZero, { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 0 } })).toEqual({ value: 200, reached: true });
    expect(measureOf(t, { examplesTo: { tag: 'eval/test_acc', threshold: 0.95, stage: 1 } })).toEqual({ value: 120, reached: false });
    expect(measureOf(t, { mean: 'eval/test_acc', stage: 1 })!.value).toBeCloseTo((0.2 + 0.4 + 0.8) / 3, 12);
    expect(measureOf(t, { last: 'eval/missing' })).toBeNull();
  });

  it('a crossing before the first evaluation is an upper bound: the table, the chart and the finding say so', () => {
    const early = { 'eval/test_acc': [{ step: 110, value: 0.7 }, { step: 120, value: 0.9 }] }; // stage 1 starts at step 100
    const late = (d: number) => ({ 'eval/test_acc': [{ step: 110, value: 0.1 }, { step: 120 + d, value: 0.2 }, { step: 140 + d, value: 0.8 }] });
    const results = [1, 2, 3].flatMap((s) => [result({ M: 1 }, s, [], late(s)), result({ M: 16 }, s, [], early)]);
    const fewer = { ...claim, measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 1 } }, direction: 'decrease' };
    const report = buildReport(study([fewer]), run, results);
    expect(report.arms[1].values).toEqual([40, 40, 40]); // 10 steps of 4 examples: the first evaluation
    expect(report.tables![0].rows[1][5]).toBe('3 past the threshold at the first evaluation (an upper bound)');
    expect(report.finding).toMatch(/3 trial\(s\) were already past the threshold at their first evaluation; their count is an upper bound/);
    const bars = (report.plots[0].spec as { data: { values: { group: string; note: string | null }[] } }).data.values;
    expect(bars.map((b) => b.note)).toEqual([null, '3/3 at or before the first evaluation']);
    // Both arms wholly upper bounds: no difference is measurable.
    const both = [1, 2, 3].flatMap((s) => [result({ M: 1 }, s, [], early), result({ M: 16 }, s, [], { 'eval/test_acc': [{ step: 105, value: 0.7 }] })]);
    expect(buildReport(study([fewer]), run, both).verdict).toBe('inconclusive');
    expect(buildReport(study([fewer]), run, both).finding).toMatch(/both arms were past the threshold at their first evaluation/);
  });

  it('two arms that both never reach the threshold are inconclusive, not "no difference"', () => {
    const flat = { 'eval/test_acc': [{ step: 120, value: 0.1 }, { step: 150, value: 0.2 }] };
    const results = [1, 2, 3].flatMap((s) => [result({ M: 1 }, s, [], flat), result({ M: 16 }, s, [], flat)]);
    const fewer = { ...claim, measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 1 } }, direction: 'decrease' };
    const report = buildReport(study([fewer]), run, results);
    expect(report.arms.map((a) => a.ci.mean)).toEqual([200, 200]); // the stage budget: 50 steps of 4 examples
    expect(report.comparisons[0].difference.mean).toBe(0);
    expect(report.verdict).toBe('inconclusive');
    expect(report.finding).toMatch(/neither arm reached the threshold/);
  });

  it('a count chart marks arms that never reached the threshold; counts get intervals on the log scale, above 0', () => {
    // Crossings at 6, 6 and 98 examples: a linear t interval over 3 seeds reaches below 0, where no count can lie.
    const reached = (d: number) => ({ 'eval/test_acc': [{ step: 101, value: 0.1 }, { step: 102 + d, value: 0.9 }] });
    const flat = { 'eval/test_acc': [{ step: 120, value: 0.1 }, { step: 150, value: 0.2 }] };
    const results = [1, 2, 3].flatMap((s) => [result({ M: 1 }, s, [], flat), result({ M: 16 }, s, [], reached(s === 3 ? 46 : 0))]);
    const fewer = { ...claim, measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 1 } }, direction: 'decrease' };
    const report = buildReport(study([fewer]), run, results);
    const bars = (report.plots[0].spec as { data: { values: { group: string; lo: number; note: string | null }[] } }).data.values;
    expect(bars.map((b) => [b.group, b.note])).toEqual([
      ['1', '3/3 not reached'],
      ['16', null],
    ]);
    expect(report.arms[1].values).toEqual([6, 6, 98]);
    expect(meanCI([6, 6, 98]).lo).toBeLessThan(0);
    const ci = report.arms[1].ci;
    expect(ci.method).toBe('log-t');
    expect(ci.mean).toBeCloseTo(110 / 3, 12);
    // By hand: a t interval of ln 6, ln 6, ln 98, mapped back; its upper end lies above the arithmetic mean.
    const z = [6, 6, 98].map(Math.log);
    const half = studentTQuantile(0.975, 2) * (std(z) / Math.sqrt(3));
    expect(ci.lo).toBeCloseTo(Math.exp(mean(z) - half), 9);
    expect(ci.hi).toBeCloseTo(Math.exp(mean(z) + half), 9);
    expect(ci.lo).toBeGreaterThan(0);
    expect(bars[1].lo).toBeCloseTo(ci.lo, 9);
    // The difference of two counts keeps either sign: a linear interval.
    expect(report.comparisons[0].difference.method).toBe('t');
    expect(report.plots[0].caption).toMatch(/not reached.*the true value is larger/);
  });

  it('pass@k gets one chart per problem set, with the model after an earlier stage as its own lines', () => {
    // Split names as schema-1 stores packed them, read into columns as the store's migration reads them.
    const pass = (packed: string, k: number, v: number) => ({ ...fromPackedColumns(packed, `pass@${k}`), family: '*', domain: '*', value: v });
    const results = [1, 2].flatMap((s) => [
      result({ M: 1 }, s, [pass('pass@k:test', 1, 0.5), pass('pass@k:test', 4, 0.7), pass('pass@k:test@warm-start', 1, 0.2), pass('pass@k:test@warm-start', 4, 0.6), pass('pass@k:heldout', 1, 0.1), pass('pass@k:heldout', 4, 0.3)]),
    ]);
    const report = buildReport(study([claim]), run, results);
    const charts = report.plots.filter((p) => p.name.startsWith('pass-at-k'));
    expect(charts.map((p) => p.title)).toEqual(['pass@k on test problems', 'pass@k on heldout problems']);
    const series = (i: number) => [...new Set((charts[i].spec as { data: { values: { series: string }[] } }).data.values.map((v) => v.series))];
    expect(series(0)).toEqual(['M=1', 'M=1 (after warm-start)']);
    expect(series(1)).toEqual(['M=1']);
  });

  it('two arms at the floor of a proportion (every trial 0) are inconclusive, not "no effect"', () => {
    const results = [1, 2, 3].flatMap((s) => [result({ M: 1 }, s, [{ value: 0 }]), result({ M: 16 }, s, [{ value: 0 }])]);
    const report = buildReport(study([claim]), run, results);
    expect(report.verdict).toBe('inconclusive');
    expect(report.finding).toMatch(/scored exactly 0, the floor of the measure/);
  });
});

describe('intervals of rates in reports', () => {
  it('the pass@k table gives rates an interval inside [0, 1], from the problems each was scored on', () => {
    const pass = (v: number) => ({ ...fromPackedColumns('pass@k:test', 'pass@8'), family: '*', domain: '*', value: v, n: 64 });
    const results = [1, 2, 3].map((s) => result({ M: 1 }, s, [pass([0.95, 1, 0.9][s - 1])]));
    const table = buildReport(study([claim]), run, results).tables!.find((t) => t.title.startsWith('pass@k'))!;
    const [row] = table.rows;
    const ci = rateCI([0.95, 1, 0.9], 0.95, 64);
    expect(row.slice(-3)).toEqual([expect.closeTo(0.95, 12), expect.closeTo(ci.lo, 12), expect.closeTo(ci.hi, 12)]);
    expect(ci.hi).toBeLessThanOrEqual(1); // a linear t interval over these three reaches 1.074
  });
  it('accuracies of 0, 0 and 0.1 get an interval inside [0, 1]; their difference stays inside [-1, 1]', () => {
    const results = [
      ...[1, 2, 3].map((s) => result({ M: 1 }, s, [{ value: [0, 0, 0.1][s - 1] }])),
      ...[1, 2, 3].map((s) => result({ M: 16 }, s, [{ value: [1, 0, 1][s - 1] }])),
    ];
    const report = buildReport(study([claim]), run, results);
    const low = report.arms.find((a) => a.arm === '1')!;
    expect(low.ci.mean).toBeCloseTo(1 / 30, 12);
    expect(low.ci.method).toBe('logit-t');
    expect(low.ci.lo).toBeGreaterThanOrEqual(0);
    expect(low.ci.hi).toBeLessThanOrEqual(1);
    const d = report.comparisons[0].difference;
    expect(d.lo).toBeGreaterThanOrEqual(-1);
    expect(d.hi).toBeLessThanOrEqual(1);
    expect(d.lo).toBeLessThan(0); // the spread is wide: the cut, not a narrower interval, keeps it in range
  });

  it("an arm's rate interval shrinks by half of the fewest problems any seed was scored on", () => {
    const values = [0, 0.25, 0.125];
    const results = [
      ...[1, 2, 3].map((s) => result({ M: 1 }, s, [{ value: values[s - 1], n: s === 2 ? 32 : 64 }])),
      ...[1, 2, 3].map((s) => result({ M: 16 }, s, [{ value: 0.5 + s / 10, n: 64 }])),
    ];
    const low = buildReport(study([claim]), run, results).arms.find((a) => a.arm === '1')!;
    expect(low.ci).toEqual(rateCI(values, 0.95, 32));
    expect(low.ci).not.toEqual(rateCI(values, 0.95, 64));
  });
});
