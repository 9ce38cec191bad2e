/**
 * A tiny study end to end through the built CLI (npm test builds it first): the store, the report files and
 * summary.json agree; a diverging trial fails alone; a study killed mid-run resumes to the same weights.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mean, verdictFromInterval } from '../../src/stats/stats.js';
import { openRunStore } from '../../src/store/run-store.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');
const fixture = join(import.meta.dirname, 'fixtures', 'tiny.yaml');
const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-study-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CONTINUUM_THREADS: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every number in a JSON tree, with its path. */
function numbers(node: unknown, path = ''): [string, number][] {
  if (typeof node === 'number') return [[path, node]];
  if (Array.isArray(node)) return node.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

describe('study run', () => {
  it('runs a tiny study end to end: store, report files and summary.json agree', () => {
    const out = join(tmp(), 'run');
    const r = run(['study', 'run', fixture, '--quick', '--out', out, '--jobs', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verdict: (HELD|NOT HELD|INCONCLUSIVE)/);
    for (const f of ['study.yaml', 'store.sqlite', 'report.html', 'summary.json']) expect(existsSync(join(out, f)), f).toBe(true);

    const store = openRunStore(join(out, 'store.sqlite'), { readonly: true });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    try {
      const runId = 'run';
      const trials = store.listTrials(runId);
      expect(trials.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
      expect(store.getRun(runId).status).toBe('done');
      expect(store.getRun(runId).verdict).toBe(summary.verdict);
      // The trainer's periodic evaluations were streamed to the store: before training, then steps 10 and 20 of every trial.
      for (const t of trials) expect(store.metricSeries(t.key, 'eval/test_acc').map((p) => p.step)).toEqual([0, 10, 20]);

      // Every number in summary.json is finite (unknown intervals are null), and the arms are the store's evals.
      for (const [path, x] of numbers(summary)) expect(Number.isFinite(x), path).toBe(true);
      expect(summary.arms.map((a: { arm: string }) => a.arm)).toEqual(['1', 'infinity']);
      for (const arm of summary.arms) {
        const values = trials
          .filter((t) => t.axes.M === (arm.arm === 'infinity' ? 'infinity' : Number(arm.arm)))
          .map((t) => store.listEvals({ trialKey: t.key }).find((e) => e.suite === 'splits' && e.stage === null && e.split === 'test' && e.family === '*' && e.domain === '*' && e.metric === 'exact')!.value);
        expect(arm.values).toEqual(values);
        expect(arm.mean).toBeCloseTo(mean(values), 12);
        expect(arm.lo).toBeLessThanOrEqual(arm.mean);
        expect(arm.hi).toBeGreaterThanOrEqual(arm.mean);
      }
      const [a, b] = summary.arms;
      const comparison = summary.comparisons[0];
      expect(comparison.difference.mean).toBeCloseTo(b.mean - a.mean, 12);
      // The verdict is the one its interval gives (JSON writes an unknown bound as null), and the study's verdict
      // is its one claim's. Two seeds are below the three a verdict needs: inconclusive, and the finding says why.
      const { lo, hi } = comparison.difference;
      const interval = { ...comparison.difference, lo: lo ?? -Infinity, hi: hi ?? Infinity };
      expect(comparison.verdict).toBe(verdictFromInterval(interval, { direction: comparison.direction, minEffect: comparison.minEffect }));
      expect(summary.verdict).toBe(comparison.verdict);
      expect(comparison.difference.n).toBe(2);
      expect(summary.verdict).toBe('inconclusive');
      expect(summary.finding).toMatch(/only 2 seeds measured the difference; a verdict needs 3/);
      expect(summary.finding).toContain(b.mean.toFixed(3));

      // Evaluations: per-family, per-domain and overall rows; the ICL curve; pass@k bounded by 1 and rising in k.
      const evals = store.listEvals({ trialKey: trials[0].key });
      expect(evals.some((e) => e.split === 'heldout' && e.family === 'text/reverse')).toBe(true);
      expect(evals.some((e) => e.split === 'test' && e.family === '*' && e.domain === 'icl')).toBe(true);
      expect(evals.filter((e) => e.suite === 'iclCurve').map((e) => [e.metric, e.x])).toEqual([['score', 0], ['score', 1], ['score', 2], ['score', 4]]);
      const pass = [1, 2, 4].map((k) => evals.find((e) => e.metric === `pass@${k}`)!.value);
      expect(pass[0]).toBeLessThanOrEqual(pass[1]);
      expect(pass[1]).toBeLessThanOrEqual(pass[2]);
      expect(pass[2]).toBeLessThanOrEqual(1);

      // Every plot was written as SVG and PNG, and recorded as an artifact.
      for (const p of summary.plots) {
        for (const f of [p.files.svg, p.files.png]) expect(existsSync(join(out, f)), f).toBe(true);
      }
      expect(summary.plots.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['icl-curve', 'context-loss', 'pass-at-k']));
      expect(store.listArtifacts(runId, { kind: 'plot' })).toHaveLength(2 * summary.plots.length);
    } finally {
      store.close();
    }

    // runs list sees it; study report rebuilds the same numbers.
    const list = run(['runs', 'list', '--runs', join(out, '..'), '--json']);
    expect(JSON.parse(list.stdout.trim())).toMatchObject({ study: 'tiny', status: 'done', trials: { done: 4, total: 4 } });
    const rebuilt = run(['study', 'report', out]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).arms).toEqual(summary.arms);
  });

  it('a diverging trial is marked failed with its reason; the study goes on and the report says so', () => {
    const dir = tmp();
    const file = join(dir, 'diverge.yaml');
    // A learning rate of 1e30 sends the weights to infinity within a few steps.
    writeFileSync(file, readFileSync(fixture, 'utf8').replace('sweep:\n  axes:\n', 'sweep:\n  axes:\n    stages[0].schedule.lr: { name: lr, values: [0.001, 1.0e+30] }\n'));
    const out = join(dir, 'run');
    const r = run(['study', 'run', file, '--quick', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/FAILED|failed/);
    const store = openRunStore(join(out, 'store.sqlite'), { readonly: true });
    try {
      const trials = store.listTrials('run');
      const failed = trials.filter((t) => t.status === 'failed');
      expect(failed.map((t) => t.axes.lr)).toEqual([1e30, 1e30, 1e30, 1e30]);
      for (const t of failed) expect(t.reason).toMatch(/^TrainingDivergedError: the (loss|gradient norm) is/);
      expect(trials.filter((t) => t.status === 'done')).toHaveLength(4);
    } finally {
      store.close();
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.run.trials).toEqual({ done: 4, failed: 4, total: 8 });
    expect(summary.notes.filter((n: string) => /^Trial lr=1e\+30\/M=.* failed and is left out: TrainingDivergedError/.test(n))).toHaveLength(4);
  });

  it('a study killed mid-run resumes: finished trials kept, the others continue from checkpoints to the same weights', async () => {
    const dir = tmp();
    const file = join(dir, 'long.yaml');
    // Longer trials (300 steps, checkpoints every 10) so the kill lands inside them.
    writeFileSync(file, readFileSync(fixture, 'utf8').replace('"stages[0].budget.steps": 20', '"stages[0].budget.steps": 300'));
    const whole = join(dir, 'whole');
    expect(run(['study', 'run', file, '--quick', '--out', whole, '--jobs', '1']).code).toBe(0);

    const killed = join(dir, 'killed');
    const child = spawn(process.execPath, [bin, 'study', 'run', file, '--quick', '--out', killed, '--jobs', '1'], { stdio: 'ignore', detached: true, env: { ...process.env, CONTINUUM_THREADS: '1' } });
    // Kill the whole process group (the study and its trial process) once one trial is done and the next has a checkpoint.
    const deadline = Date.now() + 90_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (Date.now() > deadline) throw new Error('the study never reached the kill point');
      let trials;
      try {
        const store = openRunStore(join(killed, 'store.sqlite'), { readonly: true });
        trials = store.listTrials('killed');
        store.close();
      } catch {
        continue; // not created (or not migrated) yet
      }
      if (trials.some((t) => t.status === 'done') && existsSync(join(killed, 'trials', 'M=1__seed=2', 'checkpoints', 'LATEST'))) break;
    }
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = openRunStore(join(killed, 'store.sqlite'), { readonly: true });
    const states = before.listTrials('killed').map((t) => t.status);
    before.close();
    expect(states).toContain('done');
    expect(states).toContain('running'); // left running by the kill

    const resumed = run(['study', 'resume', killed, '--jobs', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = openRunStore(join(killed, 'store.sqlite'), { readonly: true });
    try {
      const trials = after.listTrials('killed');
      expect(trials.every((t) => t.status === 'done')).toBe(true);
      expect(trials[0].attempt).toBe(1); // finished before the kill: not run again
      expect(trials[1].attempt).toBe(2); // interrupted: resumed
    } finally {
      after.close();
    }
    for (const id of ['M=1__seed=1', 'M=1__seed=2', 'M=infinity__seed=2']) {
      const a = readFileSync(join(whole, 'trials', id, 'model', 'model.safetensors'));
      const b = readFileSync(join(killed, 'trials', id, 'model', 'model.safetensors'));
      expect(Buffer.compare(a, b), id).toBe(0);
    }
    // The report of the resumed run matches the uninterrupted one's numbers.
    const s1 = JSON.parse(readFileSync(join(whole, 'summary.json'), 'utf8'));
    const s2 = JSON.parse(readFileSync(join(killed, 'summary.json'), 'utf8'));
    expect(s2.arms).toEqual(s1.arms);
  });
});
