/** In-context families: the pool-size (task diversity) knob, k, rule splits, and solvable episodes. */
import { describe, expect, it } from 'vitest';
import { getFamily } from '../../src/tasks/registry.js';
import { resolveConfig, splitOf } from '../../src/tasks/split.js';
import { TaskMix } from '../../src/tasks/mix.js';
import { sample } from './helpers.js';

const ICL = ['icl/cipher', 'icl/affine', 'icl/rewrite', 'icl/lookup'];
/** Families whose episodes are keyed by their first demonstration; icl/lookup is keyed by the entries it shows. */
const KEYED_BY_OPENING = ICL.filter((name) => name !== 'icl/lookup');
const rules = (xs: { meta: Record<string, unknown> }[]) => new Set(xs.map((i) => String(i.meta.rule)));
const demos = (prompt: string) => prompt.split(';').slice(0, -1).map((d) => d.split('>') as [string, string]);

describe.each(ICL)('%s', (name) => {
  it('trains on exactly poolSize rules, and on fresh ones with poolSize Infinity', () => {
    expect(rules(sample(name, 2, 300, { poolSize: 3 })).size).toBe(3);
    expect(rules(sample(name, 2, 300, { poolSize: 3, poolSeed: 1 }))).not.toEqual(rules(sample(name, 2, 300, { poolSize: 3 })));
    expect(rules(sample(name, 2, 300, { poolSize: 'infinity' })).size).toBeGreaterThan(30);
  });
  it('tests on rules that are never in a training pool: the rule split is a hash', () => {
    const pool = rules(sample(name, 2, 300, { poolSize: 64 }));
    const test = sample(name, 2, 100, { poolSize: 64 }, 'test');
    for (const i of test) {
      expect(pool.has(String(i.meta.rule))).toBe(false);
      expect(splitOf(name, String(i.meta.rule))).toBe('test');
    }
    for (const rule of pool) expect(splitOf(name, rule)).toBe('train');
  });
  it('with k = 0 and a pool of one rule (a rule learned in weights) draws that rule for training, fresh ones for test', () => {
    for (const poolSeed of [0, 1, 2, 3, 4, 5]) {
      const train = sample(name, 1, 20, { k: 0, poolSize: 1, poolSeed });
      expect(rules(train).size).toBe(1);
      const test = sample(name, 1, 20, { k: 0, poolSize: 1, poolSeed }, 'test');
      for (const i of test) expect(rules(train).has(String(i.meta.rule))).toBe(false);
    }
  });
  it('shows exactly k demonstrations, k = 0 included', () => {
    for (const k of [0, 1, 7]) for (const i of sample(name, 1, 20, { k })) expect(demos(i.prompt)).toHaveLength(k);
  });
  it.runIf(KEYED_BY_OPENING.includes(name))('keeps the rule and the first demonstrations when k grows, so k-curves compare like with like', () => {
    for (const split of ['train', 'test'] as const) {
      const few = sample(name, 2, 30, { k: 2 }, split);
      const many = sample(name, 2, 30, { k: 6 }, split);
      few.forEach((i, n) => {
        expect(many[n].meta.rule).toBe(i.meta.rule);
        expect(demos(many[n].prompt).slice(0, 2)).toEqual(demos(i.prompt));
      });
    }
  });
  it('reports its rule breadth', () => {
    const family = getFamily(name);
    expect(family.ruleBreadth!(resolveConfig(family, 1, { poolSize: 16 }))).toBe(16);
    expect(family.ruleBreadth!(resolveConfig(family, 1))).toBe(Infinity);
  });
});

describe('icl episodes are answerable from their demonstrations', () => {
  it('icl/cipher: the letter mapping the demonstrations reveal decodes the query', () => {
    for (const i of sample('icl/cipher', 3, 100)) {
      const map = new Map<string, string>();
      for (const [x, y] of demos(i.prompt)) [...x].forEach((c, j) => map.set(c, y[j]));
      const query = i.prompt.slice(i.prompt.lastIndexOf(';') + 1, -1);
      expect([...query].map((c) => map.get(c)).join('')).toBe(i.answer);
    }
  });
  it('icl/affine: the query input is new, and the rule fits every demonstration', () => {
    for (const i of sample('icl/affine', 3, 100)) {
      const [a, b, p] = String(i.meta.rule).split(',').map(Number);
      const shown = demos(i.prompt);
      for (const [x, y] of shown) expect((a * Number(x) + b) % p).toBe(Number(y));
      const query = i.prompt.slice(i.prompt.lastIndexOf(';') + 1, -1);
      expect(shown.map(([x]) => x)).not.toContain(query);
      expect(Number(i.answer)).toBe((a * Number(query) + b) % p);
    }
  });
  it('icl/lookup: the queried key is among the demonstrations, with the answer as its value', () => {
    for (const i of sample('icl/lookup', 3, 100)) {
      const query = i.prompt.slice(i.prompt.lastIndexOf(';') + 1, -1);
      expect(demos(i.prompt)).toContainEqual([query, i.answer]);
    }
  });
  it('icl/rewrite: every input shows the pattern, and answers are never empty', () => {
    for (const i of sample('icl/rewrite', 4, 100)) {
      const [from, to] = String(i.meta.rule).split('>');
      for (const [x, y] of demos(i.prompt)) {
        expect(x).toContain(from);
        expect(x.split(from).join(to)).toBe(y);
      }
      expect(i.answer.length).toBeGreaterThan(0);
    }
  });
});

