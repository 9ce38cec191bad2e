/** `continuum tasks list|show|check`, run through commander as the binary would. */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTasksCommands } from '../../src/cli/tasks.js';

async function run(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const program = new Command('continuum').exitOverride();
    registerTasksCommands(program);
    await program.parseAsync(['node', 'continuum', 'tasks', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('tasks list', () => {
  it('prints every family with domain, levels and description', async () => {
    const out = await run('list');
    expect(out).toMatch(/^family +domain +levels +max chars +description/);
    expect(out).toMatch(/math\/add +math +5 +6\.\.20 +add multi-digit numbers/);
    expect(out).toMatch(/32 families in 6 domains/);
  });
  it('--json prints objects with name, domain and levels', async () => {
    const rows = JSON.parse(await run('list', '--json')) as Array<{ name: string; domain: string; levels: number }>;
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.find((r) => r.name === 'world/reach')).toMatchObject({ domain: 'world', levels: 4 });
  });
});

describe('tasks show', () => {
  it('prints instances with their answers', async () => {
    const out = await run('show', 'math/add', '--n', '3', '--difficulty', '2', '--seed', '4');
    expect(out).toContain('math/add  difficulty 2/5  split train  seed 4');
    const rows = out.trim().split('\n').slice(4);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const [, prompt, answer] = row.trim().split(/\s+/);
      const [a, b] = prompt.split('+').map(Number);
      expect(Number(answer)).toBe(a + b);
    }
  });
  it('--json prints instances of the split asked for, with config overrides applied', async () => {
    const xs = JSON.parse(await run('show', 'icl/lookup', '--n', '4', '--split', 'test', '--config', '{"k": 2}', '--json'));
    expect(xs).toHaveLength(4);
    for (const x of xs) {
      expect(x.split).toBe('test');
      expect(x.prompt.split(';')).toHaveLength(3);
      expect(typeof x.answer).toBe('string');
    }
  });
  it('names unknown families and bad options', async () => {
    await expect(run('show', 'math/ad')).rejects.toThrow(/unknown task family 'math\/ad': did you mean math\/add/);
    await expect(run('show', 'math/add', '--difficulty', '9')).rejects.toThrow(/difficulty must be an integer from 1 to 5/);
    await expect(run('show', 'math/add', '--config', '[1]')).rejects.toThrow(/--config takes a JSON object/);
  });
});

describe('tasks check', () => {
  it('runs the universal checks on one family and prints a table', async () => {
    const out = await run('check', 'text/reverse', '--instances', '2000');
    expect(out).toMatch(/family +reference +corrupt +determinism +split +unambiguous +length +levels +vocab/);
    expect(out).toMatch(/text\/reverse +ok +ok +ok +ok +ok +ok +ok +ok/);
    expect(out).toContain('1 of 1 families pass every check');
    expect(process.exitCode).toBeUndefined();
  });
});
