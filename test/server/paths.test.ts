/** The path gate: names that could leave the runs directory are refused, lexically and through symlinks. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetricsSince } from '../../src/server/metrics-tail.js';
import { resolveInside, runDirOf } from '../../src/server/paths.js';

const base = mkdtempSync(join(tmpdir(), 'continuum-paths-'));
const runs = join(base, 'runs');
mkdirSync(join(runs, 'a', 'model'), { recursive: true });
mkdirSync(join(base, 'elsewhere'));
symlinkSync(join(base, 'elsewhere'), join(runs, 'a', 'link'));

describe('resolveInside', () => {
  it.each(['../x', 'a/../../x', '/etc/passwd', '..', '.', 'a//b', 'a/./b', 'a\\..\\b', 'a\0b', 'C:/x', ''])('refuses %j', (p) => {
    expect(() => resolveInside(runs, p)).toThrow(/refused|empty|absolute/);
  });

  it('refuses a symlink that leads out, and accepts paths inside', () => {
    expect(() => resolveInside(runs, 'a/link')).toThrow(/links outside/);
    expect(resolveInside(runs, 'a/model')).toMatch(/runs\/a\/model$/);
    expect(resolveInside(runs, 'a/not-yet')).toMatch(/runs\/a\/not-yet$/);
  });

  it('takes a run id as one name that exists', () => {
    expect(() => runDirOf(runs, 'a/model')).toThrow(/one directory name/);
    expect(() => runDirOf(runs, 'missing')).toThrow(/no run "missing"/);
    expect(runDirOf(runs, 'a')).toMatch(/runs\/a$/);
  });
});

describe('readMetricsSince', () => {
  it('reads complete lines only and resumes from its cursor', () => {
    const file = join(base, 'm.jsonl');
    const line = (step: number) => JSON.stringify({ step, stage: 0, time: 0, scalars: { 'train/loss': step } }) + '\n';
    expect(readMetricsSince(file, 0)).toEqual({ records: [], cursor: 0, reset: false, more: false, skipped: [] });
    writeFileSync(file, line(1) + line(2) + line(3).slice(0, 10));
    const first = readMetricsSince(file, 0);
    expect(first.records.map((r) => r.step)).toEqual([1, 2]);
    expect(first.cursor).toBe(line(1).length + line(2).length);
    writeFileSync(file, line(1) + line(2) + line(3) + 'garbage\n' + line(4));
    const second = readMetricsSince(file, first.cursor);
    expect(second.records.map((r) => r.step)).toEqual([3, 4]); // a torn line in between is skipped
    writeFileSync(file, line(1));
    expect(readMetricsSince(file, second.cursor)).toMatchObject({ reset: true, records: [{ step: 1 }] });
  });

  it('skips a line over the length limit, reports where it was, and always makes progress', () => {
    const file = join(base, 'long.jsonl');
    const line = (step: number) => JSON.stringify({ step, stage: 0, time: 0, scalars: { 'train/loss': step } }) + '\n';
    const huge = '{"step":2,"pad":"' + 'x'.repeat(5 << 20) + '"}\n'; // 5 MiB: longer than one read
    writeFileSync(file, line(1) + huge + line(3));
    const records: number[] = [];
    const skipped: number[] = [];
    let cursor = 0;
    for (let poll = 0; poll < 10; poll++) {
      const read = readMetricsSince(file, cursor);
      records.push(...read.records.map((r) => r.step));
      skipped.push(...read.skipped.map((s) => s.at));
      expect(read.cursor).toBeGreaterThanOrEqual(cursor);
      cursor = read.cursor;
      if (!read.more) break;
    }
    expect(records).toEqual([1, 3]);
    expect(skipped).toEqual([line(1).length]);
    expect(cursor).toBe(line(1).length + huge.length + line(3).length);
    // A long line still being written is passed over too, not read again at every poll.
    writeFileSync(file, line(1) + huge.slice(0, 2 << 20));
    const partial = readMetricsSince(file, line(1).length);
    expect(partial.skipped).toEqual([{ at: line(1).length }]);
    expect(partial.cursor).toBe(line(1).length + (2 << 20));
  });
});
