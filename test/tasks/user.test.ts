/** Users' own tasks from JSONL. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFamily } from '../../src/tasks/checks.js';
import { getFamily, hasFamily, unregisterFamily } from '../../src/tasks/registry.js';
import { makeInstance } from '../../src/tasks/split.js';
import { numericMatch, parseUserTasks, registerUserTasks } from '../../src/tasks/user.js';
import { loadUserTasks } from '../../src/tasks/user-file.js';

const lines = (objects: unknown[]) => objects.map((o) => JSON.stringify(o)).join('\n');
const capitals = Array.from({ length: 200 }, (_, i) => ({ prompt: `capital of land ${i}?`, answer: `city${i}` }));

afterEach(() => {
  for (const name of ['user/capitals', 'user/arith', 'user/geo', 'user/my-tasks']) unregisterFamily(name);
});

describe('parseUserTasks', () => {
  it('reads prompt/answer and reasoning-gym question/answer, with numeric answers matched numerically', () => {
    const { tasks, problems } = parseUserTasks(
      lines([{ prompt: '2+2', answer: '4' }, { question: 'half of 1?', answer: 0.5, family: 'arith', domain: 'math' }, { prompt: 'hi', answer: 'hello' }]),
      'mine',
    );
    expect(problems).toEqual([]);
    expect(tasks).toEqual([
      { prompt: '2+2', answer: '4', family: 'mine', domain: 'user', match: 'numeric' },
      { prompt: 'half of 1?', answer: '0.5', family: 'arith', domain: 'math', match: 'numeric' },
      { prompt: 'hi', answer: 'hello', family: 'mine', domain: 'user', match: 'exact' },
    ]);
  });

  it('reads a file that starts with a UTF-8 byte order mark (as some editors save it)', () => {
    const { tasks, problems } = parseUserTasks('\uFEFF' + lines([{ prompt: '2+2', answer: '4' }, { prompt: 'hi', answer: 'hello' }]), 'mine');
    expect(problems).toEqual([]);
    expect(tasks.map((t) => t.prompt)).toEqual(['2+2', 'hi']);
  });

  it('reports every malformed line with its number and reason', () => {
    const text = [
      '{"prompt": "ok", "answer": "1"}',
      '{"prompt": "no answer"}',
      'not json',
      '',
      '{"prompt": "café?", "answer": "x"}',
      '{"prompt": "p", "answer": "abc", "match": "numeric"}',
      '{"prompt": "p", "answer": "1", "domain": "cooking"}',
      '{"answer": "1"}',
      '{"prompt": "p", "answer": " 1"}',
    ].join('\n');
    const { tasks, problems } = parseUserTasks(text, 'x');
    expect(tasks).toHaveLength(1);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 5, 6, 7, 8, 9]);
    expect(problems[0].reason).toMatch(/^answer: /);
    expect(problems[1].reason).toMatch(/^not JSON/);
    expect(problems[2].reason).toMatch(/prompt: unknown character 'é' .* at position 3/);
    expect(problems[3].reason).toMatch(/match is "numeric" but the answer "abc" is not a number/);
    expect(problems[4].reason).toMatch(/^domain: /);
    expect(problems[5].reason).toMatch(/needs a non-empty "prompt" \(or "question"\)/);
    expect(problems[6].reason).toMatch(/whitespace/);
  });
});

describe('numeric match', () => {
  it('compares values, not strings, and rejects anything but a plain number', () => {
    expect(numericMatch('0.50', '0.5')).toBe(true);
    expect(numericMatch('1e3', '1000')).toBe(true);
    expect(numericMatch(' 4 ', '4')).toBe(true);
    expect(numericMatch('4.1', '4')).toBe(false);
    expect(numericMatch('4 apples', '4')).toBe(false);
    expect(numericMatch('', '0')).toBe(false);
  });
  it('matches integers exactly, however large or small the gap', () => {
    // A relative tolerance of 1e-6 took 123456700 for 123456789 and 0 for 0.0000005.
    expect(numericMatch('123456700', '123456789')).toBe(false);
    expect(numericMatch('123456789', '123456789')).toBe(true);
    expect(numericMatch('123456789.0', '123456789')).toBe(true);
    expect(numericMatch('9007199254740993', '9007199254740992')).toBe(false); // past a double's 2^53
    expect(numericMatch('7.4', '7')).toBe(false);
    expect(numericMatch('6.9999999', '7')).toBe(false);
    expect(numericMatch('-0', '0')).toBe(true);
    expect(numericMatch('2500', '2.5e3')).toBe(true);
  });
  it('matches decimals to the precision the reference states: within half a unit of its last decimal', () => {
    expect(numericMatch('0', '0.0000005')).toBe(false);
    expect(numericMatch('0.0000005', '0.0000005')).toBe(true);
    expect(numericMatch('0.00000050', '0.0000005')).toBe(true);
    expect(numericMatch('5e-7', '0.0000005')).toBe(true);
    expect(numericMatch('0.333', '0.33')).toBe(true); // 0.33 states two decimals; 0.333 is 0.33 to two
    expect(numericMatch('0.3', '0.33')).toBe(false);
    expect(numericMatch('0.34', '0.33')).toBe(false);
    expect(numericMatch('0.3349', '0.33')).toBe(true);
    expect(numericMatch('0.335', '0.33')).toBe(false); // half a unit is already too far
    expect(numericMatch('-1.24', '-1.2')).toBe(true);
    expect(numericMatch('1.25', '-1.2')).toBe(false);
    expect(numericMatch('1e999999', '1')).toBe(false);
  });
});

describe('registerUserTasks', () => {
  it('registers one family per family field, split by a hash of the prompt', () => {
    const [family] = registerUserTasks(lines(capitals), 'capitals');
    expect(family.name).toBe('user/capitals');
    expect(getFamily('user/capitals')).toBe(family);
    const train = Array.from({ length: 300 }, (_, index) => makeInstance(family, { split: 'train', seed: 0, index }));
    const test = Array.from({ length: 50 }, (_, index) => makeInstance(family, { split: 'test', seed: 0, index }));
    const trainPrompts = new Set(train.map((i) => i.prompt));
    expect(test.every((i) => !trainPrompts.has(i.prompt))).toBe(true);
    expect(family.score('city3', { ...train[0], prompt: 'capital of land 3?', answer: 'city3' })).toBe(1);
  });

  it('passes the universal checks that apply to it', () => {
    const [family] = registerUserTasks(lines(capitals), 'capitals');
    const results = checkFamily(family, { perLevel: 40, splitInstances: 2000 });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.check)).not.toContain('levels');
  });

  it('throws one error listing the malformed lines', () => {
    expect(() => registerUserTasks('{"prompt": "a"}\n{"prompt": "b", "answer": "1"}\nnope', 'x', 'my.jsonl')).toThrow(
      /my.jsonl: 2 malformed line\(s\):\n {2}line 1: answer: .*\n {2}line 3: not JSON/,
    );
    expect(() => registerUserTasks('\n\n', 'x')).toThrow(/no tasks found/);
  });

  it('explains when no task falls in a split', () => {
    const [family] = registerUserTasks(lines([{ prompt: 'only one', answer: '1', family: 'geo' }]), 'x');
    const split = ['train', 'test'].find((s) => {
      try {
        makeInstance(family, { split: s as 'train' | 'test', seed: 0, index: 0 });
        return false;
      } catch (err) {
        return /none of its 1 tasks falls in the (train|test) split; add more tasks/.test((err as Error).message);
      }
    });
    expect(split).toBeDefined();
  });

  it('loads a JSONL file, naming the family after the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'user-tasks-'));
    const path = join(dir, 'My Tasks.jsonl');
    writeFileSync(path, lines(capitals.slice(0, 50)));
    const [family] = loadUserTasks(path);
    expect(family.name).toBe('user/my-tasks');
    expect(hasFamily('user/my-tasks')).toBe(true);
    expect(() => loadUserTasks(join(dir, 'missing.jsonl'))).toThrow(/missing.jsonl: cannot read it/);
  });
});
