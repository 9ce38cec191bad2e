/** The checks themselves must catch broken families: each check is tested against a family built to fail it. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DOMAINS, getFamily, listFamilies } from '../../src/tasks/index.js';
import { checkFamily, corruptions } from '../../src/tasks/checks.js';
import { makeInstance, resolveConfig } from '../../src/tasks/split.js';
import { defineFamily, exactScore, type Generated, type TaskFamily } from '../../src/tasks/family.js';
import { Rng } from '../../src/util/rng.js';

const Config = z.object({ digits: z.number().default(2) });
type Config = z.output<typeof Config>;

/** A correct little family (add two numbers) that each test breaks in one way. */
function family(overrides: Partial<TaskFamily<Config>> = {}): TaskFamily {
  return defineFamily<Config>({
    name: 'math/fake',
    domain: 'math',
    description: 'a family for testing the checks',
    config: Config,
    levels: [{ digits: 1 }, { digits: 2 }, { digits: 3 }],
    generate: (rng: Rng, cfg: Config): Generated => {
      const a = rng.int(10 ** cfg.digits);
      const b = rng.int(10 ** cfg.digits);
      return { prompt: `${a}+${b}`, answer: String(a + b), meta: {} };
    },
    score: exactScore,
    key: (g) => g.prompt,
    maxLength: (cfg) => 3 * cfg.digits + 2,
    ...overrides,
  }) as unknown as TaskFamily;
}

const failed = (f: TaskFamily) =>
  Object.fromEntries(checkFamily(f, { perLevel: 30, splitInstances: 1000 }).filter((r) => !r.ok).map((r) => [r.check, r.detail]));

describe('checkFamily', () => {
  it('passes a correct family', () => {
    expect(failed(family())).toEqual({});
  });

  it('catches a scorer that accepts anything', () => {
    expect(failed(family({ score: () => 1 })).corrupt).toMatch(/scores 1/);
  });

  it('catches a scorer that throws on junk', () => {
    const score = (o: string, g: Generated) => {
      if (o.length > 1000) throw new Error('too long');
      return exactScore(o, g);
    };
    expect(failed(family({ score })).corrupt).toMatch(/10 kB of junk answer throws too long/);
  });

  it('catches a wrong reference answer', () => {
    const generate = (rng: Rng) => ({ prompt: `${rng.int(100)}+1`, answer: 'x', meta: {} });
    expect(failed(family({ generate, score: (o) => (o === 'y' ? 1 : 0) })).reference).toMatch(/reference scores 0/);
  });

  it('catches a key that does not identify the problem (split by seed)', () => {
    // A key that changes with each draw: the same problem can land in both splits.
    let n = 0;
    expect(failed(family({ key: (g) => `${g.prompt}#${n++ % 3}` })).split).toBeDefined();
  });

  it('catches test prompts that are train prompts though no canonical key is in both splits', () => {
    // The key holds a part of the problem the prompt does not show (as an in-context episode shows only part of
    // its rule): keys never cross the split, prompts do. A check on keys alone cannot see this.
    const generate = (rng: Rng) => {
      const a = rng.int(10);
      const hidden = rng.int(1000);
      return { prompt: `${a}+0`, answer: String(a), meta: { hidden } };
    };
    expect(failed(family({ generate, key: (g) => `${g.prompt}#${g.meta.hidden}` })).split).toMatch(
      /difficulty 1: \d+ of \d+ test prompts are also train prompts, e.g. "\d\+0"/,
    );
  });

  it('catches a prompt with two answers across levels', () => {
    // The level changes the answer but not the prompt, like a modulus left out of it.
    const generate = (rng: Rng, cfg: Config) => {
      const a = rng.int(10);
      return { prompt: `${a}*?`, answer: String(a * cfg.digits), meta: {} };
    };
    expect(failed(family({ generate, maxLength: () => 6 })).unambiguous).toMatch(/prompt "(\d)\*\?" has answer "\d+" at difficulty 1 and "\d+" at difficulty 2/);
  });

  it('accepts two references for one prompt when the verifier accepts both', () => {
    // Any even number answers `even?`: different references, one answer set.
    const generate = (rng: Rng) => ({ prompt: `even${rng.int(50)}?`, answer: String(2 * rng.int(5)), meta: {} });
    const score = (o: string) => (/^[02468]$/.test(o.trim()) ? 1 : 0);
    expect(failed(family({ generate, score, maxLength: () => 8 })).unambiguous).toBeUndefined();
  });

  it('covers a family\'s extra check configs in the split check', () => {
    // A leak only at a config no level uses: the digits field set to 0 hides the number.
    const generate = (rng: Rng, cfg: Config) => {
      const a = rng.int(1000);
      return { prompt: cfg.digits === 0 ? '?' : `${a}`, answer: String(a), meta: {} };
    };
    const leaky = { generate, key: (g: Generated) => g.answer, maxLength: () => 7 };
    expect(failed(family(leaky)).split).toBeUndefined();
    expect(failed(family({ ...leaky, checkConfigs: [{ digits: 0 }] })).split).toMatch(/difficulty 1 with \{"digits":0\}: \d+ of \d+ test prompts are also train prompts/);
  });

  it('catches a non-deterministic generator', () => {
    const generate = (_rng: Rng) => {
      const a = Math.floor(Math.random() * 1000);
      return { prompt: `${a}+0`, answer: String(a), meta: {} };
    };
    expect(failed(family({ generate })).determinism).toMatch(/gave/);
  });

  it('catches an instance longer than declared and a declared maximum over 256', () => {
    expect(failed(family({ maxLength: () => 3 })).length).toMatch(/declared 3/);
    expect(failed(family({ maxLength: () => 300 })).length).toMatch(/declares 300 chars .* limit is 256/);
  });

  it('catches levels that do not differ', () => {
    expect(failed(family({ levels: [{ digits: 2 }, { digits: 2 }, { digits: 3 }] })).levels).toMatch(/difficulty 1 and 2 have the same config/);
  });

  it('names the family and the character when a family leaves the vocabulary', () => {
    const generate = (rng: Rng) => {
      const a = rng.int(1000);
      return { prompt: `${a}×2`, answer: String(2 * a), meta: {} };
    };
    expect(failed(family({ generate })).vocab).toMatch(/math\/fake emits '×' \(U\+00D7\) outside the vocabulary in its prompt/);
  });
});

