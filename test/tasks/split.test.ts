/** Splits that cannot leak: decided by a hash of the canonical key, never by the seed. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configKeys } from '../../src/tasks/config-keys.js';
import { getFamily, listFamilies } from '../../src/tasks/registry.js';
import { defineFamily, exactScore, type TaskFamily } from '../../src/tasks/family.js';
import { MAX_SPLIT_DRAWS, makeInstance, resolveConfig, splitOf } from '../../src/tasks/split.js';
import { sample } from './helpers.js';

describe('instance split', () => {
  it('no test question is ever a training question, whatever the seeds (unlike a split by seed)', () => {
    // reasoning-gym's seed split lets seeds 42 and 43 share most questions; here the seeds do share train
    // questions (the space is small), but no seed's test question appears in any seed's training set.
    const train = [...sample('math/add', 2, 500, {}, 'train', 42), ...sample('math/add', 2, 500, {}, 'train', 43)];
    const test = [...sample('math/add', 2, 500, {}, 'test', 42), ...sample('math/add', 2, 500, {}, 'test', 43)];
    const trainKeys = new Set(train.map((i) => i.key));
    const shared42and43 = sample('math/add', 2, 500, {}, 'train', 42).filter((i) => new Set(sample('math/add', 2, 500, {}, 'train', 43).map((j) => j.key)).has(i.key));
    expect(shared42and43.length).toBeGreaterThan(0);
    expect(test.filter((i) => trainKeys.has(i.key))).toEqual([]);
  });

  it('holds out the configured fraction of keys, and the salt reshuffles which', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `${i}+${i * 7}`);
    const share = (salt?: string, testFraction?: number) => keys.filter((k) => splitOf('math/add', k, { salt, testFraction }) === 'test').length / keys.length;
    expect(share()).toBeGreaterThan(0.09);
    expect(share()).toBeLessThan(0.11);
    expect(share(undefined, 0.3)).toBeGreaterThan(0.28);
    expect(share(undefined, 0.3)).toBeLessThan(0.32);
    const a = keys.filter((k) => splitOf('math/add', k) === 'test');
    const b = new Set(keys.filter((k) => splitOf('math/add', k, { salt: 'other' }) === 'test'));
    expect(a.filter((k) => b.has(k)).length / a.length).toBeLessThan(0.2); // about 10% by chance
    expect(() => splitOf('math/add', 'k', { testFraction: 1 })).toThrow(/testFraction must be in \(0, 1\)/);
  });

  it('is part of the instance request: the same index in train and test gives different instances', () => {
    const family = getFamily('math/mul');
    const a = makeInstance(family, { split: 'train', seed: 0, index: 3, difficulty: 3 });
    const b = makeInstance(family, { split: 'test', seed: 0, index: 3, difficulty: 3 });
    expect(a.split).toBe('train');
    expect(b.split).toBe('test');
    expect(a.key).not.toBe(b.key);
    expect(makeInstance(family, { split: 'test', seed: 0, index: 3, difficulty: 3 })).toEqual(b);
  });

  it('explains a problem space too small to have test instances', () => {
    const tiny = defineFamily({
      name: 'math/tiny', domain: 'math', description: 'three problems', config: z.object({ n: z.number().default(0) }),
      levels: [{ n: 1 }, { n: 2 }, { n: 3 }],
      generate: (rng) => { const a = rng.int(3); return { prompt: `${a}`, answer: `${a}`, meta: {} }; },
      score: exactScore, key: (g) => g.prompt, maxLength: () => 2,
    }) as unknown as TaskFamily;
    const tested = [0, 1, 2].filter((a) => splitOf('math/tiny', String(a), { testFraction: 0.01 }) === 'test');
    expect(tested).toEqual([]);
    expect(() => makeInstance(tiny, { split: 'test', seed: 0, index: 0, testFraction: 0.01 })).toThrow(
      `math/tiny: no test instance in ${MAX_SPLIT_DRAWS} draws at difficulty 1; its problem space is too small`,
    );
  });
});

describe('resolveConfig', () => {
  const add = getFamily('math/add');
  it('applies the level, then the overrides, then the defaults', () => {
    expect(resolveConfig(add, 1)).toEqual({ digits: 1, operands: 2 });
    expect(resolveConfig(add, 5)).toEqual({ digits: 4, operands: 3 });
    expect(resolveConfig(add, 2, { operands: 4 })).toEqual({ digits: 2, operands: 4 });
    expect(resolveConfig(add, null)).toEqual({ digits: 2, operands: 2 });
  });
  it('names the family, the field and the range on bad input', () => {
    expect(() => resolveConfig(add, 6)).toThrow('math/add: difficulty must be an integer from 1 to 5, got 6');
    expect(() => resolveConfig(add, 1, { digits: 20 })).toThrow(/^math\/add config: digits: .*12/);
    expect(() => resolveConfig(add, 1, { digits: 'two' })).toThrow(/math\/add config: digits/);
  });

  it('refuses config keys the family does not have, instead of dropping them and using the default', () => {
    expect(() => resolveConfig(getFamily('icl/lookup'), 1, { poolsize: 16 })).toThrow('icl/lookup has no config key "poolsize": did you mean poolSize? Its keys: k, poolSize, poolSeed, keys, maxValue');
    expect(() => resolveConfig(getFamily('math/add'), 1, { digit: 2 })).toThrow('math/add has no config key "digit": did you mean digits? Its keys: digits, operands');
    expect(() => resolveConfig(getFamily('text/sort'), 1, { colour: 'red' })).toThrow('text/sort has no config key "colour"; its keys: minLength, maxLength, descending');
    expect(resolveConfig(getFamily('icl/lookup'), 1, { poolSize: 16 })).toMatchObject({ poolSize: 16 });
    // Every family's schema lists its keys, so no family escapes the check.
    for (const f of listFamilies()) expect(configKeys(f)?.length, f.name).toBeGreaterThan(0);
  });
});
