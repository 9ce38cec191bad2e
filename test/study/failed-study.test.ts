/**
 * A study that measured nothing exits non-zero, so scripts can tell: every trial failed, or a claim's arm lost
 * all its trials. Each reason is printed on a STUDY FAILED line. Runs the built CLI (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CONTINUUM_THREADS: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One seed, an lr axis and a claim on it; a learning rate of 1e30 sends the weights to infinity in a step or two. */
function studyWith(lrs: number[]): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'continuum-failed-'));
  const study = {
    name: 'fails',
    seeds: [1],
    recipe: {
      model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 },
      stages: [{ objective: 'sft', tasks: { families: ['math/compare'] }, budget: { steps: 6 }, batchSize: 4 }],
    },
    sweep: { axes: { 'stages[0].schedule.lr': { name: 'lr', values: lrs } } },
    evaluations: [{ kind: 'splits', n: 4 }],
    claims: [{ text: 'A lower lr trains better', label: 'accuracy', measure: { eval: { split: 'test', metric: 'exact' } }, axis: 'lr', a: lrs[1], b: lrs[0], direction: 'increase' }],
  };
  const file = join(dir, 'fails.yaml');
  writeFileSync(file, stringify(study));
  return { file, out: join(dir, 'run') };
}

describe('a study that could not measure its claims', () => {
  it('exits 2 when every trial failed, saying so', () => {
    const { file, out } = studyWith([1e30, 1e31]);
    const r = run(['study', 'run', file, '--out', out, '--jobs', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('STUDY FAILED: all 2 trials failed');
    expect(r.stdout).toMatch(/STUDY FAILED: the claim "A lower lr trains better" could not be measured: the one trial of lr = 1e\+31 failed \(lr=1e\+31\/seed=1: TrainingDivergedError: /);
    // Rebuilding the report says the same.
    const report = run(['study', 'report', out]);
    expect(report.code).toBe(2);
    expect(report.stdout).toContain('STUDY FAILED: all 2 trials failed');
  });

  it('exits 2 when one arm of a claim lost all its trials, though the other finished', () => {
    const { file, out } = studyWith([1e-3, 1e30]);
    const r = run(['study', 'run', file, '--out', out, '--jobs', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).not.toContain('STUDY FAILED: all');
    expect(r.stdout).toMatch(/STUDY FAILED: the claim "A lower lr trains better" could not be measured: the one trial of lr = 1e\+30 failed/);
    expect(r.stdout).toContain('1 trials done, 1 failed');
  });
});
