/**
 * A study through the queue, end to end with the built CLI: one coordinator (`study run --queue`) and two
 * worker processes (`continuum worker`) on a real redis-server give the same results as the local pool: the
 * same summary, the same final weights byte for byte, the same metrics and evaluations in the run's store,
 * with the worker that ran each trial recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/store/run-store.js';
import { runCli, startCli, startRedis, stopWorker, tinyStudy, tmp, type RedisServer } from './helpers.js';

let redis: RedisServer;
beforeAll(async () => (redis = await startRedis()));
afterAll(async () => redis?.stop());

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

/** What a run's store says of each trial: status, metric rows and evaluation rows (values included). */
function storeContents(dir: string) {
  const store = openRunStore(join(dir, 'store.sqlite'), { readonly: true });
  try {
    return store.listTrials('run').map((t) => ({
      id: t.id,
      status: t.status,
      metrics: store.metricTags(t.key).map((tag) => [tag, store.metricSeries(t.key, tag).map((p) => [p.step, tag.startsWith('perf/') ? 0 : p.value])]),
      evals: store.listEvals({ trialKey: t.key }).map((e) => [e.suite, e.split, e.stage, e.family, e.domain, e.metric, e.x, e.step, e.value]),
    }));
  } finally {
    store.close();
  }
}

describe('study run --queue', () => {
  it('one coordinator and two workers give the local pool\'s summary, weights and store', async () => {
    const root = tmp();
    const local = join(root, 'local', 'run');
    const queued = join(root, 'queued', 'run');
    const l = runCli(['study', 'run', tinyStudy, '--quick', '--out', local, '--jobs', '2']);
    expect(l.code, l.stderr).toBe(0);

    const workers = [1, 2].map(() => startCli(['worker', '--queue', redis.url, '--jobs', '1']));
    try {
      await Promise.all(workers.map((w) => w.waitFor(/worker \S+: 1 trial at once/)));
      const coordinator = startCli(['study', 'run', tinyStudy, '--quick', '--out', queued, '--queue', redis.url]);
      expect(await coordinator.exited, coordinator.output()).toBe(0);
      expect(coordinator.output()).toMatch(/4 trials enqueued, 0 already on the queue/);
      expect(coordinator.output()).toMatch(/4 trials done, 0 failed/);
    } finally {
      await Promise.all(workers.map(stopWorker));
    }

    const [a, b] = [summaryOf(local), summaryOf(queued)];
    for (const key of ['verdict', 'finding', 'arms', 'comparisons', 'tables', 'notes']) expect(b[key], key).toEqual(a[key]);
    expect(b.run.trials).toEqual(a.run.trials);
    // Bit-identical final weights, and the same numbers in the store (wall-clock speeds aside).
    for (const t of ['M=1__seed=1', 'M=1__seed=2', 'M=infinity__seed=1', 'M=infinity__seed=2']) {
      const weights = (dir: string) => readFileSync(join(dir, 'trials', t, 'model', 'model.safetensors'));
      expect(weights(queued).equals(weights(local)), t).toBe(true);
    }
    expect(storeContents(queued)).toEqual(storeContents(local));
    // Each trial records the worker that ran it; nothing is left on the queue for this run.
    const store = openRunStore(join(queued, 'store.sqlite'), { readonly: true });
    try {
      const ids = workers.map((w) => `${/worker (\S+):/.exec(w.output())![1]}`);
      for (const t of store.listTrials('run')) expect(ids).toContain(t.worker);
    } finally {
      store.close();
    }
    expect(await redis.client.keys('continuum:*:*')).toEqual([]);
    expect(await redis.client.llen('bull:continuum-trials:wait')).toBe(0);
  });
});