describe('no test episode is a training episode: the split holds for the prompt the model sees', () => {
  // With fewer demonstrations than keys an episode shows part of its rule, so before the split covered what is
  // shown, a test rule's episode was often character for character an episode of some training rule: 231 of
  // 1,000 test prompts at lookup's first level were among 20,000 training draws, 500 of 500 with k = 1 or 2.
  const prompts = (name: string, overrides: Record<string, unknown>, split: 'train' | 'test', n: number, seeds: number) =>
    Array.from({ length: seeds }, (_, seed) => sample(name, 1, n / seeds, overrides, split, seed).map((i) => i.prompt)).flat();
  it.each([
    ['icl/lookup', {}, 20_000],
    ['icl/lookup', { k: 1 }, 5_000],
    ['icl/lookup', { k: 2 }, 5_000],
    ['icl/cipher', { k: 1 }, 5_000],
    ['icl/affine', { k: 1 }, 5_000],
  ])('%s at difficulty 1 with %j', (name, overrides, trainDraws) => {
    const train = new Set(prompts(name, overrides, 'train', trainDraws, 4));
    const test = prompts(name, overrides, 'test', 1000, 2);
    const leaked = test.filter((p) => train.has(p));
    expect(leaked.length, `${leaked.length} of ${test.length} test prompts are train prompts, e.g. ${leaked[0]}`).toBe(0);
  });
  it('icl/lookup: a test episode shows a set of entries no training episode shows, each entry seen in training', () => {
    const shown = (p: string) => [...new Set(demos(p).map(([x, y]) => `${x}>${y}`))].sort().join(',');
    for (const overrides of [{ keys: 2, k: 2 }, { keys: 4, k: 2 }, { keys: 4, k: 6 }]) {
      const train = sample('icl/lookup', 1, 4000, { ...overrides, maxValue: 9 });
      const trainSets = new Set(train.map((i) => shown(i.prompt)));
      const trainEntries = new Set(train.flatMap((i) => demos(i.prompt).map(([x, y]) => `${x}>${y}`)));
      for (const i of sample('icl/lookup', 1, 300, { ...overrides, maxValue: 9 }, 'test')) {
        expect(splitOf('icl/lookup', String(i.meta.rule)), `rule ${i.meta.rule}`).toBe('test');
        expect(trainSets.has(shown(i.prompt)), i.prompt).toBe(false);
        for (const [x, y] of demos(i.prompt)) expect(trainEntries.has(`${x}>${y}`), `${x}>${y} of ${i.prompt}`).toBe(true);
      }
    }
    // Order and repeats do not change what an episode shows.
    const family = getFamily('icl/lookup');
    const key = (prompt: string) => family.key({ prompt, answer: '1', meta: { shown: shown(prompt) } });
    expect(key('b>2;a>1;b>')).toBe(key('a>1;b>2;a>1;a>'));
  });
  it('a test episode has a test rule and opens with a demonstration no training episode opens with', () => {
    for (const name of KEYED_BY_OPENING) {
      const opening = (p: string) => p.split(';')[0];
      const trainOpenings = new Set(sample(name, 1, 2000, { k: 2 }).map((i) => opening(i.prompt)));
      for (const i of sample(name, 1, 200, { k: 2 }, 'test')) {
        expect(splitOf(name, String(i.meta.rule)), `${name} rule ${i.meta.rule}`).toBe('test');
        expect(trainOpenings.has(opening(i.prompt)), `${name} ${i.prompt}`).toBe(false);
      }
    }
  });
});

describe('pool sizes', () => {
  it('accepts "infinity", and explains a pool larger than the rule space', () => {
    const family = getFamily('icl/affine');
    expect(resolveConfig(family, 1, { poolSize: 'infinity' }).poolSize).toBe(Infinity);
    expect(() => sample('icl/affine', 1, 1, { poolSize: 500 })).toThrow(/found only \d+ distinct training items, fewer than the pool size 500/);
    expect(() => resolveConfig(family, 1, { poolSize: 0 })).toThrow(/icl\/affine config: poolSize/);
  });
  it('adds up to a mix breadth in rules', () => {
    const mix = new TaskMix({
      families: [
        { family: 'icl/cipher', config: { poolSize: 8 } },
        { family: 'icl/lookup', config: { poolSize: 32 } },
        'math/add',
      ],
    });
    expect(mix.breadth()).toEqual({ families: 3, rules: 40, pooledFamilies: 2 });
    expect(new TaskMix({ families: ['icl/cipher'] }).breadth().rules).toBe(Infinity);
  });
});
