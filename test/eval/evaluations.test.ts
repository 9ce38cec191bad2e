/** The evaluations of src/eval/: aggregates, packed rows read into columns, learning curves, split scores and ICL curves on a model. */
import { describe, expect, it } from 'vitest';
import { evaluateContextLoss, evaluateIclCurve } from '../../src/eval/icl-curve.js';
import { iclScore, lastPerStep, learningCurve } from '../../src/eval/learning-curve.js';
import { withAggregates, type EvalRecord } from '../../src/eval/records.js';
import { fromPackedColumns } from '../../src/measure/evals.js';
import { evaluateSplits } from '../../src/eval/task-scores.js';
import { createEngine } from '../../src/model/engines.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { VOCAB_SIZE } from '../../src/text/vocab.js';

const row = (split: string, family: string, domain: string, value: number): EvalRecord => ({ step: 1, suite: 'splits', split, stage: null, family, domain, metric: 'exact', x: null, value, n: 10 });

describe('evaluation records', () => {
  it('aggregate per domain and overall, each family weighing the same', () => {
    const rows = withAggregates([row('test', 'math/add', 'math', 1), row('test', 'math/sub', 'math', 0), row('test', 'text/sort', 'text', 0.5), row('train', 'math/add', 'math', 0.2)]);
    const find = (split: string, domain: string) => rows.find((r) => r.split === split && r.family === '*' && r.domain === domain)!;
    expect(find('test', 'math').value).toBe(0.5);
    expect(find('test', 'text').value).toBe(0.5);
    expect(find('test', '*').value).toBeCloseTo(0.5, 12);
    expect(find('test', '*').n).toBe(30);
    expect(find('train', '*').value).toBe(0.2);
    expect(rows.filter((r) => r.family === '*')).toHaveLength(5);
  });

  it('reads the packed split and metric strings of schema-1 stores into columns', () => {
    expect(fromPackedColumns('icl-curve', 'score|k=16')).toEqual({ suite: 'iclCurve', split: 'test', stage: null, metric: 'score', x: 16 });
    expect(fromPackedColumns('context-loss@warm-start', 'loss|k=0')).toEqual({ suite: 'contextLoss', split: 'test', stage: 'warm-start', metric: 'loss', x: 0 });
    expect(fromPackedColumns('pass@k:test@warm-start', 'pass@4')).toEqual({ suite: 'passAtK', split: 'test', stage: 'warm-start', metric: 'pass@4', x: null });
    expect(fromPackedColumns('pass@k:heldout', 'greedy_pass@1')).toEqual({ suite: 'passAtK', split: 'heldout', stage: null, metric: 'greedy_pass@1', x: null });
    expect(fromPackedColumns('test@stage1', 'exact')).toEqual({ suite: 'splits', split: 'test', stage: 'stage1', metric: 'exact', x: null });
    expect(fromPackedColumns('heldout', 'score')).toEqual({ suite: 'splits', split: 'heldout', stage: null, metric: 'score', x: null });
  });

  it('learning curves keep the last value of a repeated step and count examples from the stage start', () => {
    const series = [{ step: 10, value: 0.1 }, { step: 20, value: 0.3 }, { step: 20, value: 0.2 }, { step: 30, value: 0.6 }];
    expect(lastPerStep(series)).toEqual([{ step: 10, value: 0.1 }, { step: 20, value: 0.2 }, { step: 30, value: 0.6 }]);
    expect(learningCurve(series, 8, 10)).toEqual([{ x: 80, y: 0.2 }, { x: 160, y: 0.6 }]);
    expect(iclScore([2.3, 1.5, 0.4])).toBeCloseTo(-1.9, 12);
    expect(() => iclScore([1])).toThrow(/two positions/);
  });
});

describe('evaluations on a model', () => {
  const config = parseGPTConfig({ nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32, vocabSize: VOCAB_SIZE });
  const engine = createEngine('reference', config, 1);
  const lookup = { family: 'icl/lookup', weight: 1, levels: [1], config: { keys: 4, maxValue: 9 } };

  it('split scores tell fit from new instances from transfer: a model that memorized one table', async () => {
    // Trained on a single hidden table with no demonstrations (k = 0): its train-split instances are that table's
    // four facts, which it learns; test-split instances ask fresh tables, which it can only match by chance.
    const { train } = await import('../../src/train/trainer.js');
    const table = { family: 'icl/lookup', config: { keys: 4, k: 0, maxValue: 9, poolSize: 1 } };
    const tasks = { families: [table], heldOut: ['math/add'] };
    const recipe = { seed: 1, model: { nLayers: 1, nHeads: 2, dModel: 32, contextLength: 16 }, stages: [{ objective: 'sft', tasks, budget: { steps: 150 }, batchSize: 8, schedule: { lr: 3e-3 } }] };
    const trained = train(recipe, { outDir: null, engine: 'native' }).engine;
    const rows = evaluateSplits(trained, { ...tasks, families: [{ ...table, weight: 1, levels: [1] }] }, 64, 7);
    const exact = (split: string, family = 'icl/lookup') => rows.find((r) => r.split === split && r.family === family && r.metric === 'exact')!.value;
    expect(exact('train')).toBeGreaterThanOrEqual(0.9);
    expect(exact('test')).toBeLessThan(0.4); // chance agreement of a fresh table with the memorized one: about 0.1
    expect(exact('heldout', 'math/add')).toBeLessThan(0.05);
    // With one family the overall rows are that family's.
    expect(rows.find((r) => r.split === 'train' && r.family === '*' && r.domain === '*' && r.metric === 'exact')!.value).toBe(exact('train'));
    trained.dispose();
  });

  it('split scores cover every family and split, with aggregates, in [0, 1]', () => {
    const rows = evaluateSplits(engine, { families: ['math/add', 'text/reverse'], heldOut: ['math/sub'] }, 4, 7);
    for (const family of ['math/add', 'text/reverse']) for (const split of ['train', 'test']) expect(rows.some((r) => r.family === family && r.split === split)).toBe(true);
    expect(rows.some((r) => r.split === 'heldout' && r.family === 'math/sub')).toBe(true);
    for (const r of rows) {
      expect(r.value).toBeGreaterThanOrEqual(0);
      expect(r.value).toBeLessThanOrEqual(1);
      expect(r.step).toBe(7);
    }
  });

  it('the ICL curve and the answer loss skip k that do not fit the context', () => {
    // keys 4, k 8: 8 demonstrations of 4 characters + the query = 34 characters + BOS, SEP > 32 tokens.
    const curve = evaluateIclCurve(engine, lookup, [0, 2, 8], 4, 0);
    expect(curve.map((r) => [r.suite, r.metric, r.x])).toEqual([['iclCurve', 'score', 0], ['iclCurve', 'score', 2]]);
    const losses = evaluateContextLoss(engine, lookup, [0, 4, 8], 3, 0);
    expect(losses.map((r) => [r.suite, r.metric, r.x])).toEqual([['contextLoss', 'loss', 0], ['contextLoss', 'loss', 4]]);
    // An untrained model's answer loss is near log(vocabulary size) = log 100.
    for (const r of losses) {
      expect(r.n).toBe(3);
      expect(r.value).toBeGreaterThan(2);
      expect(r.value).toBeLessThan(8);
    }
  });
});
