/** logic families: answers recomputed by independent means. */
import { describe, expect, it } from 'vitest';
import { sample, score, share } from './helpers.js';

describe('logic/bool', () => {
  /** Without xor our precedence is JavaScript's (& before |), so JS evaluates the formula. */
  const js = (prompt: string): boolean => {
    const [bindings, formula] = prompt.includes(':') ? prompt.split(':') : ['', prompt];
    const env = Object.fromEntries(bindings ? bindings.split(',').map((b) => [b[0], b[2] === 'T']) : []);
    const expr = formula.replace(/[a-d]/g, (v) => String(env[v])).replace(/T/g, 'true').replace(/F/g, 'false').replace(/&/g, '&&').replace(/\|/g, '||');
    return new Function(`return ${expr}`)() as boolean;
  };

  it('agrees with JavaScript on formulas without xor', () => {
    for (const level of [1, 2, 3]) for (const i of sample('logic/bool', level, 150)) expect(i.answer, i.prompt).toBe(js(i.prompt) ? 'T' : 'F');
  });
  it('reads ^ as exclusive or, binding like |, and both answers are common', () => {
    const xs = sample('logic/bool', 4, 300);
    expect(xs.some((i) => i.prompt.includes('^'))).toBe(true);
    expect(share(xs, (i) => i.answer === 'T')).toBeGreaterThan(0.25);
    expect(share(xs, (i) => i.answer === 'T')).toBeLessThan(0.75);
  });
});

describe('logic/order', () => {
  it('answers by reachability through the facts', () => {
    for (const i of sample('logic/order', 4, 150)) {
      const [facts, query] = i.prompt.split(':');
      const greater = new Map<string, string[]>();
      for (const f of facts.split(',')) {
        const [hi, lo] = f[1] === '>' ? [f[0], f[2]] : [f[2], f[0]];
        greater.set(hi, [...(greater.get(hi) ?? []), lo]);
      }
      const above = (a: string, b: string): boolean => (greater.get(a) ?? []).some((c) => c === b || above(c, b));
      const [x, y] = [query[0], query[2]];
      expect(i.answer).toBe(above(x, y) ? '>' : '<');
      expect(above(x, y) || above(y, x)).toBe(true);
    }
  });
});

describe('logic/syllogism', () => {
  it('answers "all" questions by following the premises, about half yes', () => {
    const xs = sample('logic/syllogism', 4, 300);
    for (const i of xs.filter((x) => !x.meta.askNo)) {
      const parents = new Map<string, string>();
      for (const m of i.prompt.matchAll(/all (\w+) are (\w+)\./g)) parents.set(m[1], m[2]);
      const [, x, y] = i.prompt.match(/so all (\w+) are (\w+)\?$/)!;
      let follows = false;
      for (let t: string | undefined = x; t; t = parents.get(t)) if (t === y) follows = true;
      expect(i.answer, i.prompt).toBe(follows ? 'yes' : 'no');
    }
    expect(share(xs, (i) => i.answer === 'yes')).toBeGreaterThan(0.35);
    expect(share(xs, (i) => i.answer === 'yes')).toBeLessThan(0.65);
    expect(xs.some((i) => i.meta.askNo)).toBe(true);
  });
});

describe('logic/sat', () => {
  const satisfies = (formula: string, bits: string) =>
    formula.split('&').every((c) =>
      c.replace(/[()]/g, '').split('|').some((lit) => {
        const neg = lit.startsWith('!');
        const v = bits[lit.charCodeAt(neg ? 1 : 0) - 97] === '1';
        return neg ? !v : v;
      }),
    );

  it('every formula has exactly one satisfying assignment: the answer', () => {
    for (const level of [1, 2, 3, 4]) {
      for (const i of sample('logic/sat', level, 60)) {
        const n = i.answer.length;
        const solutions = Array.from({ length: 2 ** n }, (_, b) => [...Array(n)].map((_, v) => (b >> v) & 1).join('')).filter((bits) => satisfies(i.prompt, bits));
        expect(solutions, i.prompt).toEqual([i.answer]);
      }
    }
  });
  it('scores by evaluation: wrong lengths and non-bits score 0', () => {
    const [i] = sample('logic/sat', 2, 1);
    expect(score(i, i.answer)).toBe(1);
    expect(score(i, `${i.answer}0`)).toBe(0);
    expect(score(i, i.answer.replace(/./, 'x'))).toBe(0);
  });
});
