/**
 * A study is checked whole before any trial runs: misspelled task-config keys, claims on splits, metrics, tags
 * or `where` values that no trial produces, duplicate trial ids, trial folders that would collide, and sweeps too
 * large to hold. Each problem is one line naming the field and the fix.
 */
import { describe, expect, it } from 'vitest';
import { expandTrials } from '../../src/study/expand.js';
import { trialDir } from '../../src/study/run-dir.js';
import { parseStudy } from '../../src/study/schema.js';
import { problemsOf } from './problems.js';


const model = { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 };
const stage = { objective: 'sft', tasks: { families: ['math/add'], heldOut: ['text/sort'] }, budget: { steps: 5 } };
const base = { name: 's', seeds: [1, 2], recipe: { model, stages: [stage] } };
const claim = { text: 't', label: 'l', axis: 'B', a: 4, b: 8, direction: 'increase' };
const withClaim = (patch: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  parseStudy({
    ...base,
    sweep: { axes: { 'stages[0].batchSize': { name: 'B', values: [4, 8] }, 'stages[0].schedule.lr': { name: 'lr', values: [0.001, 0.003] } } },
    evaluations: [{ kind: 'splits', n: 8 }, { kind: 'passAtK', problems: 4, samples: 4, ks: [1, 4] }],
    claims: [{ ...claim, ...patch }],
    ...more,
  });

describe('task-config keys', () => {
  it('a misspelled key swept as an axis is refused at expansion with a did-you-mean, not run as identical arms', () => {
    const study = parseStudy({
      ...base,
      recipe: { model, stages: [{ ...stage, tasks: { families: [{ family: 'icl/lookup' }] } }] },
      sweep: { axes: { 'stages[0].tasks.families[0].config.poolsize': { name: 'M', values: [1, 4, 16] } } },
    });
    const problems = problemsOf(() => expandTrials(study));
    expect(problems).toHaveLength(1); // once, however many trials share it
    expect(problems[0]).toMatch(/^study\.recipe\.stages\[0\]\.tasks\.families\[0\]\.config\.poolsize: icl\/lookup has no config key "poolsize": did you mean poolSize\?/);
  });

  it('an evaluation family with an unknown config key is refused at expansion', () => {
    const study = parseStudy({ ...base, evaluations: [{ kind: 'iclCurve', family: { family: 'icl/cipher', config: { alphabett: 5 } }, ks: [0, 1] }] });
    expect(problemsOf(() => expandTrials(study))).toContain('study.evaluations[0].family.config.alphabett: icl/cipher has no config key "alphabett": did you mean alphabet? Its keys: k, poolSize, poolSeed, alphabet, wordLength');
  });
});

describe('claims are checked against what the trials will produce', () => {
  it('accepts claims on splits, metrics, tags and where values that exist', () => {
    expect(expandTrials(withClaim({ measure: { eval: { split: 'heldout', metric: 'exact', family: 'text/sort' } }, where: { lr: 0.001 } }))).toHaveLength(8);
    expect(expandTrials(withClaim({ measure: { eval: { split: 'pass@k:test', metric: 'pass@4' } } }))).toHaveLength(8);
    expect(expandTrials(withClaim({ measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5 } } }))).toHaveLength(8);
    expect(expandTrials(withClaim({ measure: { last: 'train/loss' } }))).toHaveLength(8);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['a split no evaluation writes', { measure: { eval: { split: 'tset', metric: 'exact' } } }, 'claims[0].measure.eval.split: got "tset"; the evaluations write the splits train, test, heldout, pass@k:test'],
    ['a metric the split does not have', { measure: { eval: { split: 'pass@k:test', metric: 'pass@16' } } }, 'claims[0].measure.eval.metric: got "pass@16"; split pass@k:test has the metrics greedy_pass@1, pass@1, pass@4'],
    ['a family the split does not score', { measure: { eval: { split: 'test', metric: 'exact', family: 'math/sub' } } }, 'claims[0].measure.eval.family: got "math/sub"; split test scores the families *, math/add'],
    ['a tag no stage logs', { measure: { last: 'eval/test_accuracy' } }, 'claims[0].measure.last: got "eval/test_accuracy"; the trials log no such metric (did you mean eval/test_acc?)'],
    ['a tag of another stage', { measure: { examplesTo: { tag: 'eval/test_acc', threshold: 0.5, stage: 1 } } }, 'claims[0].measure.examplesTo.stage: got 1; the recipe has 1 stage(s)'],
    ['a where axis that does not exist', { where: { rate: 0.001 } }, 'claims[0].where.rate: part main has no axis rate; its axes are B, lr'],
    ['a where value that does not exist', { where: { lr: 0.01 } }, 'claims[0].where.lr: got 0.01; the axis lr has 0.001, 0.003'],
    ['a where on the claim axis itself', { where: { B: 4 } }, 'claims[0].where.B: B is the axis the claim compares; hold other axes only'],
    ['a ceiling in a part that does not exist', { ceiling: { part: 'control', where: {} } }, 'claims[0].ceiling.part: no part is named control; the parts are main'],
    ['a ceiling on an axis that does not exist', { ceiling: { where: { M: 4 } } }, 'claims[0].ceiling.where.M: part main has no axis M; its axes are B, lr'],
    ['a ceiling on a value the axis lacks', { ceiling: { where: { B: 16 } } }, 'claims[0].ceiling.where.B: got 16; the axis B has 4, 8'],
    ['a ceiling measure no evaluation writes', { ceiling: { where: { B: 8 }, measure: { eval: { split: 'icl-curve', metric: 'exact' } } } }, 'claims[0].ceiling.measure.eval.split: got "icl-curve"; the evaluations write the splits train, test, heldout, pass@k:test'],
    ['a measured floor on a value the axis lacks', { floor: { where: { lr: 1 } } }, 'claims[0].floor.where.lr: got 1; the axis lr has 0.001, 0.003'],
    ['a ceiling check that is not a rate', { ceiling: { where: { B: 8 }, check: { last: 'train/loss' } } }, 'claims[0].ceiling.check: a check is a rate the positive control must reach 0.8 on'],
    ['a ceiling check no stage logs', { ceiling: { where: { B: 8 }, check: { last: 'eval/tset_acc' } } }, 'claims[0].ceiling.check.last: got "eval/tset_acc"; the trials log no such metric'],
    ['a floor outside [0, 1] for a rate', { floor: 1.5 }, 'claims[0].floor: got 1.5; the claim measures a rate, so its floor lies in [0, 1]'],
  ];
  for (const [name, patch, expected] of cases) {
    it(`refuses ${name}`, () => {
      const problems = problemsOf(() => expandTrials(withClaim({ measure: { eval: { split: 'test', metric: 'exact' } }, ...patch })));
      expect(problems.some((p) => p.startsWith(expected)), `${problems.join('\n')}\n-- expected to start with --\n${expected}`).toBe(true);
    });
  }

  it('accepts a floor (a number, a labelled number or an arm) and a ceiling arm on the claim axis', () => {
    for (const floor of [0.25, { value: 0.1, label: 'chance' }, { where: { B: 4 }, label: 'small batch' }]) {
      expect(expandTrials(withClaim({ measure: { eval: { split: 'test', metric: 'exact' } }, floor, ceiling: { where: { B: 8, lr: 0.003 } } }))).toHaveLength(8);
    }
  });

  it('a floor or ceiling of the wrong shape is refused by the schema, naming the field', () => {
    expect(problemsOf(() => withClaim({ measure: { eval: { split: 'test', metric: 'exact' } }, ceiling: 0.9 }))[0]).toMatch(/^claims\[0\]\.ceiling/);
    expect(problemsOf(() => withClaim({ measure: { eval: { split: 'test', metric: 'exact' } }, ceiling: { wher: { B: 8 } } }))[0]).toMatch(/^claims\[0\]\.ceiling/);
  });

  it('checks curves too: their tag, stage and where', () => {
    const study = withClaim({ measure: { eval: { split: 'test', metric: 'exact' } } }, { curves: [{ tag: 'eval/tset_acc', axis: 'B', label: 'c', where: { lr: 5 } }] });
    const problems = problemsOf(() => expandTrials(study));
    expect(problems.some((p) => p.startsWith('curves[0].tag: got "eval/tset_acc"; the trials log no such metric in stage 0 (did you mean eval/test_acc?)'))).toBe(true);
    expect(problems).toContain('curves[0].where.lr: got 5; the axis lr has 0.001, 0.003');
  });

  it('demonstrationsTo needs an iclCurve evaluation of its family', () => {
    const problems = problemsOf(() => expandTrials(withClaim({ measure: { demonstrationsTo: { family: 'icl/lookup', threshold: 0.5 } } })));
    expect(problems).toContain('claims[0].measure.demonstrationsTo.family: got "icl/lookup"; no iclCurve evaluation of part main measures it (add { kind: iclCurve, family: icl/lookup })');
  });
});

