/**
 * `train` and `pretrain` never write over a run: an --out that already holds one is refused with how to resume
 * it or where to write instead, and nothing in it changes. Damaged or mistaken inputs (a corrupt recipe.json,
 * a directory given as the recipe) are named in the message. Runs the built CLI (npm test builds it first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-existing-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CONTINUUM_THREADS: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

import { LOCK_FILE, processStartTime } from '../../src/store/run-lock.js';

const recipeText = [
  'name: tiny',
  'model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 }',
  'stages:',
  '  - { objective: sft, tasks: { families: [math/compare] }, budget: { steps: 3 }, batchSize: 4, checkpointInterval: 1 }',
].join('\n');

/** A recipe file and a finished run of it. */
function finishedRun(): { file: string; out: string } {
  const dir = tmp();
  const file = join(dir, 'r.yaml');
  writeFileSync(file, recipeText);
  const out = join(dir, 'run');
  const r = run(['train', file, '--out', out, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { file, out };
}

const snapshot = (out: string) => ['recipe.json', 'metrics.jsonl', 'checkpoints/LATEST', 'model/model.safetensors'].map((f) => [f, readFileSync(join(out, f)).toString('base64'), statSync(join(out, f)).mtimeMs]);

describe('an --out that holds a run', () => {
  it('train refuses a finished run and leaves every file as it was', () => {
    const { file, out } = finishedRun();
    const before = snapshot(out);
    const r = run(['train', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`continuum: --out ${out} already holds a run (recipe.json, metrics.jsonl, checkpoints, model); it finished (its final model is in model/): choose another --out, or remove the folder to train it again`);
    expect(snapshot(out)).toEqual(before);
  });

  it('train and pretrain refuse an unfinished run and say how to resume it', () => {
    const { file, out } = finishedRun();
    rmSync(join(out, 'model'), { recursive: true }); // as if killed before the end
    const t = run(['train', file, '--out', out]);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(`--out ${out} already holds a run (recipe.json, metrics.jsonl, checkpoints); continue it with \`continuum train --resume ${out}\`, or choose another --out`);
    const p = run(['pretrain', '--out', out, '--max-iters', '2']);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(`continue it with \`continuum pretrain --resume ${out}\``);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3); // nothing appended
  });

  it('an empty existing folder is still a fine --out', () => {
    const dir = tmp();
    const file = join(dir, 'r.yaml');
    writeFileSync(file, recipeText);
    const out = tmp();
    expect(run(['train', file, '--out', out, '--json']).code).toBe(0);
  });
});

describe('one process trains a run at a time', () => {
  /** owner.lock as a process training `out` writes it, naming `pid`. */
  const writeLock = (out: string, pid: number) =>
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid, host: hostname(), since: new Date().toISOString(), processStart: processStartTime(pid), command: 'continuum train' }));

  it('a finished run leaves no lock behind', () => {
    expect(existsSync(join(finishedRun().out, LOCK_FILE))).toBe(false);
  });

  it('train --resume of a run that a live process owns is refused, naming it, and nothing changes', () => {
    const { out } = finishedRun();
    rmSync(join(out, 'model'), { recursive: true }); // killed before the end, then resumed elsewhere
    const owner = spawn('sleep', ['60']);
    try {
      writeLock(out, owner.pid!);
      const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
      const r = run(['train', '--resume', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${out} is in use: pid ${owner.pid} on ${hostname()} (\`continuum train\``);
      expect(r.stderr).toContain(`stop it (kill ${owner.pid}) and then run \`continuum train --resume ${out}\``);
      expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
      expect(existsSync(join(out, 'model'))).toBe(false);
    } finally {
      owner.kill();
    }
  });

  it("the lock of a process that is gone is taken over, and the run resumes", async () => {
    const { out } = finishedRun();
    rmSync(join(out, 'model'), { recursive: true });
    const gone = spawn('true');
    await new Promise((done) => gone.on('exit', done));
    writeLock(out, gone.pid!);
    const r = run(['train', '--resume', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'model', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});

describe('messages that name the file', () => {
  it('train DIR says it is a directory, and how to resume the run in it', () => {
    const { out } = finishedRun();
    const r = run(['train', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/EISDIR/);
    expect(r.stderr).toContain(`continuum: train: ${out} is a directory, not a recipe file; it holds a run: continue it with \`continuum train --resume ${out}\``);
    const empty = tmp();
    expect(run(['train', empty]).stderr).toContain(`train: ${empty} is a directory, not a recipe file; give the recipe file (YAML or JSON) itself`);
  });

  it('a corrupt recipe.json is reported with its path on --resume', () => {
    const { out } = finishedRun();
    writeFileSync(join(out, 'recipe.json'), '{"name": "tiny", ');
    for (const command of ['train', 'pretrain']) {
      const r = run([command, '--resume', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`continuum: ${join(out, 'recipe.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON \\(.*\\): the run's saved recipe is damaged`));
    }
  });
});