describe('corruptions', () => {
  it('are all different from the reference, and include empty text and 10 kB of junk', () => {
    const rng = new Rng(1);
    for (const answer of ['5', 'yes', '-12', 'RRDD', 'Ab Cd']) {
      for (let i = 0; i < 50; i++) {
        const list = corruptions(answer, rng);
        expect(list.map(([kind]) => kind)).toEqual(['one character changed', 'truncated', 'empty', 'random', '10 kB of junk']);
        for (const [kind, text] of list) expect(text.trim(), `${kind} of ${answer}`).not.toBe(answer);
        expect(list[4][1].length).toBe(10_000);
      }
    }
  });
});

describe('the universe', () => {
  it('has 30+ families across 6+ domains, each with 3+ levels', () => {
    const families = listFamilies();
    const domains = new Set(families.map((f) => f.domain));
    expect(families.length).toBeGreaterThanOrEqual(30);
    expect(domains.size).toBeGreaterThanOrEqual(6);
    for (const f of families) expect(f.levels.length, f.name).toBeGreaterThanOrEqual(3);
    expect(DOMAINS).toContain('world');
  });

  it('fits small models: every family is at most 64 chars at its easiest level', () => {
    for (const f of listFamilies()) expect(f.maxLength(resolveConfig(f, 1)), f.name).toBeLessThanOrEqual(64);
  });

  it('never shows the same prompt in two families, so one family cannot leak another\'s test set', () => {
    const owner = new Map<string, string>();
    for (const f of listFamilies()) {
      for (let level = 1; level <= f.levels.length; level++) {
        for (let index = 0; index < 60; index++) {
          const { prompt } = makeInstance(f, { split: 'train', seed: 0, index, difficulty: level });
          const other = owner.get(prompt);
          if (other !== undefined && other !== f.name) expect.fail(`${JSON.stringify(prompt)} is in ${other} and ${f.name}`);
          owner.set(prompt, f.name);
        }
      }
    }
  });
});

describe('controls that cannot break it', () => {
  const family = (name: string) => getFamily(name);
  it('impossible configs are explained, never looped on', () => {
    expect(() => makeInstance(family('code/stack'), { split: 'train', seed: 0, index: 0, config: resolveConfig(family('code/stack'), 1, { ops: 6, words: ['dup'] }) })).toThrow(
      /code\/stack: no acceptable instance in 10000 draws with this config; allow \+ - \* or drop/,
    );
    expect(() => resolveConfig(family('code/complete'), 1, { tests: 5, maxInput: 3 })).toThrow(/code\/complete config: maxInput: must be at least tests/);
    expect(() => resolveConfig(family('math/linear'), 3, { maxCoefficient: 1, negative: false })).toThrow(/math\/linear config: maxCoefficient: must be at least 2 with bothSides/);
    expect(() => resolveConfig(family('icl/rewrite'), 4, { inputLength: 3 })).toThrow(/icl\/rewrite config: inputLength: must be longer than patternLength/);
  });
  it('edge configs still generate', () => {
    const edge: Array<[string, Record<string, unknown>]> = [
      ['text/count', { alphabet: 26 }],
      ['code/complete', { kinds: ['branch'], tests: 5 }],
      ['icl/cipher', { k: 0 }],
      ['icl/rewrite', { maxReplacement: 0 }],
      ['world/fetch', { width: 2, height: 2, walls: 0, minDistance: 1 }],
      ['logic/sat', { variables: 6, clauseWidth: 1 }],
    ];
    for (const [name, overrides] of edge) {
      const f = family(name);
      const config = resolveConfig(f, 1, overrides);
      for (let index = 0; index < 20; index++) {
        const inst = makeInstance(f, { split: 'train', seed: 0, index, config });
        expect(f.score(inst.answer, inst), `${name} ${inst.prompt}`).toBe(1);
      }
    }
  });
});
