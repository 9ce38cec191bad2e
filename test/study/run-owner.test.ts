/**
 * One process owns a study run, with real processes: while a study runs, `study resume` on it is refused naming
 * the owner; killing the coordinator with SIGKILL makes its trial processes stop themselves; the dead owner's
 * lock is then taken over by `study resume`, which says so and finishes the run. Runs the built CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/store/run-store.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');
const env = { ...process.env, CONTINUUM_THREADS: '1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 240_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Live processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by init) still answers kill 0: read its state.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Steps per trial: long enough that neither trial finishes while the test asks the live owner (a CLI start). */
const STEPS = 8000;

/** Two trials long enough (checkpoints every 50 steps) to be caught running. */
function longStudy(): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'continuum-owner-'));
  const study = {
    name: 'owned',
    seeds: [1],
    recipe: {
      model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 },
      stages: [{ objective: 'sft', tasks: { families: ['math/compare'] }, budget: { steps: STEPS }, batchSize: 4, checkpointInterval: 50 }],
    },
    sweep: { axes: { 'stages[0].schedule.lr': { name: 'lr', values: [0.001, 0.002] } } },
    evaluations: [{ kind: 'splits', n: 4 }],
  };
  const file = join(dir, 'owned.yaml');
  writeFileSync(file, stringify(study));
  return { file, out: join(dir, 'run') };
}

const hasCheckpoint = (out: string, id: string) => existsSync(join(out, 'trials', id, 'checkpoints', 'LATEST'));

describe('one owner per study run', () => {
  it('refuses a second coordinator, stops orphaned workers, and takes over a dead owner\'s lock', async () => {
    const { file, out } = longStudy();
    const coordinator = spawn(process.execPath, [bin, 'study', 'run', file, '--out', out, '--jobs', '2'], { stdio: 'ignore', env });
    const pid = coordinator.pid!;
    try {
      // Wait until both trials run in their own processes and have written a checkpoint.
      let workers: number[] = [];
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(100)) {
        workers = childrenOf(pid);
        if (workers.length === 2 && hasCheckpoint(out, 'lr=0.001__seed=1') && hasCheckpoint(out, 'lr=0.002__seed=1')) break;
      }
      expect(workers).toHaveLength(2);

      const second = run(['study', 'resume', out]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`continuum: ${out} is in use: pid ${pid} on ${hostname()} (\`continuum study run\`, since `);
      expect(second.stderr).toContain(`Wait for it to finish, or stop it (kill ${pid}) and then run \`continuum study resume ${out}\``);

      coordinator.kill('SIGKILL'); // the coordinator alone: its workers are left orphaned
      await new Promise((r) => coordinator.once('exit', r));
      // They notice at their next step; the deadline only bounds a failing test.
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && workers.some(alive); ) await sleep(100);
      expect(workers.filter(alive)).toEqual([]);
    } finally {
      coordinator.kill('SIGKILL');
      for (const w of childrenOf(pid)) process.kill(w, 'SIGKILL');
    }
    expect(existsSync(join(out, 'owner.lock'))).toBe(true); // left by the killed owner

    const resumed = run(['study', 'resume', out, '--jobs', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`took over the run lock of pid ${pid} on ${hostname()} (\`continuum study run\`, since `);
    expect(resumed.stderr).toContain('that process is gone');
    expect(existsSync(join(out, 'owner.lock'))).toBe(false); // released at the end
    const store = openRunStore(join(out, 'store.sqlite'), { readonly: true });
    try {
      const trials = store.listTrials('run');
      expect(trials.map((t) => t.status)).toEqual(['done', 'done']);
      // Resumed after the kill (attempt 2); a trial may have just finished before it (attempt 1), never both.
      expect(trials.every((t) => t.attempt === 1 || t.attempt === 2)).toBe(true);
      expect(trials.some((t) => t.attempt === 2)).toBe(true);
      // One training history per trial: every step logged once, in order (duplicate workers interleaved them).
      for (const t of trials) {
        const lines = readFileSync(join(out, 'trials', t.id.replace(/\//g, '__'), 'metrics.jsonl'), 'utf8').trim().split('\n');
        expect(lines.map((l) => JSON.parse(l).step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
      }
    } finally {
      store.close();
    }
  }, 300_000);
});
