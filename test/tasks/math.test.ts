/** math families: each answer recomputed independently, plus the cases that make each family hard. */
import { describe, expect, it } from 'vitest';
import { evalExpr, parseExpr } from '../../src/tasks/code/interpreter.js';
import type { Split } from '../../src/tasks/family.js';
import { getFamily } from '../../src/tasks/registry.js';
import { makeInstance, resolveConfig } from '../../src/tasks/split.js';
import { SYMBOLS } from '../../src/tasks/math/table.js';
import { sample, share } from './helpers.js';

const evaluate = (text: string) => evalExpr(parseExpr(text), new Map());

describe('math/add', () => {
  it('sums every operand, and carries happen', () => {
    const xs = sample('math/add', 3, 300);
    for (const i of xs) expect(Number(i.answer)).toBe(i.prompt.split('+').reduce((s, t) => s + Number(t), 0));
    // A carry out of the top digit: a 4-digit sum of two 3-digit numbers.
    expect(share(xs, (i) => i.answer.length === 4)).toBeGreaterThan(0.2);
  });
  it('uses operands with exactly the configured number of digits', () => {
    for (const i of sample('math/add', 4, 100)) for (const t of i.prompt.split('+')) expect(t).toMatch(/^[1-9]\d{4}$/);
    for (const i of sample('math/add', 5, 50)) expect(i.prompt.split('+')).toHaveLength(3);
  });
});

describe('math/sub', () => {
  it('never goes negative at the easy levels, and does at the hard ones', () => {
    for (const i of sample('math/sub', 2, 200)) expect(Number(i.answer)).toBeGreaterThanOrEqual(0);
    const hard = sample('math/sub', 3, 200);
    for (const i of hard) expect(Number(i.answer)).toBe(evaluate(i.prompt));
    expect(share(hard, (i) => i.answer.startsWith('-'))).toBeGreaterThan(0.2);
  });
});

describe('math/mul', () => {
  it('multiplies exactly, up to 9-digit products', () => {
    for (const i of sample('math/mul', 5, 200)) {
      const [a, b] = i.prompt.split('*').map(BigInt);
      expect(i.answer).toBe(String(a * b));
    }
  });
});

describe('math/mod', () => {
  it('reduces sums, products and powers correctly (checked with BigInt)', () => {
    const seen = new Set<string>();
    for (const i of sample('math/mod', 3, 300)) {
      const m = i.prompt.match(/^\(?(\d+)([+*^])?(\d+)?\)?%(\d+)$/)!;
      const [a, op, b, mod] = [BigInt(m[1]), m[2], m[3] === undefined ? 0n : BigInt(m[3]), BigInt(m[4])];
      const v = op === '+' ? (a + b) % mod : op === '*' ? (a * b) % mod : a ** b % mod;
      expect(i.answer, i.prompt).toBe(String(v));
      seen.add(op);
    }
    expect([...seen].sort()).toEqual(['*', '+', '^']);
  });
  it('writes (a+b)%m with parentheses so the usual precedence gives the answer', () => {
    for (const i of sample('math/mod', 2, 100)) if (i.prompt.includes('+')) expect(i.prompt).toMatch(/^\(\d+\+\d+\)%\d+$/);
  });
  it('with one fixed modulus is the p x p table of grokking, split by testFraction', () => {
    const family = getFamily('math/mod');
    const config = resolveConfig(family, 1, { minModulus: 7, maxModulus: 7, maxOperand: 6, ops: ['+'] });
    const cells = new Map<string, Split>();
    for (const split of ['train', 'test'] as const) {
      for (let index = 0; index < 400; index++) {
        const i = makeInstance(family, { config, split, seed: 0, index, testFraction: 0.7 });
        expect(i.prompt).toMatch(/^\(\d\+\d\)%7$/);
        expect(cells.get(i.prompt) ?? split).toBe(split); // a fact is never in both splits
        cells.set(i.prompt, split);
      }
    }
    // 400 draws per split cover all 49 facts; about 30% of them train.
    expect(cells.size).toBe(49);
    const trained = [...cells.values()].filter((s) => s === 'train').length / 49;
    expect(trained).toBeGreaterThan(0.15);
    expect(trained).toBeLessThan(0.45);
  });
  it('refuses a minModulus above maxModulus, naming the field', () => {
    expect(() => resolveConfig(getFamily('math/mod'), 1, { minModulus: 12, maxModulus: 9 })).toThrow(/minModulus/);
  });
});

