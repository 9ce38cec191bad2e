/**
 * The command line as a user runs it: the built `continuum` binary in child processes (npm test builds it first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-cli-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tinyPretrain = ['pretrain', '--n-layer', '1', '--n-head', '2', '--n-embd', '32', '--block-size', '32', '--batch-size', '4', '--eval-iters', '4', '--sample-tokens', '20'];

describe('continuum CLI', () => {
  it('pretrain --json prints the final figures as one JSON line', () => {
    const out = tmp();
    const r = run([...tinyPretrain, '--max-iters', '20', '--eval-interval', '10', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const figures = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(figures.iters).toBe(20);
    for (const key of ['val_loss', 'val_loss_exact', 'train_loss', 'wall_s']) expect(Number.isFinite(figures[key]), key).toBe(true);
    expect(figures.val_loss).toBeLessThan(Math.log(100)); // it learned something in 20 steps
    // The exact loss over every val position and the 4-batch estimate measure the same model.
    expect(Math.abs(figures.val_loss_exact - figures.val_loss)).toBeLessThan(0.3);
    expect(existsSync(join(out, 'model', 'model.safetensors'))).toBe(true);
    const sample = run(['sample', out, '--prompt', 'ROMEO:', '--max-new-tokens', '15', '--json']);
    expect(sample.code, sample.stderr).toBe(0);
    expect(JSON.parse(sample.stdout).samples[0]).toHaveLength(15);
  });

  it('a pretrain killed with SIGKILL resumes to the same weights as an uninterrupted run', async () => {
    const flags = [...tinyPretrain, '--max-iters', '400', '--eval-interval', '20', '--seed', '3', '--json'];
    const whole = tmp();
    expect(run([...flags, '--out', whole]).code).toBe(0);
    const killed = tmp();
    const child = spawn(process.execPath, [bin, ...flags, '--out', killed], { stdio: 'ignore' });
    // Kill it once it has written a checkpoint or two, mid-run.
    const latest = join(killed, 'checkpoints', 'LATEST');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(existsSync(latest) && readFileSync(latest, 'utf8').trim() >= 'step-0000040')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(killed, 'model'))).toBe(false); // it really was cut short
    const resumed = run(['pretrain', '--resume', killed, '--json', '--sample-tokens', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from .*step-/);
    const a = readFileSync(join(whole, 'model', 'model.safetensors'));
    const b = readFileSync(join(killed, 'model', 'model.safetensors'));
    expect(b.equals(a)).toBe(true);
  });

  it('a malformed recipe is refused with the field path and nothing is written', () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'stages:\n  - objective: sft\n    tasks: { families: [math/ad] }\n    budget: { steps: 0 }\n');
    const out = join(dir, 'run');
    const r = run(['train', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stages\[0\]\.tasks\.families\[0\]: got "math\/ad"; unknown task family/);
    expect(r.stderr).toMatch(/stages\[0\]\.budget\.steps: got 0/);
    expect(existsSync(out)).toBe(false);
  });

  it('trains a recipe end to end and samples a task answer from it', () => {
    const dir = tmp();
    const file = join(dir, 'r.yaml');
    writeFileSync(
      file,
      [
        'model: { nLayers: 1, nHeads: 2, dModel: 32, contextLength: 16 }',
        'stages:',
        '  - { objective: sft, tasks: { families: [math/compare] }, budget: { steps: 5 }, batchSize: 8 }',
        '  - { objective: rl, tasks: { families: [math/compare] }, budget: { steps: 2 }, batchSize: 2, rl: { groupSize: 4 } }',
      ].join('\n'),
    );
    const out = join(dir, 'run');
    const r = run(['train', file, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const figures = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(figures.steps).toBe(7);
    expect(Number.isFinite(figures['rl/reward_mean'])).toBe(true);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(7);
    const s = run(['sample', out, '--task', '--prompt', '3?5', '--temperature', '0', '--max-new-tokens', '4', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).samples).toHaveLength(1);
  });
});

describe('study durations', () => {
  it('round once: 779.6 s is 13m00s, never 12m60s', async () => {
    const { formatSeconds } = await import('../../src/cli/study.js');
    expect(formatSeconds(779.6)).toBe('13m00s');
    expect(formatSeconds(75.4)).toBe('75s');
    expect(formatSeconds(89.6)).toBe('1m30s'); // 90 s after rounding
    expect(formatSeconds(NaN)).toBe('?');
  });
});
