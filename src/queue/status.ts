/**
 * `continuum queue status`: what the queue holds (jobs per state, per run) and the live workers, each with
 * the trials it runs now. A worker is live while its heartbeat (every 5 s) is under 15 s old; older entries,
 * left by workers that died, are dropped here.
 */
import { Queue } from 'bullmq';
import { connectRedis } from './connection.js';
import { progressOf } from './coordinator.js';
import type { TrialJob } from './job.js';
import { QUEUE_NAME, WORKERS_KEY } from './keys.js';

const LIVE_MS = 15_000;

export interface QueueStatus {
  jobs: Record<string, number>;
  /** Unfinished jobs (waiting, delayed, active) per run token. */
  runs: Record<string, number>;
  workers: { id: string; jobs: number; threads: number; running: { trial: string; run: string; fraction: number }[] }[];
}

export async function queueStatus(url: string): Promise<QueueStatus> {
  const redis = await connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  try {
    const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    await redis.zremrangebyscore(WORKERS_KEY, '-inf', String(Date.now() - LIVE_MS));
    const beats = (await redis.zrange(WORKERS_KEY, '0', '-1')).map((m) => JSON.parse(m) as { id: string; jobs: number; threads: number });
    const unfinished = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    const runs: Record<string, number> = {};
    for (const j of unfinished) {
      const token = (j.data as Partial<TrialJob>)?.runToken ?? '(not a Continuum trial)';
      runs[token] = (runs[token] ?? 0) + 1;
    }
    const active = await queue.getJobs(['active']);
    const workers = beats.map((w) => ({
      ...w,
      running: active
        .filter((j) => progressOf(j).worker === w.id)
        .map((j) => ({ trial: (j.data as TrialJob).trialId, run: (j.data as TrialJob).runToken, fraction: progressOf(j).fraction })),
    }));
    return { jobs, runs, workers };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
