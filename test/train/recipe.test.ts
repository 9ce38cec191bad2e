import { describe, expect, it } from 'vitest';
import { parseRecipe, parseRecipeText } from '../../src/train/recipe.js';
import { problemsOf } from './problems.js';

const good = {
  model: { nLayers: 2, nHeads: 4, dModel: 64, contextLength: 64 },
  stages: [{ objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 10 } }],
};

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
    ['choose more than the pool', stageWith({ tasks: { choose: { k: 3, from: ['math/add', 'text/sort'] }, heldOut: ['text/sort'] } }), /^stages\[0\]\.tasks\.choose: .*k must be from 1 to 1 \(the families in the `from` list once text\/sort are left out\), got 3/],
    ['choose from an unknown family', stageWith({ tasks: { choose: { k: 1, from: ['math/addd'] } } }), /^stages\[0\]\.tasks\.choose: .*unknown task family 'math\/addd'/],
    // An accuracy curriculum advances on the scores of sampled answers: an sft stage samples none, so it never moved.
    ['accuracy curriculum on sft', stageWith({ tasks: { families: ['math/add'], curriculum: { kind: 'accuracy' } } }), /^stages\[0\]\.tasks\.curriculum: .*an accuracy curriculum .* an sft stage never samples/],
    ['accuracy curriculum on mix without rl', stageWith({ objective: 'mix', rlFraction: 0, tasks: { families: ['math/add'], curriculum: { kind: 'accuracy' } } }), /^stages\[0\]\.tasks\.curriculum: .*an accuracy curriculum .* a mix stage with rlFraction 0 never samples/],
    // Held-out families measure transfer to what no stage trained on.
    ['a family both trained and held out', stageWith({ tasks: { families: ['math/add', 'text/sort'], heldOut: [{ family: 'math/add' }] } }), /^stages\[0\]\.tasks\.heldOut\[0\]: .*math\/add is also in stages\[0\]\.tasks\.families/],
    [
      'an earlier stage training a later stage\'s held-out family',
      { ...good, stages: [good.stages[0], { ...good.stages[0], tasks: { families: ['text/sort'], heldOut: ['text/reverse', 'math/add'] } }] },
      /^stages\[1\]\.tasks\.heldOut\[1\]: .*math\/add is trained by stages\[0\]\.tasks\.families, an earlier stage/,
    ],
    // A misspelled key of a family's config would be dropped and the default used: every arm of a sweep on it alike.
    ['misspelled family config key', stageWith({ tasks: { families: [{ family: 'icl/lookup', config: { poolsize: 16 } }] } }), /^stages\[0\]\.tasks\.families\[0\]\.config\.poolsize: icl\/lookup has no config key "poolsize": did you mean poolSize\? Its keys: k, poolSize, poolSeed, keys, maxValue/],
    ['unknown family config key', stageWith({ tasks: { families: ['math/add'], heldOut: [{ family: 'text/sort', config: { colour: 'red' } }] } }), /^stages\[0\]\.tasks\.heldOut\[0\]\.config\.colour: text\/sort has no config key "colour"; its keys: minLength, maxLength, descending/],
    // The name becomes a folder under runs/: a path in it would write elsewhere.
    ['a name with a path', { ...good, name: '../../x' }, /^name: got "\.\.\/\.\.\/x"; a recipe name is letters, digits and \. _ \+ - \(it names a folder under runs\/\)/],
    ['a name with a backslash', { ...good, name: 'a\\b' }, /^name: got "a\\\\b"; a recipe name is letters/],
    ['a name that is a dot folder', { ...good, name: '..' }, /^name: got "\.\."; a recipe name/],
    // 10^12 steps would start and never end.
    ['steps beyond any machine', stageWith({ budget: { steps: 1e12 } }), /^stages\[0\]\.budget\.steps: got 1000000000000; at most 1e9 steps/],
  ];
  for (const [name, recipe, pattern] of cases) {
    it(`names the field: ${name}`, () => {
      const problems = problemsOf(recipe);
      expect(problems.some((p) => pattern.test(p)), problems.join('\n')).toBe(true);
      for (const p of problems) expect(p.includes('\n')).toBe(false);
    });
  }

  it('accepts an accuracy curriculum where answers are sampled, and a later stage training an earlier held-out family', () => {
    for (const stage of [{ objective: 'rl' }, { objective: 'rft' }, { objective: 'mix', rlFraction: 0.5 }]) {
      expect(() => parseRecipe(stageWith({ ...stage, tasks: { families: ['math/add'], curriculum: { kind: 'accuracy' } } }))).not.toThrow();
    }
    // Pre-train with text/sort held out, then fine-tune on it: the priors and breadth studies' design.
    const pretrain = { ...good.stages[0], tasks: { families: ['math/add'], heldOut: ['text/sort'] } };
    expect(() => parseRecipe({ ...good, stages: [pretrain, { ...good.stages[0], tasks: { families: ['text/sort'] } }] })).not.toThrow();
  });

  it('an earlier stage\'s choose never draws a later stage\'s held-out family', () => {
    const from = ['math/add', 'math/sub', 'text/sort'];
    for (let seed = 0; seed < 20; seed++) {
      const r = parseRecipe({ ...good, seed, stages: [{ ...good.stages[0], tasks: { choose: { k: 2, from } } }, { ...good.stages[0], tasks: { families: ['math/mul'], heldOut: ['text/sort'] } }] });
      expect(r.stages[0].tasks!.families).toEqual(['math/add', 'math/sub']);
    }
  });

  it('choose draws k more families by seed, never a listed or held-out one', () => {
    const from = ['math/add', 'math/sub', 'math/mul', 'text/sort', 'text/reverse', 'text/case', 'logic/order'];
    const families = (seed: number, k = 3) =>
      parseRecipe(stageWith({ tasks: { families: ['math/add'], choose: { k, seed, from }, heldOut: ['text/sort'] } })).stages[0].tasks!.families;
    const a = families(1);
    expect(a[0]).toBe('math/add');
    expect(a).toHaveLength(4);
    expect(new Set(a).size).toBe(4);
    for (const f of a.slice(1)) expect(from.filter((n) => n !== 'math/add' && n !== 'text/sort')).toContain(f);
    expect(families(1)).toEqual(a); // reproducible
    const draws = new Set([1, 2, 3, 4, 5, 6].map((seed) => families(seed).join()));
    expect(draws.size).toBeGreaterThan(2); // the seed matters
    // Without a seed of its own, choose draws with the recipe's: a study's seeds each get their own families.
    const bySeed = (seed: number) =>
      parseRecipe({ ...stageWith({ tasks: { families: ['math/add'], choose: { k: 3, from }, heldOut: ['text/sort'] } }), seed }).stages[0].tasks!.families;
    expect(bySeed(1)).toEqual(a);
    expect(bySeed(2)).toEqual(families(2));
    // The resolved recipe lists the families and no longer chooses: parsing it again changes nothing.
    const resolved = parseRecipe(stageWith({ tasks: { choose: { k: 2, seed: 4, from } } }));
    expect(resolved.stages[0].tasks).not.toHaveProperty('choose');
    expect(parseRecipe(JSON.parse(JSON.stringify(resolved))).stages[0].tasks!.families).toEqual(resolved.stages[0].tasks!.families);
  });

  it('reports YAML syntax errors and lists every problem at once', () => {
    expect(() => parseRecipeText('stages: [\n  - objective: sft', 'r.yaml')).toThrow(/r.yaml is not valid YAML/);
    const problems = problemsOf({ ...good, seed: -1, stages: [{ ...good.stages[0], batchSize: 0, objective: 'sftt' }] });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});