describe('math/table', () => {
  it('answers x op y mod p with letters for residues, every op checked', () => {
    const index = (c: string) => SYMBOLS.indexOf(c);
    for (const [op, p, f] of [
      ['+', 23, (x: number, y: number) => (x + y) % 23],
      ['-', 13, (x: number, y: number) => (((x - y) % 13) + 13) % 13],
      ['*', 11, (x: number, y: number) => (x * y) % 11],
    ] as const) {
      for (const i of sample('math/table', 1, 200, { p, op })) {
        const [x, y] = [index(i.prompt[0]), index(i.prompt[2])];
        expect(i.prompt[1]).toBe(op);
        expect(x).toBeLessThan(p);
        expect(index(i.answer), i.prompt).toBe(f(x, y));
      }
    }
    // Division: answer * y == x (mod p), and y is never 0.
    for (const i of sample('math/table', 4, 200)) {
      const [x, y, q] = [index(i.prompt[0]), index(i.prompt[2]), index(i.answer)];
      expect(y).toBeGreaterThan(0);
      expect((q * y) % 23).toBe(x);
    }
  });
  it('states its modulus, so a mix of levels never trains one prompt with two answers', () => {
    // Without p in the prompt, levels 1-3 shared 150 prompts and 88 of them had different answers (c+g is b
    // mod 7 and i mod 13).
    const answers = new Map<string, Set<string>>();
    for (const level of [1, 2, 3, 4]) {
      for (const i of sample('math/table', level, 600)) answers.set(i.prompt, (answers.get(i.prompt) ?? new Set()).add(i.answer));
    }
    const ambiguous = [...answers].filter(([, a]) => a.size > 1).map(([p]) => p);
    expect(ambiguous).toEqual([]);
    expect(sample('math/table', 1, 1)[0].prompt).toMatch(/^[a-g][+][a-g] mod 7$/);
    expect(sample('math/table', 4, 1)[0].prompt).toMatch(/^[a-w]\/[b-w] mod 23$/);
  });
  it('refuses division by a composite modulus, naming p', () => {
    expect(() => resolveConfig(getFamily('math/table'), 1, { p: 12, op: '/' })).toThrow(/math\/table config: p: .*prime/);
  });
});

describe('math/compare', () => {
  it('answers <, > or =, with ties and negatives present', () => {
    const xs = sample('math/compare', 3, 400);
    for (const i of xs) {
      const [a, b] = i.prompt.split('?').map(Number);
      expect(i.answer).toBe(a < b ? '<' : a > b ? '>' : '=');
    }
    expect(share(xs, (i) => i.answer === '=')).toBeGreaterThan(0.1);
    expect(share(xs, (i) => i.prompt.includes('-'))).toBeGreaterThan(0.3);
    expect(share(xs, (i) => i.answer === '<')).toBeGreaterThan(0.2);
  });
  it('includes close pairs at the hardest level', () => {
    const xs = sample('math/compare', 4, 300);
    const close = share(xs, (i) => {
      const [a, b] = i.prompt.split('?').map(Number);
      return a !== b && Math.abs(a - b) < 10;
    });
    expect(close).toBeGreaterThan(0.2);
  });
});

describe('math/gcd', () => {
  it('is the greatest common divisor (brute force), and often more than 1', () => {
    const xs = sample('math/gcd', 2, 200);
    for (const i of xs) {
      const [a, b] = i.prompt.slice(4, -1).split(',').map(Number);
      let best = 1;
      for (let d = 1; d <= Math.min(a, b); d++) if (a % d === 0 && b % d === 0) best = d;
      expect(Number(i.answer), i.prompt).toBe(best);
    }
    expect(share(xs, (i) => i.answer !== '1')).toBeGreaterThan(0.7);
  });
});

describe('math/expr', () => {
  it('evaluates to the answer under the usual precedence, always with parentheses', () => {
    for (const level of [1, 2, 3, 4]) {
      for (const i of sample('math/expr', level, 100)) {
        expect(i.prompt).toContain('(');
        expect(String(evaluate(i.prompt)), i.prompt).toBe(i.answer);
      }
    }
  });
  it('parenthesizes a subtracted sum: a-(b+c) is not a-b+c', () => {
    const xs = sample('math/expr', 3, 400);
    expect(xs.some((i) => /-\(\d+[-+]/.test(i.prompt))).toBe(true);
  });
});

describe('math/linear', () => {
  /** Both sides at x, with "3x" read as 3*x. */
  const sides = (eq: string, x: string) => eq.split('=').map((s) => evaluate(s.replace(/(\d)x/g, '$1*x').replace(/x/g, `(${x})`)));

  it('the answer solves the equation, and it is the only solution', () => {
    for (const level of [1, 2, 3, 4]) {
      for (const i of sample('math/linear', level, 100)) {
        const [l, r] = sides(i.prompt, i.answer);
        expect(l, i.prompt).toBe(r);
        const [l2, r2] = sides(i.prompt, String(Number(i.answer) + 1));
        expect(l2, i.prompt).not.toBe(r2);
      }
    }
  });
  it('has negative solutions and x on both sides at higher levels', () => {
    const xs = sample('math/linear', 3, 200);
    expect(share(xs, (i) => i.answer.startsWith('-'))).toBeGreaterThan(0.2);
    expect(share(xs, (i) => i.prompt.split('=')[1].includes('x'))).toBe(1);
  });
});

describe('math/digitsum', () => {
  it('sums digits of numbers longer than a double holds exactly', () => {
    const xs = sample('math/digitsum', 4, 100);
    for (const i of xs) {
      const digits = i.prompt.slice(3, -1);
      expect(digits.length).toBeGreaterThanOrEqual(17);
      expect(Number(i.answer)).toBe([...digits].reduce((s, d) => s + Number(d), 0));
    }
  });
});

describe('math/count', () => {
  it('counts the list items in the relation, including zero counts', () => {
    const xs = sample('math/count', 2, 300);
    for (const i of xs) {
      const [, rel, t, list] = i.prompt.match(/^([<>=])(\d+):(.*)$/)!;
      const n = list.split(',').map(Number).filter((v) => (rel === '>' ? v > +t : rel === '<' ? v < +t : v === +t)).length;
      expect(Number(i.answer)).toBe(n);
    }
    expect(xs.some((i) => i.answer === '0')).toBe(true);
    expect(new Set(xs.map((i) => i.prompt[0]))).toEqual(new Set(['<', '>', '=']));
  });
});