describe('trial ids and folders', () => {
  it('duplicate seeds are named at expansion, not left to a database error', () => {
    const problems = problemsOf(() => expandTrials(parseStudy({ ...base, seeds: [1, 1] })));
    expect(problems).toContain('study: the trial id seed=1 comes twice (seeds list 1 twice); every trial needs its own id: make the seeds, axis values or labels distinct');
  });

  it('duplicate axis values and values that print alike are named', () => {
    const dup = parseStudy({ ...base, seeds: [1], sweep: { axes: { 'stages[0].batchSize': { name: 'B', values: [4, 4] } } } });
    expect(problemsOf(() => expandTrials(dup))).toContain('study: the trial id B=4/seed=1 comes twice (axis B lists 4 twice); every trial needs its own id: make the seeds, axis values or labels distinct');
    // Lists of families print as their names, so two configs of one family print alike.
    const family = (poolSize: number) => [{ family: 'icl/lookup', config: { poolSize } }];
    const alike = parseStudy({ ...base, seeds: [1], sweep: { axes: { 'stages[0].tasks.families': { name: 'mix', values: [family(1), family(4)] } } } });
    expect(problemsOf(() => expandTrials(alike))).toContain(
      'study: the trial id mix=icl/lookup/seed=1 comes twice (axis mix has two values that print as icl/lookup: give the axis labels); every trial needs its own id: make the seeds, axis values or labels distinct',
    );
    const labels = parseStudy({ ...base, seeds: [1], sweep: { axes: { 'stages[0].batchSize': { name: 'B', values: [4, 8], labels: ['x', 'x'] } } } });
    expect(problemsOf(() => expandTrials(labels))).toContain('study: the trial id B=x/seed=1 comes twice (axis B labels two values x); every trial needs its own id: make the seeds, axis values or labels distinct');
  });

  it('trial folders are distinct for ids that sanitize alike, and unchanged for ids that need no escaping', () => {
    const run = '/r';
    expect(trialDir(run, 'M=16/seed=2')).toBe('/r/trials/M=16__seed=2');
    expect(trialDir(run, 'pool/M=infinity/seed=1')).toBe('/r/trials/pool__M=infinity__seed=1');
    const ids = ['x=a b/seed=1', 'x=a_b/seed=1', 'x=a/b/seed=1', 'x=a__b/seed=1', 'x=a_/b/seed=1', 'x=a/_b/seed=1', 'x=é/seed=1', 'x=e/seed=1', 'x=a:b/seed=1', 'x=a;b/seed=1'];
    const dirs = ids.map((id) => trialDir(run, id));
    expect(new Set(dirs).size).toBe(ids.length);
    for (const d of dirs) expect(d.slice('/r/trials/'.length)).toMatch(/^[\w=.+~-]+$/);
    expect(trialDir(run, 'x=a b/seed=1')).toBe(trialDir(run, 'x=a b/seed=1')); // the same every time
  });
});

describe('sizes', () => {
  it('a sweep of 10^8 trials is refused with its size before anything is built', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const axes = Object.fromEntries(['batchSize', 'eval.iters', 'checkpointInterval', 'schedule.warmupSteps'].map((f) => [`stages[0].${f}`, values]));
    const study = parseStudy({ ...base, seeds: 1, sweep: { axes } });
    const problems = problemsOf(() => expandTrials(study));
    expect(problems).toContain('study.sweep: 100 × 100 × 100 × 100 values × 1 seed(s) make 100000000 trials; a run holds at most 10000: fewer values or seeds, or sweep: { mode: random, samples: N }');
  });

  it('a random sweep over a huge grid is refused too, since drawing from it builds it', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const study = parseStudy({ ...base, seeds: 1, sweep: { mode: 'random', samples: 4, axes: { 'stages[0].batchSize': values, 'stages[0].eval.iters': values, 'stages[0].checkpointInterval': values } } });
    expect(problemsOf(() => expandTrials(study)).some((p) => p.startsWith('study.sweep: a random sweep draws from 1000000000 grid points; at most 1000000'))).toBe(true);
  });
});
