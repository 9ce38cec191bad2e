/** Task mixes, family selection and curricula. */
import { describe, expect, it } from 'vitest';
import { Curriculum } from '../../src/tasks/curriculum.js';
import { TaskMix } from '../../src/tasks/mix.js';
import { MixSource } from '../../src/rollout/source.js';
import { listFamilies } from '../../src/tasks/registry.js';
import { chooseFamilies, selectFamilies, splitFamilies } from '../../src/tasks/select.js';
import { Rng } from '../../src/util/rng.js';

describe('TaskMix', () => {
  const mix = new TaskMix({
    families: [{ family: 'math/add', weight: 3, levels: [1, 2] }, { family: 'text/reverse', levels: [3] }, 'icl/cipher'],
    seed: 5,
  });

  it('samples reproducibly from an Rng, three draws per sample', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const xs = mix.sampleMany(a, 50);
    expect(mix.sampleMany(b, 50)).toEqual(xs);
    const c = new Rng(9);
    const d = new Rng(9);
    mix.sample(c);
    for (let i = 0; i < 3; i++) d.nextUint32();
    expect(c.state()).toEqual(d.state());
  });

  it('samples families by weight and levels among those listed', () => {
    const xs = mix.sampleMany(new Rng(2), 2000);
    const count = (f: string) => xs.filter((i) => i.family === f).length;
    expect(count('math/add') / xs.length).toBeGreaterThan(0.55);
    expect(count('math/add') / xs.length).toBeLessThan(0.65);
    expect(new Set(xs.filter((i) => i.family === 'math/add').map((i) => i.difficulty))).toEqual(new Set([1, 2]));
    expect(new Set(xs.filter((i) => i.family === 'text/reverse').map((i) => i.difficulty))).toEqual(new Set([3]));
    expect(new Set(xs.filter((i) => i.family === 'icl/cipher').map((i) => i.difficulty))).toEqual(new Set([1]));
  });

  it('samples the split asked for', () => {
    for (const i of mix.sampleMany(new Rng(3), 100, 'test')) expect(i.split).toBe('test');
  });

  it('reports breadth, families and the longest possible instance', () => {
    expect(mix.breadth()).toEqual({ families: 3, rules: Infinity, pooledFamilies: 1 });
    expect(mix.families()).toEqual(['math/add', 'text/reverse', 'icl/cipher']);
    expect(mix.maxLength()).toBe(44); // text/reverse at level 3: 'rev:' + 20 + 20
  });

  it('explains bad specs', () => {
    expect(() => new TaskMix({ families: [] })).toThrow(/at least one family/);
    expect(() => new TaskMix({ families: ['math/add', 'math/add'] })).toThrow(/listed twice/);
    expect(() => new TaskMix({ families: ['math/ad'] })).toThrow(/unknown task family 'math\/ad': did you mean math\/add/);
    expect(() => new TaskMix({ families: [{ family: 'math/add', weight: -1 }] })).toThrow(/families\[0\]\.weight/);
    expect(() => new TaskMix({ families: [{ family: 'math/add', levels: [9] }] })).toThrow(/difficulty must be an integer from 1 to 5/);
  });
});

