/** Evaluations a study asks for (study/evaluate.ts): on the recipe's split, during training, at the end of an earlier stage. */
import { describe, expect, it } from 'vitest';
import { evaluateContextLoss, iclEpisodes } from '../../src/eval/icl-curve.js';
import { splitOf } from '../../src/tasks/split.js';
import type { EvalRecord } from '../../src/eval/records.js';
import { createEngine } from '../../src/model/engines.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { VOCAB_SIZE } from '../../src/text/vocab.js';

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
