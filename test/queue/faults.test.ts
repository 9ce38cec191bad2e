/**
 * Faults the queue survives, each with a real redis-server and the built CLI: a worker SIGKILLed mid-trial
 * (another worker resumes the trial from its last checkpoint, to bit-identical weights, nothing lost or run to
 * completion twice); trials that fail for their own reason (marked failed after their retries, the study goes
 * on); foreign and malformed jobs (rejected with a message, the worker lives on); checkpoints too big for Redis
 * (a clear error) and a shared --checkpoints directory instead; Redis unreachable at start (one line, the URL).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRunStore, type Trial } from '../../src/store/run-store.js';
import { freePort, runCli, startCli, startRedis, stopWorker, tinyStudy, tmp, until, type CliProcess, type RedisServer } from './helpers.js';

let redis: RedisServer;
beforeAll(async () => (redis = await startRedis()));
afterAll(async () => redis?.stop());
beforeEach(async () => void (await redis.client.flushall()));

const TRIALS = ['M=1__seed=1', 'M=1__seed=2', 'M=infinity__seed=1', 'M=infinity__seed=2'];
const weights = (dir: string, t: string) => readFileSync(join(dir, 'trials', t, 'model', 'model.safetensors'));

function trialsOf(dir: string): Trial[] {
  const store = openRunStore(join(dir, 'store.sqlite'), { readonly: true });
  try {
    return store.listTrials(basename(dir));
  } finally {
    store.close();
  }
}

/** Each trial's metric steps per tag: a trial logged twice, or resumed without dropping what came after its checkpoint, repeats steps. */
function metricSteps(dir: string): Record<string, Record<string, number[]>> {
  const store = openRunStore(join(dir, 'store.sqlite'), { readonly: true });
  try {
    return Object.fromEntries(store.listTrials('run').map((t) => [t.id, Object.fromEntries(store.metricTags(t.key).map((tag) => [tag, store.metricSeries(t.key, tag).map((p) => p.step)]))]));
  } finally {
    store.close();
  }
}

/** The tiny study with longer trials (300 steps, a checkpoint every 10), so a kill lands inside one. */
function longStudy(dir: string): string {
  const file = join(dir, 'long.yaml');
  writeFileSync(file, readFileSync(tinyStudy, 'utf8').replace('"stages[0].budget.steps": 20', '"stages[0].budget.steps": 300'));
  return file;
}

async function withWorkers<T>(workers: CliProcess[], body: () => Promise<T>): Promise<T> {
  try {
    await Promise.all(workers.map((w) => w.waitFor(/worker \S+: \d+ trials? at once/, 'the worker to start')));
    return await body();
  } finally {
    await Promise.all(workers.map(stopWorker));
  }
}

