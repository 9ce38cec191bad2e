/**
 * The coordinator: runs a study's trials on the queue instead of the local pool, with the same status and
 * trial-end callbacks. It enqueues every trial the store has queued (job ids are deterministic, so a job already
 * on the queue is not added twice), then polls: active jobs give the running trials, their progress and worker,
 * and their logs are followed into the store as they grow (trial-logs.ts); finished jobs are collected (the rest
 * of the log, evaluations, final model) into the run's store in one transaction, and only then removed from
 * Redis, so a coordinator killed or cut off from Redis loses nothing it had received.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Trial } from '../store/run-store.js';
import type { TrialProcessOptions, StudyProgress } from '../study/trial-processes.js';
import { trialDir, trialPart, type OpenedRun } from '../study/run-dir.js';
import { connectRedis, redactUrl } from './connection.js';
import { JOB_FORMAT, type TrialJob, type TrialResult } from './job.js';
import { jobIdOf, QUEUE_NAME, trialKeys } from './keys.js';
import { linkRunToQueue } from './run-link.js';
import { TrialLogs } from './trial-logs.js';

export interface QueueRunOptions extends Omit<TrialProcessOptions, 'jobs' | 'threads'> {
  /** The Redis URL; default: the one the run directory recorded. */
  url?: string;
  /** Tries of a trial that fails for its own reason (NaN, a bad config) before it is marked failed. */
  attempts?: number;
  /** A line for the user: reconnects, enqueue counts. */
  log?: (line: string) => void;
}

const POLL_MS = 500;

export async function runOnQueue(opened: OpenedRun, options: QueueRunOptions): Promise<StudyProgress> {
  const { dir, store, run } = opened;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const link = linkRunToQueue(dir, options.url, run.id);
  const shown = redactUrl(link.url);
  const redis = await connectRedis(link.url, {
    onLost: (why) => log(`lost Redis at ${shown} (${why}); waiting for it to come back (nothing received is lost)`),
    onBack: () => log(`reconnected to Redis at ${shown}`),
  });
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  const started = Date.now();
  let stopping = false;
  const onSignal = () => (stopping = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { added, present } = await enqueue(queue, opened, link.token, options.attempts ?? 2);
    log(`queue ${shown}: ${added} trial${added === 1 ? '' : 's'} enqueued, ${present} already on the queue (jobs ${link.token}.*)`);
    const look: Look = { queue, redis, opened, token: link.token, started, options, logs: new TrialLogs(redis, store) };
    let status = await poll(look);
    while (!stopping && status.queued + status.running > 0) {
      options.onStatus?.(status);
      await new Promise((r) => setTimeout(r, POLL_MS));
      status = await poll(look);
    }
    const final = { ...status, interrupted: stopping };
    options.onStatus?.(final);
    return final;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await queue.close();
    redis.disconnect();
  }
}

/** Adds a job for every unfinished trial of the store that has none on the queue yet; returns the counts. */
async function enqueue(queue: Queue, opened: OpenedRun, token: string, attempts: number): Promise<{ added: number; present: number }> {
  const unfinished = opened.store.listTrials(opened.run.id).filter((t) => t.status === 'queued' || t.status === 'running');
  const states = await Promise.all(unfinished.map((t) => queue.getJobState(jobIdOf(token, t.key))));
  const trials = unfinished.filter((_, i) => states[i] === 'unknown');
  const jobs = trials.map((t) => {
    const data: TrialJob = { format: JOB_FORMAT, runToken: token, trialKey: t.key, trialId: t.id, recipe: t.config as Record<string, unknown>, evaluations: trialPart(opened.study, t).evaluations };
    const opts = { jobId: jobIdOf(token, t.key), attempts, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false };
    return { name: t.id, data, opts };
  });
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
  return { added: jobs.length, present: unfinished.length - jobs.length };
}

/** What a look at the queue needs. */
interface Look {
  queue: Queue;
  redis: Redis;
  opened: OpenedRun;
  token: string;
  started: number;
  options: QueueRunOptions;
  logs: TrialLogs;
}

/**
 * One look at the queue: collects this run's finished jobs, follows the running ones' logs into the store,
 * and returns the status the display shows.
 */
async function poll(look: Look): Promise<StudyProgress> {
  const { queue, opened, token, started, options } = look;
  const ours = (j: Job | undefined): j is Job => !!j && (j.data as Partial<TrialJob>)?.runToken === token;
  const [active, finished] = await Promise.all([queue.getJobs(['active']), queue.getJobs(['completed', 'failed'])]);
  for (const job of finished.filter(ours)) {
    const trial = await collect(look, job);
    if (trial) options.onTrialEnd?.(trial);
  }
  // The two lists are read at slightly different moments: a job in both has just finished.
  const finishedIds = new Set(finished.map((j) => j.id));
  const running = active.filter((j) => ours(j) && !finishedIds.has(j.id));
  for (const job of running) await look.logs.follow(job.id!, (job.data as TrialJob).trialKey);
  // In the store a trial on the queue stays 'queued' until it is collected; the queue says which ones run.
  const s = opened.store.runSummary(opened.run.id).trials;
  const pending = s.queued + s.running;
  const partial = running.reduce((a, j) => a + progressOf(j).fraction, 0);
  const work = s.done + s.failed + partial;
  const elapsedSeconds = (Date.now() - started) / 1000;
  const etaSeconds = work > 0 ? (elapsedSeconds / work) * (pending - partial) : NaN;
  return { total: s.total, done: s.done, failed: s.failed, running: running.length, queued: pending - running.length, work, elapsedSeconds, etaSeconds };
}

export function progressOf(job: Job): { fraction: number; worker: string | null } {
  const p = job.progress as { fraction?: number; worker?: string } | number;
  return typeof p === 'object' && p ? { fraction: p.fraction ?? 0, worker: p.worker ?? null } : { fraction: 0, worker: null };
}

/** A finished job into the store (one transaction), then out of Redis. Null when it was already collected. */
async function collect(look: Look, job: Job): Promise<Trial | null> {
  const { queue, redis, logs } = look;
  const { store, dir } = look.opened;
  const data = job.data as TrialJob;
  const keys = trialKeys(job.id!);
  const trial = store.getTrial(data.trialKey);
  const forget = async () => {
    await redis.del(keys.log, keys.logGeneration, keys.checkpoint, keys.model);
    await queue.remove(job.id!);
    logs.forget(job.id!);
  };
  // Collected already, by a coordinator killed before it could remove the job: only the removal is left.
  if (trial.status === 'done' || trial.status === 'failed') return forget().then(() => null);
  const state = await job.getState();
  const [rest, model] = await Promise.all([logs.read(job.id!), redis.hgetallBuffer(keys.model)]);
  const result = state === 'completed' ? (job.returnvalue as TrialResult) : null;
  if (result && Object.keys(model).length) {
    const out = join(trialDir(dir, trial.id), 'model');
    mkdirSync(out, { recursive: true });
    for (const [file, bytes] of Object.entries(model)) writeFileSync(join(out, file), bytes);
  }
  const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);
  store.recordTrialOutcome(trial.key, {
    status: result ? 'done' : 'failed',
    reason: result ? null : (job.failedReason ?? 'failed on the queue'),
    startedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    worker: result?.worker ?? job.processedBy ?? null,
    attempt: job.attemptsStarted || job.attemptsMade,
    metrics: rest.metrics,
    evals: [...rest.evals, ...(result?.evals ?? [])],
    replace: rest.replace,
  });
  await forget();
  return store.getTrial(trial.key);
}