describe('curriculum', () => {
  const mix = new TaskMix({ families: [{ family: 'math/add', levels: [1, 2, 3] }] });
  const levels = (c: Curriculum) => new Set(Array.from({ length: 300 }, (_, i) => mix.sample(new Rng(i), 'train', c).difficulty));

  it('steps: one more level every `every` steps', () => {
    const c = new Curriculum({ kind: 'steps', every: 100 });
    expect(levels(c)).toEqual(new Set([1]));
    c.setStep(150);
    expect(levels(c)).toEqual(new Set([1, 2]));
    c.setStep(10_000);
    expect(levels(c)).toEqual(new Set([1, 2, 3]));
  });

  it('accuracy: a family moves up once its recent mean score at its top level crosses the threshold', () => {
    const c = new Curriculum({ kind: 'accuracy', threshold: 0.8, window: 10 });
    expect(c.maxLevel('math/add', 3)).toBe(1);
    for (let i = 0; i < 10; i++) c.record('math/add', 1, i < 7 ? 1 : 0); // 0.7: not yet
    expect(c.maxLevel('math/add', 3)).toBe(1);
    for (let i = 0; i < 10; i++) c.record('math/add', 1, 1);
    expect(c.maxLevel('math/add', 3)).toBe(2);
    c.record('math/add', 1, 1); // scores below the top level do not count
    expect(c.saveState().families['math/add'].recent).toEqual([]);
    const saved = c.saveState();
    const restored = new Curriculum({ kind: 'accuracy', threshold: 0.8, window: 10 });
    restored.loadState(saved);
    expect(restored.maxLevel('math/add', 3)).toBe(2);
    expect(restored.maxLevel('text/sort', 4)).toBe(1);
  });

  it('walks the listed levels, whichever they are: levels that do not start at 1, or skip some', () => {
    // record() compared scores with level 1, 2, ... while the mix sampled 3, 4, 5: no score ever counted.
    const source = new MixSource(new TaskMix({ families: [{ family: 'math/add', levels: [3, 5] }] }), { kind: 'accuracy', threshold: 0.8, window: 10 });
    const sampled = () => new Set(Array.from({ length: 200 }, (_, i) => source.next(new Rng(i)).difficulty));
    expect(sampled()).toEqual(new Set([3]));
    const atThree = source.next(new Rng(0));
    for (let i = 0; i < 10; i++) source.learn(atThree, 1);
    expect(sampled()).toEqual(new Set([3, 5]));
    expect(source.saveState().families['math/add'].level).toBe(5);
    const steps = new Curriculum({ kind: 'steps', every: 100 });
    const mix = new TaskMix({ families: [{ family: 'math/add', levels: [2, 3, 4] }] });
    const stepLevels = () => new Set(Array.from({ length: 300 }, (_, i) => mix.sample(new Rng(i), 'train', steps).difficulty));
    expect(stepLevels()).toEqual(new Set([2]));
    steps.setStep(150);
    expect(stepLevels()).toEqual(new Set([2, 3]));
  });

  it('fixed: every level from the start; bad specs are explained', () => {
    expect(levels(new Curriculum())).toEqual(new Set([1, 2, 3]));
    expect(() => new Curriculum({ kind: 'steps', every: 0 } as never)).toThrow(/curriculum: every/);
    expect(() => new Curriculum({ kind: 'sometimes' } as never)).toThrow(/kinds: fixed, steps, accuracy/);
  });
});

describe('choosing families', () => {
  it('chooses k families from domains reproducibly, and differently for another seed', () => {
    const a = chooseFamilies({ k: 4, seed: 1, domains: ['math', 'text'] });
    expect(a).toEqual(chooseFamilies({ k: 4, seed: 1, domains: ['text', 'math'] }));
    expect(a).toHaveLength(4);
    for (const name of a) expect(name).toMatch(/^(math|text)\//);
    const others = new Set([2, 3, 4, 5].map((seed) => chooseFamilies({ k: 4, seed, domains: ['math', 'text'] }).join()));
    expect(others.size).toBeGreaterThan(1);
  });
  it('leaves out excluded families and explains impossible k', () => {
    const chosen = chooseFamilies({ k: 3, seed: 0, domains: ['icl'], exclude: ['icl/cipher'] });
    expect(chosen).toEqual(['icl/affine', 'icl/lookup', 'icl/rewrite']);
    expect(() => chooseFamilies({ k: 5, seed: 0, domains: ['icl'] })).toThrow(/k must be from 1 to 4 \(the families in domains icl\)/);
  });
  it('holds out families by name or domain, training on the rest', () => {
    const { train, heldOut } = splitFamilies({ domains: ['icl'], names: ['math/gcd'] });
    expect(heldOut).toEqual(['icl/affine', 'icl/cipher', 'icl/lookup', 'icl/rewrite', 'math/gcd']);
    expect(train.some((n) => n.startsWith('icl/') || n === 'math/gcd')).toBe(false);
    expect(train.length + heldOut.length).toBe(listFamilies().length);
    expect(splitFamilies({ names: ['text/sort'] }, ['text']).train).not.toContain('math/add');
    expect(() => selectFamilies({ names: ['text/sorted'] })).toThrow(/did you mean text\/sort/);
    expect(() => selectFamilies({ domains: ['maths' as never] })).toThrow("unknown domain 'maths': use one of math, code, logic, text, icl, world, user");
  });
});
