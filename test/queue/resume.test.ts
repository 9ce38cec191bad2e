/**
 * The coordinator's faults: killed mid-study, `study resume RUN_DIR` reattaches to the queue the run directory
 * recorded (finished trials kept, queued and running ones not enqueued again, nothing run twice); Redis lost
 * mid-study, the coordinator says so, waits, reconnects and loses nothing it had received.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRunStore, type Trial } from '../../src/store/run-store.js';
import { runCli, startCli, startRedis, stopWorker, tinyStudy, tmp, until, type RedisServer } from './helpers.js';

let redis: RedisServer;
beforeAll(async () => (redis = await startRedis()));
afterAll(async () => redis?.stop());
beforeEach(async () => void (await redis.client.flushall()));

function trialsOf(dir: string): Trial[] {
  try {
    const store = openRunStore(join(dir, 'store.sqlite'), { readonly: true });
    try {
      return store.listTrials(basename(dir));
    } finally {
      store.close();
    }
  } catch {
    return []; // not created yet
  }
}
const doneOf = (dir: string) => trialsOf(dir).filter((t) => t.status === 'done');
const weights = (dir: string, t: Trial) => readFileSync(join(dir, 'trials', t.id.replace(/\//g, '__'), 'model', 'model.safetensors'));

describe('coordinator faults', () => {
  it('killed mid-study: study resume reattaches; finished trials kept, none enqueued again, none run twice', async () => {
    const root = tmp();
    const local = join(root, 'local', 'run');
    expect(runCli(['study', 'run', tinyStudy, '--quick', '--out', local, '--jobs', '2']).code).toBe(0);
    const worker = startCli(['worker', '--queue', redis.url, '--jobs', '1']);
    try {
      await worker.waitFor(/worker \S+: 1 trial at once/);
      const dir = join(root, 'queued', 'run');
      const first = startCli(['study', 'run', tinyStudy, '--quick', '--out', dir, '--queue', redis.url]);
      await until(() => doneOf(dir).length > 0, 'a trial collected');
      first.proc.kill('SIGKILL');
      await first.exited;
      const before = doneOf(dir);
      expect(before.length).toBeLessThan(4);

      // The trials go on without a coordinator; resume finds them on the queue (done or not) and adds none.
      const resumed = runCli(['study', 'resume', dir]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`0 trials enqueued, ${4 - before.length} already on the queue`);
      expect(resumed.stdout).toMatch(/4 trials done, 0 failed/);
      const after = trialsOf(dir);
      expect(after.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
      for (const t of before) expect(after.find((a) => a.key === t.key)!.finishedAt).toBe(t.finishedAt);
      for (const t of after) expect(t.attempt, t.id).toBe(1);
      for (const t of trialsOf(local)) expect(weights(dir, t).equals(weights(local, t)), t.id).toBe(true);
    } finally {
      await stopWorker(worker);
    }
    expect(worker.output().match(/ {2}start {3}/g)).toHaveLength(4);
  });

  it('Redis lost mid-study: the coordinator says so, waits, reconnects, and loses nothing it had received', async () => {
    const root = tmp();
    const dir = join(root, 'run');
    const first = startCli(['worker', '--queue', redis.url, '--jobs', '1']);
    await first.waitFor(/worker \S+: 1 trial at once/);
    const coordinator = startCli(['study', 'run', tinyStudy, '--quick', '--out', dir, '--queue', redis.url]);
    await until(() => doneOf(dir).length > 0, 'a trial collected');
    await stopWorker(first);
    const before = doneOf(dir);
    await redis.restart(() => coordinator.waitFor(/lost Redis at redis:\/\/127\.0\.0\.1:\d+\/0 .*waiting for it to come back/, 'the coordinator to notice'));
    await coordinator.waitFor(/reconnected to Redis at/, 'the coordinator to reconnect');
    const second = startCli(['worker', '--queue', redis.url, '--jobs', '2']);
    try {
      expect(await coordinator.exited, coordinator.output()).toBe(0);
    } finally {
      await stopWorker(second);
    }
    expect(coordinator.output()).toMatch(/4 trials done, 0 failed/);
    const after = trialsOf(dir);
    for (const t of before) expect(after.find((a) => a.key === t.key)!.finishedAt).toBe(t.finishedAt);
    expect(after.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done']);
  });
});
