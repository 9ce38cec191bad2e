/**
 * `npm run bench:queue`: what the queue costs, measured on this machine with a redis-server the bench starts
 * (or the one given). Three figures: raw BullMQ throughput (jobs/s with a processor that does nothing), the
 * per-trial cost of Continuum's path for near-empty trials (1 step: fork, restore, relay, collect) against the
 * local pool, the bytes one trial keeps in Redis at its peak (job, log, checkpoint, final model), and a small
 * study on two workers against the local pool with two jobs (the overhead ratio).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { runTrialProcesses } from '../study/trial-processes.js';
import { startStudy } from '../study/runner.js';
import { parseStudyText } from '../study/schema.js';
import { connectRedis } from './connection.js';
import { runOnQueue } from './coordinator.js';
import { runWorker } from './worker.js';

export interface QueueBenchResult {
  rawJobsPerSecond: number;
  emptyTrial: { trials: number; localSecondsPerTrial: number; queueSecondsPerTrial: number; overheadSecondsPerTrial: number };
  bytesPerTrial: { job: number; log: number; checkpoint: number; model: number; total: number };
  study: { trials: number; steps: number; localSeconds: number; queueSeconds: number; ratio: number };
}

/** The tiny smoke study, with `seeds` seeds x 2 arms and `steps` steps a trial. */
function benchStudy(steps: number, seeds: number) {
  const text = `
name: queue-bench
claim: A larger rule pool does not hurt (a bench, not a finding).
seeds: ${seeds}
seedPaths: [seed, "stages[0].tasks.families[0].config.poolSeed"]
recipe:
  model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32 }
  stages:
    - objective: sft
      tasks: { families: [{ family: icl/cipher, config: { alphabet: 5, wordLength: 1, k: 4 } }] }
      budget: { steps: ${steps} }
      batchSize: 8
      eval: { interval: 0, iters: 16 }
      checkpointInterval: 10
sweep:
  axes:
    stages[0].tasks.families[0].config.poolSize: { name: M, values: [1, infinity] }
evaluations:
  - { kind: splits, n: 16 }
claims:
  - { text: more rules do not hurt, label: fresh-rule accuracy, measure: { eval: { split: test, metric: exact } }, axis: M, a: 1, b: infinity, direction: increase }
`;
  return parseStudyText(text, 'queue bench study');
}

async function startRedisServer(): Promise<{ url: string; stop: () => void }> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'continuum-bench-redis-'));
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}/0`;
  for (let i = 0; ; i++) {
    try {
      (await connectRedis(url, {}, 500)).disconnect();
      break;
    } catch (err) {
      if (i > 40) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, stop: () => (proc.kill('SIGTERM'), rmSync(dir, { recursive: true, force: true })) };
}

/** Jobs per second through BullMQ alone: add in bulk, a no-op processor, 16 at once. */
async function rawThroughput(url: string, jobs = 2000): Promise<number> {
  const name = `continuum-bench-raw-${Date.now()}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  let done = 0;
  const started = Date.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(name, async () => ({ ok: true }), { connection, concurrency: 16 });
    worker.on('completed', () => ++done === jobs && worker.close().then(() => resolve()));
  });
  const all = Array.from({ length: jobs }, (_, i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: true } }));
  for (let i = 0; i < jobs; i += 500) await queue.addBulk(all.slice(i, i + 500));
  await finished;
  const seconds = (Date.now() - started) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return jobs / seconds;
}

/** Peak MEMORY USAGE (every field counted, SAMPLES 0) of each of Continuum's keys, every 50 ms while `body` runs. */
async function sampleBytes<T>(url: string, body: () => Promise<T>): Promise<{ result: T; peaks: Map<string, number> }> {
  const redis = new Redis(url);
  const peaks = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const keys = [...(await redis.keys('continuum:*:*')), ...(await redis.keys('bull:continuum-trials:*.*'))];
      for (const k of keys) peaks.set(k, Math.max(peaks.get(k) ?? 0, Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0)));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    return { result: await body(), peaks };
  } finally {
    running = false;
    await loop;
    redis.disconnect();
  }
}

function bytesPerTrial(peaks: Map<string, number>, trials: number): QueueBenchResult['bytesPerTrial'] {
  const sum = (re: RegExp) => Math.round([...peaks].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0) / trials);
  const b = { job: sum(/^bull:/), log: sum(/:log$/), checkpoint: sum(/:checkpoint$/), model: sum(/:model$/) };
  return { ...b, total: b.job + b.log + b.checkpoint + b.model };
}

/** One study's trials on the local pool (2 jobs) and on two queue workers (1 job each); seconds for each. */
async function localVsQueue(url: string, steps: number, seeds: number) {
  const root = mkdtempSync(join(tmpdir(), 'continuum-bench-queue-'));
  const study = benchStudy(steps, seeds);
  try {
    const local = startStudy(study, 'full', join(root, 'local'), 2);
    let t = Date.now();
    await runTrialProcesses(local.dir, local.store, local.run.id, { jobs: 2, threads: 1 });
    const localSeconds = (Date.now() - t) / 1000;
    const trials = local.store.listTrials(local.run.id).length;
    local.lock.release();
    local.store.close();

    const stop = new AbortController();
    const workers = ['a', 'b'].map((name) => runWorker({ url, jobs: 1, threads: 1, name, stop: stop.signal, log: () => {} }));
    const queued = startStudy(study, 'full', join(root, 'queued'), 2);
    t = Date.now();
    const { peaks } = await sampleBytes(url, () => runOnQueue(queued, { url, log: () => {} }));
    const queueSeconds = (Date.now() - t) / 1000;
    queued.lock.release();
    queued.store.close();
    stop.abort();
    await Promise.all(workers);
    return { trials, localSeconds, queueSeconds, bytes: bytesPerTrial(peaks, trials) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function benchQueue(options: { url?: string; log?: (line: string) => void } = {}): Promise<QueueBenchResult> {
  const log = options.log ?? (() => {});
  const server = options.url ? null : await startRedisServer();
  const url = options.url ?? server!.url;
  try {
    log('raw BullMQ throughput (2000 no-op jobs)...');
    const rawJobsPerSecond = await rawThroughput(url);
    log('near-empty trials (1 step), local pool vs two workers...');
    const empty = await localVsQueue(url, 1, 8);
    log('a small study (16 trials x 200 steps), local pool vs two workers...');
    const small = await localVsQueue(url, 200, 8);
    const per = (s: number) => (s * 2) / empty.trials; // two slots either way
    return {
      rawJobsPerSecond,
      emptyTrial: { trials: empty.trials, localSecondsPerTrial: per(empty.localSeconds), queueSecondsPerTrial: per(empty.queueSeconds), overheadSecondsPerTrial: per(empty.queueSeconds - empty.localSeconds) },
      bytesPerTrial: small.bytes,
      study: { trials: small.trials, steps: 200, localSeconds: small.localSeconds, queueSeconds: small.queueSeconds, ratio: small.queueSeconds / small.localSeconds },
    };
  } finally {
    server?.stop();
  }
}
