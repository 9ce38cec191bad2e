import { describe, expect, it } from 'vitest';
import { parseRecipe, parseRecipeText } from '../../src/train/recipe.js';
import { ValidationError } from '../../src/util/validation.js';

const good = {
  model: { nLayers: 2, nHeads: 4, dModel: 64, contextLength: 64 },
  stages: [{ objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 10 } }],
};

function problemsOf(input: unknown): string[] {
  try {
    parseRecipe(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems;
  }
  throw new Error('the recipe was accepted');
}

const stageWith = (patch: Record<string, unknown>) => ({ ...good, stages: [{ ...good.stages[0], ...patch }] });

describe('recipe validation', () => {
  it('accepts a good recipe and fills defaults', () => {
    const r = parseRecipe(good);
    expect(r.stages[0].init).toBe('random'); // the first stage has no previous stage
    expect(r.stages[0].batchSize).toBe(16);
    expect(r.stages[0].optimizer.beta2).toBe(0.99);
  });

  // Each malformed recipe gets one line that names the field path.
  const cases: [string, unknown, RegExp][] = [
    ['unknown objective', stageWith({ objective: 'ppo' }), /^stages\[0\]\.objective: got "ppo"; .*"lm"\|"sft"\|"rft"\|"rl"\|"mix"/],
    ['negative steps', stageWith({ budget: { steps: -5 } }), /^stages\[0\]\.budget\.steps: got -5; .*>=1/],
    ['two budgets', stageWith({ budget: { steps: 5, tokens: 100 } }), /^stages\[0\]\.budget: .*exactly one of steps, tokens or episodes/],
    ['misspelled field', stageWith({ batchsize: 8 }), /^stages\[0\]\.batchsize: unknown field/],
    ['heads do not divide width', { ...good, model: { ...good.model, nHeads: 5 } }, /^model\.nHeads: .*divisible/],
    ['sft without tasks', stageWith({ tasks: undefined }), /^stages\[0\]\.tasks: .*needs tasks/],
    ['lm without corpus', stageWith({ objective: 'lm', tasks: undefined }), /^stages\[0\]\.corpus: .*needs a corpus/],
    ['mix without rlFraction', stageWith({ objective: 'mix' }), /^stages\[0\]\.rlFraction: .*needs rlFraction/],
    ['rlFraction out of range', stageWith({ objective: 'mix', rlFraction: 1.5 }), /^stages\[0\]\.rlFraction: got 1.5; .*<=1/],
    ['rl settings on sft', stageWith({ rl: { groupSize: 4 } }), /^stages\[0\]\.rl: .*belong to rl or mix/],
    ['group of one', stageWith({ objective: 'rl', rl: { groupSize: 1 } }), /^stages\[0\]\.rl\.groupSize: got 1; .*>=2/],
    ['no stages', { ...good, stages: [] }, /^stages: .*at least one stage/],
    ['empty task mix', stageWith({ tasks: { families: [] } }), /^stages\[0\]\.tasks\.families: .*at least one family/],
    ['blockSize beyond the context', stageWith({ objective: 'lm', tasks: undefined, corpus: 'shakespeare', blockSize: 128 }), /^stages\[0\]\.blockSize: .*<= model\.contextLength \(64\)/],
    ['bad learning rate', stageWith({ schedule: { lr: 'fast' } }), /^stages\[0\]\.schedule\.lr: got "fast"; .*number/],
    ['unknown family', stageWith({ tasks: { families: ['math/add', 'math/addd'] } }), /^stages\[0\]\.tasks\.families\[1\]: got "math\/addd"; unknown task family 'math\/addd': did you mean math\/add/],
    ['bad init', stageWith({ init: 'pretrained' }), /^stages\[0\]\.init: got "pretrained"/],
  ];
  for (const [name, recipe, pattern] of cases) {
    it(`names the field: ${name}`, () => {
      const problems = problemsOf(recipe);
      expect(problems.some((p) => pattern.test(p)), problems.join('\n')).toBe(true);
      for (const p of problems) expect(p.includes('\n')).toBe(false);
    });
  }

  it('reports YAML syntax errors and lists every problem at once', () => {
    expect(() => parseRecipeText('stages: [\n  - objective: sft', 'r.yaml')).toThrow(/r.yaml is not valid YAML/);
    const problems = problemsOf({ ...good, seed: -1, stages: [{ ...good.stages[0], batchSize: 0, objective: 'sftt' }] });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});
