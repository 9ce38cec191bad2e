/**
 * `continuum worker`: takes trial jobs from the queue, `jobs` at a time, each trained in its own child process.
 * A job that is not a Continuum trial is rejected (failed at once, with the reason) and the worker goes on. A
 * worker that dies stops renewing its jobs' locks: after `stallSeconds` another worker's stalled check puts them
 * back in the queue and they resume from their last checkpoint. Stopping (Ctrl-C) kills the trial processes
 * and hands their jobs back at once, attempts not counted.
 */
import type { ChildProcess } from 'node:child_process';
import { availableParallelism, hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, redactUrl } from './connection.js';
import { readTrialJob, type TrialResult } from './job.js';
import { QUEUE_NAME, WORKERS_KEY } from './keys.js';
import { HandBack, runTrialJob } from './trial-run.js';

export interface WorkerOptions {
  url: string;
  /** Trials at once (default: one per core). */
  jobs?: number;
  /** Native-engine threads per trial (default: cores / jobs). */
  threads?: number;
  /** A directory every worker shares: checkpoints go there instead of into Redis. */
  checkpointsDir?: string;
  maxCheckpointBytes?: number;
  /** Send a trial's checkpoint to Redis at most this often (seconds; 0, the default: every one it writes). */
  checkpointSeconds?: number;
  /** How long a dead worker's job waits before another worker takes it over. */
  stallSeconds?: number;
  log?: (line: string) => void;
  /** Told apart from other workers in the same process (the bench runs two): host:pid/name. */
  name?: string;
  /** Stops the worker as Ctrl-C does (for a worker run inside another program, e.g. the queue bench). */
  stop?: AbortSignal;
}

export const DEFAULT_MAX_CHECKPOINT_MB = 64;
const HEARTBEAT_MS = 5000;

export const workerId = (name?: string): string => `${hostname()}:${process.pid}${name ? `/${name}` : ''}`;

/** What a worker's job processor needs to know about its worker. */
interface ProcessorContext {
  log: (line: string) => void;
  id: string;
  threads: number;
  redis: Parameters<typeof runTrialJob>[0];
  options: WorkerOptions;
  /** The worker's live trial processes, killed when it stops. */
  children: Set<ChildProcess>;
  stopping: () => boolean;
}

/** One job: a trial run in its own child process; a foreign job is rejected for good, a trial handed back on stop. */
function trialProcessor({ log, id, threads, redis, options, children, stopping }: ProcessorContext) {
  return async (job: Job, token?: string): Promise<TrialResult> => {
    const data = readTrialJob(job.data);
    if (typeof data === 'string') {
      log(`rejected job ${job.id} (${job.name}): ${data}`);
      throw new UnrecoverableError(`rejected by worker ${id}: ${data}`);
    }
    log(`  start   ${data.trialId} (job ${job.id}, attempt ${job.attemptsMade + 1})`);
    let mine: ChildProcess | null = null;
    try {
      const onChild = (c: ChildProcess | null) => (c ? children.add((mine = c)) : mine && children.delete(mine));
      const run = { worker: id, threads, checkpointsDir: options.checkpointsDir, maxCheckpointBytes: options.maxCheckpointBytes ?? DEFAULT_MAX_CHECKPOINT_MB * 2 ** 20, checkpointSeconds: options.checkpointSeconds ?? 0, onChild };
      const result = await runTrialJob(redis, job, data, run);
      log(`  done    ${data.trialId}`);
      return result;
    } catch (err) {
      if (err instanceof HandBack && stopping()) {
        await job.moveToWait(token);
        log(`  handed back ${data.trialId}`);
        throw new WaitingError();
      }
      log(`  failed  ${data.trialId}: ${(err as Error).message}`);
      throw err;
    }
  };
}

/** Runs until stopped by SIGINT/SIGTERM; resolves once every job is handed back and the connections are closed. */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / jobs));
  const stallMs = (options.stallSeconds ?? 30) * 1000;
  const id = workerId(options.name);
  const redis = await connectRedis(options.url, {
    onLost: (why) => log(`lost Redis at ${redactUrl(options.url)} (${why}); reconnecting`),
    onBack: () => log(`reconnected to Redis at ${redactUrl(options.url)}`),
  });
  const children = new Set<ChildProcess>();
  let stopping = false;

  const processor = trialProcessor({ log, id, threads, redis, options, children, stopping: () => stopping });

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: redis,
    concurrency: jobs,
    name: id,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: 3,
  });
  worker.on('error', (e) => log(`worker: ${e.message}`));
  const beat = async () => redis.zadd(WORKERS_KEY, Date.now(), JSON.stringify({ id, jobs, threads })).catch(() => {});
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);
  log(`worker ${id}: ${jobs} trial${jobs === 1 ? '' : 's'} at once, ${threads} thread${threads === 1 ? '' : 's'} each, on ${redactUrl(options.url)}`);

  let stop = () => {};
  await new Promise<void>((resolve) => {
    stop = () => {
      if (stopping) process.exit(130); // a second Ctrl-C: leave now
      stopping = true;
      log(`stopping: handing back ${children.size} running trial${children.size === 1 ? '' : 's'}`);
      const closed = worker.close();
      children.forEach((c) => c.kill('SIGKILL'));
      closed.then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    options.stop?.addEventListener('abort', stop);
  });
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  clearInterval(heartbeat);
  await redis.zrem(WORKERS_KEY, JSON.stringify({ id, jobs, threads })).catch(() => {});
  redis.disconnect();
}
