/** text families: answers recomputed directly, plus their tricky cases. */
import { describe, expect, it } from 'vitest';
import { sample, share } from './helpers.js';

const body = (prompt: string) => prompt.slice(prompt.indexOf(':') + 1);

describe('text families', () => {
  it('text/reverse reverses', () => {
    for (const i of sample('text/reverse', 3, 100)) expect(i.answer).toBe([...body(i.prompt)].reverse().join(''));
  });
  it('text/sort sorts ascending, and descending when asked with sort-:', () => {
    const xs = sample('text/sort', 3, 200);
    for (const i of xs) {
      const sorted = [...body(i.prompt)].sort();
      expect(i.answer).toBe((i.prompt.startsWith('sort-:') ? sorted.reverse() : sorted).join(''));
    }
    expect(share(xs, (i) => i.prompt.startsWith('sort-:'))).toBeGreaterThan(0.3);
  });
  it('text/dedup keeps first occurrences in order, and inputs do repeat', () => {
    const xs = sample('text/dedup', 2, 100);
    for (const i of xs) expect(i.answer).toBe([...body(i.prompt)].filter((c, k, all) => all.indexOf(c) === k).join(''));
    expect(share(xs, (i) => i.answer.length < body(i.prompt).length)).toBeGreaterThan(0.9);
  });
  it('text/caesar wraps around the alphabet in both directions', () => {
    const xs = sample('text/caesar', 3, 200);
    for (const i of xs) {
      const by = Number(i.prompt.slice(3, i.prompt.indexOf(':')));
      const out = [...body(i.prompt)].map((c) => String.fromCharCode(97 + ((((c.charCodeAt(0) - 97 + by) % 26) + 26) % 26))).join('');
      expect(i.answer).toBe(out);
    }
    expect(xs.some((i) => i.prompt.startsWith('rot-'))).toBe(true);
  });
  it('text/count counts, and sometimes the answer is 0', () => {
    const xs = sample('text/count', 2, 200);
    for (const i of xs) {
      const target = i.prompt[6];
      expect(Number(i.answer)).toBe([...body(i.prompt)].filter((c) => c === target).length);
    }
    expect(share(xs, (i) => i.answer === '0')).toBeGreaterThan(0.1);
  });
  it('text/palindrome is balanced and its non-palindromes are mostly near misses', () => {
    const xs = sample('text/palindrome', 3, 400);
    for (const i of xs) {
      const s = body(i.prompt);
      expect(i.answer).toBe(s === [...s].reverse().join('') ? 'yes' : 'no');
    }
    const no = xs.filter((i) => i.answer === 'no');
    expect(no.length / xs.length).toBeGreaterThan(0.35);
    expect(no.length / xs.length).toBeLessThan(0.65);
    const mismatches = (s: string) => [...s].filter((c, k) => c !== s[s.length - 1 - k]).length / 2;
    expect(share(no, (i) => mismatches(body(i.prompt)) === 1)).toBeGreaterThan(0.5);
  });
  it('text/case applies each transform, title case per word', () => {
    const xs = sample('text/case', 3, 300);
    for (const i of xs) {
      const [how, s] = [i.prompt.slice(0, i.prompt.indexOf(':')), body(i.prompt)];
      const expected = {
        up: s.toUpperCase(),
        low: s.toLowerCase(),
        swap: [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join(''),
        title: s.split(' ').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join(' '),
      }[how];
      expect(i.answer, i.prompt).toBe(expected);
    }
    expect(xs.some((i) => i.prompt.startsWith('title:') && i.answer.includes(' '))).toBe(true);
  });
});
