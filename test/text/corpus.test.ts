import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusWindow, decode, makeCorpus } from '../../src/text/index.js';
import { loadCorpus } from '../../src/text/corpus-file.js';
import { Rng } from '../../src/util/rng.js';

describe('makeCorpus', () => {
  it('splits by position: the first 90% trains, the last 10% validates', () => {
    const text = 'abcdefghij'.repeat(10); // 100 chars
    const c = makeCorpus('t', text);
    expect(c.chars).toBe(100);
    expect(decode(c.train)).toBe(text.slice(0, 90));
    expect(decode(c.val)).toBe(text.slice(90));
  });

  it('names the unknown character and where it is', () => {
    expect(() => makeCorpus('poem', 'line one\nline twö')).toThrow("corpus poem: unknown character 'ö' (U+00F6) at position 16 (line 2, column 8)");
  });

  it('refuses texts too short to split and bad fractions', () => {
    expect(() => makeCorpus('tiny', 'abc')).toThrow(/too short/);
    expect(() => makeCorpus('t', 'a'.repeat(100), 1)).toThrow(/trainFraction/);
  });
});

describe('corpusWindow', () => {
  it('draws reproducible windows of T+1 tokens inside the split', () => {
    const c = makeCorpus('t', 'abcdefghijklmnopqrstuvwxyz'.repeat(4));
    const a = corpusWindow(c, 'train', 8, new Rng(3));
    const b = corpusWindow(c, 'train', 8, new Rng(3));
    expect(a.length).toBe(9);
    expect([...a]).toEqual([...b]);
    // Consecutive letters: a window is a contiguous slice of the text.
    const text = decode(a);
    expect('abcdefghijklmnopqrstuvwxyz'.repeat(4)).toContain(text);
    expect(() => corpusWindow(c, 'val', 50, new Rng(0))).toThrow(/fewer than a window of 51/);
  });
});

describe('loadCorpus', () => {
  it('loads tiny Shakespeare by name', () => {
    const c = loadCorpus('shakespeare');
    expect(c.name).toBe('shakespeare');
    expect(c.chars).toBe(1115394);
    expect(c.train.length).toBe(Math.floor(1115394 * 0.9));
    expect(decode(c.train.subarray(0, 14))).toBe('First Citizen:');
  });

  it('loads any text file by path, and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    const path = join(dir, 'my-text.txt');
    writeFileSync(path, 'hello world\n'.repeat(5));
    expect(loadCorpus(path).name).toBe('my-text');
    expect(() => loadCorpus(join(dir, 'nope.txt'))).toThrow(/nope.txt: cannot read it .* one of: shakespeare/);
  });
});
