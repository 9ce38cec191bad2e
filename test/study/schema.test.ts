/** Study files: field paths, validation with one error per problem, quick overrides and expansion into trials. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandTrials, resolveMode } from '../../src/study/expand.js';
import { getPath, parsePath, setPath } from '../../src/study/paths.js';
import { parseStudy, parseStudyText } from '../../src/study/schema.js';
import { problemsOf } from './problems.js';

const tiny = readFileSync(join(import.meta.dirname, 'fixtures', 'tiny.yaml'), 'utf8');
const studiesDir = join(import.meta.dirname, '..', '..', 'studies');


const base = {
  name: 's',
  recipe: { model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 }, stages: [{ objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 5 } }] },
};

describe('field paths', () => {
  it('parse, read and write nested fields and list elements', () => {
    expect(parsePath('stages[0].tasks.families[1].config.k')).toEqual(['stages', 0, 'tasks', 'families', 1, 'config', 'k']);
    const data = { stages: [{ tasks: { families: ['a', { family: 'b' }] } }] };
    expect(getPath(data, 'stages[0].tasks.families[1].family')).toBe('b');
    expect(getPath(data, 'stages[3].x')).toBeUndefined();
    const changed = setPath(data, 'stages[0].tasks.families[1].config.k', 8);
    expect(getPath(changed, 'stages[0].tasks.families[1].config.k')).toBe(8);
    expect(getPath(data, 'stages[0].tasks.families[1].config')).toBeUndefined(); // the original is untouched
  });

  it('refuse malformed paths and paths that cannot be followed, naming where', () => {
    expect(() => parsePath('stages..x')).toThrow(/not a field path/);
    expect(() => parsePath('')).toThrow(/not a field path/);
    expect(() => setPath({ stages: [] }, 'stages[2].budget', 1)).toThrow(/stages\[2\] is past the end of a list of 0/);
    expect(() => setPath({ seed: 3 }, 'seed.x', 1)).toThrow(/seed is 3, not an object/);
    expect(() => setPath({ stages: {} }, 'stages[0]', 1)).toThrow(/indexes something that is not a list/);
  });
});

describe('study files', () => {
  it('every built-in study parses and expands in both modes, quick with >= 3 seeds', () => {
    for (const name of ['breadth', 'continuum', 'sample-efficiency', 'context', 'priors', 'long-context']) {
      const study = parseStudyText(readFileSync(join(studiesDir, `${name}.yaml`), 'utf8'), name);
      const quick = resolveMode(study, 'quick');
      expect(quick.seeds.length, name).toBeGreaterThanOrEqual(3);
      expect(expandTrials(quick).length, name).toBeGreaterThan(0);
      expect(expandTrials(resolveMode(study, 'full')).length, name).toBeGreaterThanOrEqual(expandTrials(quick).length);
    }
  });

  it('every built-in study states its calibration seeds, runs each mode on others, and gives every claim a floor and a ceiling', () => {
    for (const name of ['breadth', 'continuum', 'sample-efficiency', 'context', 'priors', 'long-context']) {
      const study = parseStudyText(readFileSync(join(studiesDir, `${name}.yaml`), 'utf8'), name);
      expect(study.calibrationSeeds, name).toEqual([1, 2, 3, 4, 5]);
      for (const mode of ['quick', 'full'] as const) {
        const seeds = resolveMode(study, mode).seeds;
        expect(seeds.filter((s) => study.calibrationSeeds!.includes(s)), `${name} ${mode}`).toEqual([]);
        expect(seeds.length, `${name} ${mode}`).toBeGreaterThanOrEqual(4);
      }
      // The two modes run on different seeds too, so `study compare` sets two independent seed sets side by side.
      const [quick, full] = [resolveMode(study, 'quick').seeds, resolveMode(study, 'full').seeds];
      expect(quick.filter((s) => full.includes(s)), name).toEqual([]);
      for (const c of study.claims) {
        expect(c.floor, `${name}: ${c.text}`).toBeDefined();
        expect(c.ceiling, `${name}: ${c.text}`).toBeDefined();
      }
    }
  });

  it("the README's example study file is valid and expands, with the families drawn per seed", () => {
    const readme = readFileSync(join(studiesDir, '..', 'README.md'), 'utf8');
    const yaml = /### A study file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1];
    const study = parseStudyText(yaml, 'README example');
    const quick = expandTrials(resolveMode(study, 'quick'));
    expect(quick.map((t) => t.id)).toEqual(['families=1/seed=1', 'families=1/seed=2', 'families=1/seed=3', 'families=4/seed=1', 'families=4/seed=2', 'families=4/seed=3']);
    const families = (t: (typeof quick)[number]) => t.recipe.stages[0].tasks!.families as string[];
    // Nested draws: with one seed, the 4 families contain the 1.
    for (const seed of [1, 2, 3]) {
      const [one, four] = [1, 4].map((k) => quick.find((t) => t.seed === seed && t.axes.families === k)!);
      expect(families(four)).toHaveLength(4);
      expect(families(four)).toContain(families(one)[0]);
    }
    expect(expandTrials(resolveMode(study, 'full'))).toHaveLength(15);
  });

  it('an evaluation of a stage the recipe does not have is refused at expansion, naming the field', () => {
    const study = parseStudy({ name: 's', recipe: { stages: [{ objective: 'sft', tasks: { families: ['math/add'] }, budget: { steps: 5 } }] }, evaluations: [{ kind: 'splits', stage: 1 }] });
    expect(problemsOf(() => expandTrials(study))).toContain('study.evaluations[0].stage: got 1; the recipe has 1 stage(s), numbered from 0 (leave stage out to measure the final model)');
  });

  it('manyShot and genreLoss need an lm stage on their own generated corpus, and say which', () => {
    const lm = (corpus: unknown) => ({ stages: [{ objective: 'lm', corpus, blockSize: 32, budget: { steps: 5 } }], model: { contextLength: 64 } });
    const markov = { kind: 'markov', documentLength: 65 };
    const functions = { kind: 'functions', demonstrations: 32 };
    const shots = parseStudy({ name: 's', recipe: lm(markov), evaluations: [{ kind: 'manyShot' }] });
    expect(problemsOf(() => expandTrials(shots))).toContain('study.evaluations[0]: manyShot measures unseen functions of a generated corpus; give an lm stage corpus: { kind: functions, keys: ..., values: ... }');
    const genres = parseStudy({ name: 's', recipe: lm(functions), evaluations: [{ kind: 'genreLoss' }] });
    expect(problemsOf(() => expandTrials(genres))[0]).toMatch(/^study.evaluations\[0\]: genreLoss measures unseen genres .*kind: markov/);
    expect(expandTrials(parseStudy({ name: 's', recipe: lm(functions), evaluations: [{ kind: 'manyShot', n: 8 }] }))).toHaveLength(3);
  });

  it('a malformed study gets one error per problem, each naming the field path, the value and what is allowed', () => {
    const problems = problemsOf(() =>
      parseStudy({ name: 'Bad Name', seeds: 0, recipe: base.recipe, sweep: { mode: 'random', axes: { seed: [] } }, evaluations: [{ kind: 'passAtK', ks: [32], samples: 8 }], surprise: 1 }),
    );
    expect(problems.length).toBe(6);
    const text = problems.join('\n');
    expect(text).toMatch(/^name: got "Bad Name"; a study name is lower-case/m);
    expect(text).toMatch(/^seeds: got 0; give a number of seeds \(1 to 1000\) or a list of seeds/m);
    expect(text).toMatch(/^sweep.samples: .*a random sweep needs samples/m);
    expect(text).toMatch(/^sweep.axes.seed: got \[\]; an axis needs at least one value/m);
    expect(text).toMatch(/^evaluations\[0\].ks: got \[32\]; every k must be <= samples/m);
    expect(text).toMatch(/^surprise: unknown field/m);
  });

  it('recipe problems are reported at their path in the recipe, once however many trials share them', () => {
    const study = parseStudy({
      ...base,
      seeds: [1, 2, 3],
      sweep: { axes: { 'stages[0].batchSize': [4, 0], 'stages[0].tasks.families[0]': ['math/add', 'math/nope'], 'stages[5].budget': [1] } },
    });
    const problems = problemsOf(() => expandTrials(study));
    expect(problems.some((p) => /stages\[5\].budget: stages\[5\] is past the end of a list of 1/.test(p))).toBe(true);
    const fixed = parseStudy({ ...base, seeds: [1, 2, 3], sweep: { axes: { 'stages[0].batchSize': [4, 0], 'stages[0].tasks.families[0]': ['math/add', 'math/nope'] } } });
    const lines = problemsOf(() => expandTrials(fixed));
    expect(lines.filter((l) => l.includes('stages[0].batchSize: got 0')).length).toBe(1);
    expect(lines.some((l) => l.includes('stages[0].tasks.families[0]') && l.includes('math/nope'))).toBe(true);
  });

  it('claims must name an axis of their part and arms among its values', () => {
    const study = parseStudy({
      ...base,
      sweep: { axes: { 'stages[0].batchSize': { name: 'B', values: [4, 8] } } },
      claims: [{ text: 't', label: 'l', measure: { last: 'eval/test_acc' }, axis: 'B', a: 4, b: 16, direction: 'increase' }, { text: 't', label: 'l', measure: { last: 'x' }, axis: 'C', a: 1, b: 2, direction: 'increase' }],
    });
    const problems = problemsOf(() => expandTrials(study));
    expect(problems).toContain('claims[0].b: got 16; the axis B has 4, 8');
    expect(problems).toContain('claims[1].axis: got "C"; part main has the axes B');
  });

  it('expands a grid crossed with seeds, with infinity spelled any way and quick overrides applied', () => {
    const study = parseStudyText(tiny, 'tiny');
    const full = expandTrials(resolveMode(study, 'full'));
    expect(full.map((t) => t.id)).toEqual(['M=1/seed=1', 'M=1/seed=2', 'M=4/seed=1', 'M=4/seed=2', 'M=infinity/seed=1', 'M=infinity/seed=2']);
    const last = full[5];
    expect(last.axes).toEqual({ M: 'infinity' });
    expect(last.seed).toBe(2);
    const entry = last.recipe.stages[0].tasks!.families[0] as { config: Record<string, unknown> };
    expect(entry.config).toMatchObject({ poolSize: 'infinity', poolSeed: 2 }); // seedPaths set the pool seed too
    expect(last.recipe.seed).toBe(2);
    const quick = expandTrials(resolveMode(study, 'quick'));
    expect(quick.map((t) => t.id)).toEqual(['M=1/seed=1', 'M=1/seed=2', 'M=infinity/seed=1', 'M=infinity/seed=2']);
    expect(quick[0].recipe.stages[0].budget.steps).toBe(20);
    for (const spelling of ['.inf', 'Infinity', Infinity]) {
      const s = parseStudy({ ...base, sweep: { axes: { 'stages[0].tasks.families[0]': [{ family: 'icl/cipher', config: { poolSize: spelling } }] } } });
      expect((s.parts[0].sweep.axes['stages[0].tasks.families[0]'] as { config: { poolSize: unknown } }[])[0].config.poolSize).toBe('infinity');
    }
  });

  it('a random sweep draws the asked number of distinct grid points, the same ones every time', () => {
    const spec = { ...base, seeds: [1], sweep: { mode: 'random', samples: 3, seed: 4, axes: { 'stages[0].batchSize': [2, 4, 8, 16], 'stages[0].schedule.lr': [1e-3, 3e-3] } } };
    const a = expandTrials(parseStudy(spec)).map((t) => t.id);
    expect(a).toHaveLength(3);
    expect(new Set(a).size).toBe(3);
    expect(expandTrials(parseStudy(spec)).map((t) => t.id)).toEqual(a);
  });

  it('list-valued axes take labels for ids and reports', () => {
    const study = parseStudy({ ...base, seeds: [1], sweep: { axes: { 'stages[0].tasks.families': { name: 'families', values: [['math/add'], ['math/add', 'math/sub']], labels: ['1', '2'] } } } });
    const trials = expandTrials(study);
    expect(trials.map((t) => t.id)).toEqual(['families=1/seed=1', 'families=2/seed=1']);
    expect(trials[1].axes).toEqual({ families: '2' });
    expect(trials[1].recipe.stages[0].tasks!.families).toEqual(['math/add', 'math/sub']);
  });
});
