/** The evaluation pieces studies are built from: aggregates, curve metric names, learning curves, evaluations on a model. */
import { describe, expect, it } from 'vitest';
import { evaluateContextLoss, evaluateIclCurve, iclEpisodes } from '../../src/eval/icl-curve.js';
import { splitOf } from '../../src/tasks/split.js';
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

describe('ICL evaluations use the recipe\'s split', () => {
  // With the default salt and test fraction, rules "fresh" under the default could be the recipe's training rules.
  const config = parseGPTConfig({ nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32, vocabSize: VOCAB_SIZE });
  const family = { family: 'icl/lookup', weight: 1, levels: [1], config: { keys: 4, maxValue: 9 } };
  const split = { salt: 'another-salt', testFraction: 0.3 };

  it('draws test episodes of the recipe\'s salt and test fraction, for the final evaluations and during training', async () => {
    const { runEvaluations, duringTrainingEval } = await import('../../src/study/evaluate.js');
    const { EvaluationSchema } = await import('../../src/study/schema.js');
    const { parseRecipe } = await import('../../src/train/recipe.js');
    const engine = createEngine('reference', config, 3);
    const recipe = parseRecipe({ model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 }, stages: [{ objective: 'sft', tasks: { families: [family], ...split }, budget: { steps: 1 } }] });
    const evaluation = EvaluationSchema.parse({ kind: 'contextLoss', family, ks: [0, 4], n: 6, during: true });
    const values = (rows: EvalRecord[]) => rows.map((r) => r.value);
    const own = values(evaluateContextLoss(engine, family, [0, 4], 6, 0, split));
    expect(values(runEvaluations(engine, recipe, [evaluation], 0))).toEqual(own);
    expect(own).not.toEqual(values(evaluateContextLoss(engine, family, [0, 4], 6, 0)));
    const during = duringTrainingEval([evaluation], split)!(engine);
    expect([during['eval/icl_loss_k0'], during['eval/icl_loss_k4']]).toEqual(own);
    engine.dispose();
  });

  it('whose rules and episodes are test ones under that split', () => {
    for (const k of [0, 1, 4]) {
      for (const inst of iclEpisodes(family, k, 50, split, 'seed')) {
        expect(splitOf('icl/lookup', inst.key, split)).toBe('test');
        expect(splitOf('icl/lookup', String(inst.meta.rule), split)).toBe('test');
      }
    }
  });
});

describe('evaluations during training', () => {
  it('contextLoss with during: true logs the loss at each k and the ICL score at every evaluation', async () => {
    const { duringTrainingEval } = await import('../../src/study/evaluate.js');
    const { EvaluationSchema } = await import('../../src/study/schema.js');
    const { train } = await import('../../src/train/trainer.js');
    const family = { family: 'icl/lookup', config: { keys: 4, maxValue: 9 } };
    const evaluation = EvaluationSchema.parse({ kind: 'contextLoss', family, ks: [0, 2, 4], n: 8, during: true });
    expect(duringTrainingEval([EvaluationSchema.parse({ kind: 'contextLoss', family, ks: [0, 4], n: 8 })])).toBeUndefined();
    const extraEval = duringTrainingEval([evaluation])!;
    const recipe = {
      seed: 1,
      model: { nLayers: 1, nHeads: 2, dModel: 32, contextLength: 32 },
      stages: [{ objective: 'sft', tasks: { families: [{ ...family, config: { ...family.config, k: 4 } }] }, budget: { steps: 6 }, batchSize: 4, eval: { interval: 3, iters: 4 } }],
    };
    const seen: Record<string, number>[] = [];
    const result = train(recipe, { outDir: null, engine: 'native', extraEval, onStep: (r) => { if ('eval/icl_score' in r.scalars) seen.push(r.scalars); } });
    expect(seen.map((s) => Object.keys(s).filter((k) => k.startsWith('eval/icl')).sort())).toEqual([
      ['eval/icl_loss_k0', 'eval/icl_loss_k2', 'eval/icl_loss_k4', 'eval/icl_score'],
      ['eval/icl_loss_k0', 'eval/icl_loss_k2', 'eval/icl_loss_k4', 'eval/icl_score'],
      ['eval/icl_loss_k0', 'eval/icl_loss_k2', 'eval/icl_loss_k4', 'eval/icl_score'],
    ]); // steps 0 (before training), 3 and 6
    const last = seen[2];
    expect(last['eval/icl_score']).toBeCloseTo(last['eval/icl_loss_k4'] - last['eval/icl_loss_k0'], 12);
    // The same numbers as the final evaluation on the same model: the hook measures, it does not train.
    const rows = evaluateContextLoss(result.engine, { ...family, weight: 1, levels: [1] }, [0, 4], 8, 6);
    expect(rows.map((r) => r.value)).toEqual([last['eval/icl_loss_k0'], last['eval/icl_loss_k4']]);
    result.engine.dispose();
  });
});

describe('evaluations at the end of an earlier stage', () => {
  it('measure the model as it was when the stage ended, on the final stage\'s problems, labelled with the stage', async () => {
    const { runEvaluations, stageEndEvaluations } = await import('../../src/study/evaluate.js');
    const { EvaluationSchema } = await import('../../src/study/schema.js');
    const { parseRecipe } = await import('../../src/train/recipe.js');
    const { train } = await import('../../src/train/trainer.js');
    const stage = (name: string, steps: number) => ({ name, objective: 'sft', tasks: { families: ['math/compare'] }, budget: { steps }, batchSize: 4, schedule: { lr: 3e-3 } });
    const recipe = parseRecipe({ seed: 2, model: { nLayers: 1, nHeads: 2, dModel: 32, contextLength: 32 }, stages: [stage('warm-start', 4), stage('train', 3)] });
    const before = EvaluationSchema.parse({ kind: 'passAtK', problems: 4, samples: 2, ks: [1, 2], stage: 0 });
    const after = EvaluationSchema.parse({ kind: 'passAtK', problems: 4, samples: 2, ks: [1, 2] });
    const hook = stageEndEvaluations(recipe, [before, after]);
    const logged: { stage: number; step: number; rows: ReturnType<typeof hook> }[] = [];
    let atWarmStart: Float32Array | null = null;
    const result = train(recipe, {
      outDir: null,
      engine: 'native',
      onStageEnd: (engine, s, step) => {
        if (s === 0) atWarmStart = Float32Array.from(engine.params);
        logged.push({ stage: s, step, rows: hook(engine, s, step) });
      },
    });
    // Called at the end of both stages; only the first has an evaluation of its own (the last is the final one).
    expect(logged.map((l) => [l.stage, l.step, l.rows.length > 0])).toEqual([
      [0, 4, true],
      [1, 7, false],
    ]);
    expect(new Set(logged[0].rows.map((r) => `${r.suite} ${r.split} ${r.stage}`))).toEqual(new Set(['passAtK test warm-start']));
    // The same numbers as measuring the warm-start weights directly.
    const { createEngine } = await import('../../src/model/engines.js');
    const warm = createEngine('native', result.engine.config, atWarmStart!);
    expect(runEvaluations(warm, recipe, [after], 4).map((r) => r.value)).toEqual(logged[0].rows.map((r) => r.value));
    // The final evaluation leaves the stage-0 one out.
    expect(runEvaluations(result.engine, recipe, [before, after], 7).every((r) => r.suite === 'passAtK' && r.split === 'test' && r.stage === null)).toBe(true);
    warm.dispose();
    result.engine.dispose();
  });
});