describe('queue faults', () => {
  it('a worker killed mid-trial: another resumes from its checkpoint to the same weights; none lost, none run twice', async () => {
    const root = tmp();
    const study = longStudy(root);
    const local = join(root, 'local', 'run');
    expect(runCli(['study', 'run', study, '--quick', '--out', local, '--jobs', '2']).code).toBe(0);

    // Worker A freezes its trial as soon as a checkpoint is in Redis; then the whole machine "dies" (SIGKILL to its process group).
    const a = startCli(['worker', '--queue', redis.url, '--jobs', '1', '--stall-seconds', '1'], { detached: true, extraEnv: { CONTINUUM_TEST_FREEZE_AFTER_CHECKPOINT: '1' } });
    await a.waitFor(/worker \S+: 1 trial at once/);
    const queued = join(root, 'queued', 'run');
    const coordinator = startCli(['study', 'run', study, '--quick', '--out', queued, '--queue', redis.url]);
    await until(async () => (await redis.client.keys('continuum:*:checkpoint')).length > 0, 'a checkpoint in Redis');
    process.kill(-a.proc.pid!, 'SIGKILL');
    await a.exited;
    const killedTrial = /start\s+(\S+) \(job/.exec(a.output())![1];

    const b = startCli(['worker', '--queue', redis.url, '--jobs', '2', '--stall-seconds', '1']);
    await withWorkers([b], async () => expect(await coordinator.exited, coordinator.output()).toBe(0));
    expect(coordinator.output()).toMatch(/4 trials done, 0 failed/);
    // B resumed the killed trial from its checkpoint (step 10 or later), not from scratch.
    expect(b.output()).toMatch(new RegExp(`${killedTrial.replace(/[/=]/g, '\\$&')}: resuming from .*step (\\d+)\\)`));
    // Every trial completed exactly once, and A completed none.
    for (const t of trialsOf(queued)) expect(b.output().split(`  done    ${t.id}\n`).length - 1, t.id).toBe(1);
    expect(a.output()).not.toMatch(/ done /);
    for (const t of TRIALS) expect(weights(queued, t).equals(weights(local, t)), t).toBe(true);
    expect(metricSteps(queued)).toEqual(metricSteps(local));
    const killed = trialsOf(queued).find((t) => t.id === killedTrial)!;
    expect(killed.attempt).toBe(2);
    expect(killed.worker).toBe(/worker (\S+):/.exec(b.output())![1]);
  });

  it('with --checkpoints DIR shared, a killed worker\'s trial resumes from the directory, to the same weights', async () => {
    const root = tmp();
    const study = longStudy(root);
    const local = join(root, 'local', 'run');
    expect(runCli(['study', 'run', study, '--quick', '--out', local, '--jobs', '2']).code).toBe(0);
    const shared = join(root, 'shared');
    const flags = ['--queue', redis.url, '--stall-seconds', '1', '--checkpoints', shared];
    const a = startCli(['worker', ...flags, '--jobs', '1'], { detached: true, extraEnv: { CONTINUUM_TEST_FREEZE_AFTER_CHECKPOINT: '1' } });
    await a.waitFor(/worker \S+: 1 trial at once/);
    const queued = join(root, 'queued', 'run');
    const coordinator = startCli(['study', 'run', study, '--quick', '--out', queued, '--queue', redis.url]);
    await until(() => existsSync(shared) && readdirSync(shared).some((d) => existsSync(join(shared, d, 'checkpoints', 'LATEST'))), 'a checkpoint in the shared directory');
    await until(() => a.output().includes('start'), 'the start line');
    process.kill(-a.proc.pid!, 'SIGKILL');
    await a.exited;
    const killedTrial = /start\s+(\S+) \(job/.exec(a.output())![1];
    const b = startCli(['worker', ...flags, '--jobs', '2']);
    await withWorkers([b], async () => expect(await coordinator.exited, coordinator.output()).toBe(0));
    expect(b.output()).toContain(`${killedTrial}: resuming from ${shared}/`);
    for (const t of TRIALS) expect(weights(queued, t).equals(weights(local, t)), t).toBe(true);
    expect(metricSteps(queued)).toEqual(metricSteps(local));
    expect(await redis.client.keys('continuum:*:checkpoint')).toEqual([]); // nothing went through Redis
    expect(readdirSync(shared)).toEqual([]);
  });

  it('trials that fail for their own reason are failed after their retries; foreign and malformed jobs are rejected; the worker lives on', async () => {
    const root = tmp();
    const file = join(root, 'diverge.yaml');
    // A learning rate of 1e30 sends the weights to infinity within a few steps.
    writeFileSync(file, readFileSync(tinyStudy, 'utf8').replace('sweep:\n  axes:\n', 'sweep:\n  axes:\n    stages[0].schedule.lr: { name: lr, values: [0.001, 1.0e+30] }\n'));
    const worker = startCli(['worker', '--queue', redis.url, '--jobs', '2']);
    await withWorkers([worker], async () => {
      const queue = new Queue('continuum-trials', { connection: redis.client });
      try {
        const foreign = await queue.add('send-email', { to: 'someone@example.com' });
        const malformed = await queue.add('trial', { format: 'continuum-trial/1', runToken: 'x', trialKey: -1 });
        await until(async () => (await queue.getJobState(foreign.id!)) === 'failed' && (await queue.getJobState(malformed.id!)) === 'failed', 'both jobs rejected');
        const [f, m] = [await queue.getJob(foreign.id!), await queue.getJob(malformed.id!)];
        expect(f!.failedReason).toMatch(/not a Continuum trial \(format: /);
        expect(m!.failedReason).toMatch(/not a Continuum trial \(trialKey: /);
        expect(worker.output()).toMatch(/rejected job \d+ \(send-email\): not a Continuum trial/);
      } finally {
        await queue.close();
      }
      const out = join(root, 'run');
      const coordinator = startCli(['study', 'run', file, '--quick', '--out', out, '--queue', redis.url]);
      expect(await coordinator.exited, coordinator.output()).toBe(0);
      expect(coordinator.output()).toMatch(/4 trials done, 4 failed/);
      const trials = trialsOf(out);
      const failed = trials.filter((t) => t.status === 'failed');
      expect(failed.map((t) => t.axes.lr)).toEqual([1e30, 1e30, 1e30, 1e30]);
      for (const t of failed) {
        expect(t.reason).toMatch(/^TrainingDivergedError: the (loss|gradient norm) is/);
        expect(t.attempt).toBe(2); // tried twice, then given up
      }
      expect(trials.filter((t) => t.status === 'done')).toHaveLength(4);
      expect(worker.proc.exitCode).toBe(null);
    });
  });

  it('a checkpoint over the Redis limit fails with the way out; --checkpoints DIR shares them on disk instead', async () => {
    const root = tmp();
    const small = startCli(['worker', '--queue', redis.url, '--jobs', '2', '--max-checkpoint-mb', '0']);
    await withWorkers([small], async () => {
      const out = join(root, 'too-big');
      const coordinator = startCli(['study', 'run', tinyStudy, '--quick', '--out', out, '--queue', redis.url]);
      expect(await coordinator.exited, coordinator.output()).toBe(2);
      expect(trialsOf(out).map((t) => t.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
      for (const t of trialsOf(out)) expect(t.reason).toMatch(/^Error: a checkpoint of this model is [\d.]+ MiB, over the 0\.0 MiB a checkpoint may take in Redis; start the workers with --checkpoints DIR/);
    });
    const shared = join(root, 'shared');
    const disk = startCli(['worker', '--queue', redis.url, '--jobs', '2', '--checkpoints', shared]);
    await withWorkers([disk], async () => {
      const out = join(root, 'on-disk');
      const coordinator = startCli(['study', 'run', tinyStudy, '--quick', '--out', out, '--queue', redis.url]);
      expect(await coordinator.exited, coordinator.output()).toBe(0);
      expect(trialsOf(out).map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
    });
    expect(await redis.client.keys('continuum:*:checkpoint')).toEqual([]);
    expect(readdirSync(shared)).toEqual([]); // a finished trial's checkpoints are removed
  });

  it('Redis unreachable at start: one clear error naming the URL, and no run directory', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const out = join(tmp(), 'run');
    const r = runCli(['study', 'run', tinyStudy, '--quick', '--out', out, '--queue', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^continuum: cannot reach Redis at ${url.replace(/[/.]/g, '\\$&')}: .*ECONNREFUSED.*\\n$`));
    expect(existsSync(out)).toBe(false);
    const w = runCli(['worker', '--queue', url]);
    expect(w.code).toBe(1);
    expect(w.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^continuum: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: /)]);
  });
});
