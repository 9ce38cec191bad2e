/**
 * `continuum queue status` shows jobs per state and the live workers with what they run; a worker stopped with
 * Ctrl-C hands its trials back (they wait again, their checkpoints kept) and leaves the list of live workers;
 * another worker resumes them and the study ends as it would have. Running trials' metrics reach the run's
 * store while they run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/store/run-store.js';
import { runCli, startCli, startRedis, stopWorker, tinyStudy, tmp, until, type RedisServer } from './helpers.js';

let redis: RedisServer;
beforeAll(async () => (redis = await startRedis()));
afterAll(async () => redis?.stop());

interface Status {
  jobs: Record<string, number>;
  runs: Record<string, number>;
  workers: { id: string; jobs: number; running: { trial: string }[] }[];
}
const status = (): Status => JSON.parse(runCli(['queue', 'status', redis.url, '--json']).stdout);

describe('queue status and Ctrl-C', () => {
  it('shows jobs per state and live workers; a stopped worker hands its trials back to be resumed elsewhere', async () => {
    const root = tmp();
    const study = join(root, 'long.yaml');
    writeFileSync(study, readFileSync(tinyStudy, 'utf8').replace('"stages[0].budget.steps": 20', '"stages[0].budget.steps": 300'));
    // Its trials freeze after their first checkpoint, so they stay active while we look.
    const frozen = startCli(['worker', '--queue', redis.url, '--jobs', '2'], { extraEnv: { CONTINUUM_TEST_FREEZE_AFTER_CHECKPOINT: '1' } });
    await frozen.waitFor(/worker \S+: 2 trials at once/);
    const id = /worker (\S+):/.exec(frozen.output())![1];
    const out = join(root, 'run');
    const coordinator = startCli(['study', 'run', study, '--quick', '--out', out, '--queue', redis.url]);
    await until(async () => (await redis.client.keys('continuum:*:checkpoint')).length === 2, 'two checkpoints');
    await until(() => status().workers[0]?.running.length === 2, 'the worker to report two trials');

    const s = status();
    expect(s.jobs).toMatchObject({ active: 2, waiting: 2, failed: 0, completed: 0 });
    expect(Object.values(s.runs)).toEqual([4]);
    expect(s.workers.map((w) => [w.id, w.jobs])).toEqual([[id, 2]]);
    const text = runCli(['queue', 'status', redis.url]).stdout;
    expect(text).toMatch(/^jobs: waiting 2, active 2, delayed 0, prioritized 0, completed 0, failed 0$/m);
    expect(text).toMatch(new RegExp(`^workers: 1 live\\n  ${id}  2 at once, 1 thread each  M=1/seed=\\d \\d+%, M=1/seed=\\d \\d+%$`, 'm'));

    // The running trials' metrics are already in the run's store (the dashboard's live curves): up to the checkpoint.
    const liveSteps = () => {
      const store = openRunStore(join(out, 'store.sqlite'), { readonly: true });
      try {
        return store.listTrials('run').map((t) => [t.id, t.status, store.metricSeries(t.key, 'eval/test_acc').map((p) => p.step)]);
      } finally {
        store.close();
      }
    };
    await until(() => liveSteps().filter(([, , steps]) => (steps as number[]).length === 2).length === 2, 'live metrics of the two running trials');
    expect(liveSteps()).toEqual([
      ['M=1/seed=1', 'queued', [0, 10]],
      ['M=1/seed=2', 'queued', [0, 10]],
      ['M=infinity/seed=1', 'queued', []],
      ['M=infinity/seed=2', 'queued', []],
    ]);

    await stopWorker(frozen);
    expect(frozen.output()).toMatch(/stopping: handing back 2 running trials/);
    expect(frozen.output().match(/handed back M=1\/seed=\d/g)).toHaveLength(2);
    const after = status();
    expect(after.jobs).toMatchObject({ active: 0, waiting: 4 });
    expect(after.workers).toEqual([]);
    expect(await redis.client.keys('continuum:*:checkpoint')).toHaveLength(2); // kept for the next worker

    const next = startCli(['worker', '--queue', redis.url, '--jobs', '2']);
    try {
      expect(await coordinator.exited, coordinator.output()).toBe(0);
    } finally {
      await stopWorker(next);
    }
    expect(next.output().match(/M=1\/seed=\d: resuming from/g)).toHaveLength(2);
    const store = openRunStore(join(out, 'store.sqlite'), { readonly: true });
    try {
      expect(store.listTrials('run').map((t) => [t.status, t.worker])).toEqual(Array(4).fill(['done', /worker (\S+):/.exec(next.output())![1]]));
    } finally {
      store.close();
    }
  });
});
