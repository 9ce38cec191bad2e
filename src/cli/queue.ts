/**
 * `continuum worker --queue URL` and the queue side of `study run/resume --queue URL` (see src/queue/): trials
 * as BullMQ jobs on Redis, run by workers on any machine.
 */
import { Command } from 'commander';
import { checkQueueUrl, connectRedis, QUEUE_ENV, redactUrl } from '../queue/connection.js';
import { runOnQueue } from '../queue/coordinator.js';
import { readQueueLink, reattachUrl } from '../queue/run-link.js';
import { queueStatus, type QueueStatus } from '../queue/status.js';
import { benchQueue, type QueueBenchResult } from '../queue/bench.js';
import { DEFAULT_MAX_CHECKPOINT_MB, runWorker } from '../queue/worker.js';
import type { TrialExecutor } from '../study/runner.js';
import { int } from './args.js';

/** The queue a study run uses: --queue, else $CONTINUUM_QUEUE; undefined for the local pool. */
export function queueUrlOf(flag: string | undefined): string | undefined {
  const url = flag ?? (process.env[QUEUE_ENV] || undefined);
  return url === undefined ? undefined : checkQueueUrl(url);
}

/**
 * The queue a resumed run goes back to: --queue, else $CONTINUUM_QUEUE when the run was on a queue, else the
 * URL its directory recorded (without a password); undefined: the run used the local pool.
 */
export function resumeQueueUrl(runDir: string, flag: string | undefined): string | undefined {
  const onQueue = readQueueLink(runDir) !== null;
  const given = flag ?? (onQueue ? process.env[QUEUE_ENV] || undefined : undefined);
  const url = reattachUrl(runDir, given);
  return url === undefined ? undefined : checkQueueUrl(url);
}

/** Fails with one message naming the URL when Redis does not answer (before a run directory is created). */
export async function assertQueueReachable(url: string): Promise<void> {
  (await connectRedis(url)).disconnect();
}

export function queueExecutor(url: string): TrialExecutor {
  return (opened, pool) => runOnQueue(opened, { ...pool, url });
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run study trials from a Redis queue (started by `study run --queue`), each in its own process')
    .option('--queue <url>', `the Redis queue, e.g. redis://host:6379/0 (default $${QUEUE_ENV})`)
    .option('--jobs <n>', 'trials run at once (default: the number of cores)', int('--jobs'))
    .option('--threads <n>', 'native-engine threads per trial (default: cores / jobs)', int('--threads'))
    .option('--checkpoints <dir>', 'a directory every worker shares: checkpoints go there instead of into Redis')
    .option('--max-checkpoint-mb <n>', 'largest checkpoint kept in Redis', int('--max-checkpoint-mb'), DEFAULT_MAX_CHECKPOINT_MB)
    .option('--checkpoint-seconds <n>', "send a trial's checkpoint to Redis at most every N seconds (default 0: every one)", int('--checkpoint-seconds'), 0)
    .option('--stall-seconds <n>', "how long a dead worker's trial waits before another worker resumes it", int('--stall-seconds'), 30)
    .action(async (flags: { queue?: string; jobs?: number; threads?: number; checkpoints?: string; maxCheckpointMb: number; checkpointSeconds: number; stallSeconds: number }) => {
      const url = queueUrlOf(flags.queue);
      if (!url) throw new Error(`worker: give the queue with --queue redis://host:6379/0 or $${QUEUE_ENV}`);
      await runWorker({
        url,
        jobs: flags.jobs,
        threads: flags.threads,
        checkpointsDir: flags.checkpoints,
        maxCheckpointBytes: flags.maxCheckpointMb * 2 ** 20,
        checkpointSeconds: flags.checkpointSeconds,
        stallSeconds: Math.max(1, flags.stallSeconds),
      });
    });
}

function printQueueStatus(url: string, s: QueueStatus): void {
  const out = process.stdout;
  out.write(`queue ${redactUrl(url)}\n`);
  out.write(`jobs: ${Object.entries(s.jobs).map(([state, n]) => `${state} ${n}`).join(', ')}\n`);
  for (const [run, n] of Object.entries(s.runs)) out.write(`  run ${run}: ${n} unfinished\n`);
  out.write(`workers: ${s.workers.length} live\n`);
  for (const w of s.workers) {
    const running = w.running.map((r) => `${r.trial} ${(r.fraction * 100).toFixed(0)}%`).join(', ') || 'idle';
    out.write(`  ${w.id}  ${w.jobs} at once, ${w.threads} thread${w.threads === 1 ? '' : 's'} each  ${running}\n`);
  }
}

function printQueueBench(r: QueueBenchResult): void {
  const out = process.stdout;
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  out.write(`raw BullMQ: ${r.rawJobsPerSecond.toFixed(0)} jobs/s (no-op processor, 16 at once)\n`);
  const e = r.emptyTrial;
  out.write(`1-step trials: ${e.localSecondsPerTrial.toFixed(2)} s each on the local pool, ${e.queueSecondsPerTrial.toFixed(2)} s through the queue: ${e.overheadSecondsPerTrial.toFixed(2)} s overhead per trial\n`);
  const b = r.bytesPerTrial;
  out.write(`Redis per trial (peak): ${kib(b.total)} = job ${kib(b.job)} + log ${kib(b.log)} + checkpoint ${kib(b.checkpoint)} + model ${kib(b.model)}\n`);
  const s = r.study;
  out.write(`study of ${s.trials} trials x ${s.steps} steps: local pool (2 jobs) ${s.localSeconds.toFixed(1)} s, 2 workers ${s.queueSeconds.toFixed(1)} s: ratio ${s.ratio.toFixed(2)}\n`);
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('the Redis queue that `study run --queue` and `continuum worker` share');
  queue
    .command('bench')
    .description('measure the queue on this machine: raw jobs/s, per-trial overhead, bytes in Redis per trial, 2 workers vs the local pool')
    .argument('[url]', 'a Redis to use (default: start a redis-server on a free loopback port)')
    .option('--json', 'one JSON object')
    .action(async (arg: string | undefined, flags: { json?: boolean }) => {
      const r = await benchQueue({ url: arg ? checkQueueUrl(arg) : undefined, log: (line) => process.stderr.write(line + '\n') });
      if (flags.json) process.stdout.write(JSON.stringify(r) + '\n');
      else printQueueBench(r);
    });
  queue
    .command('status')
    .description('jobs per state, unfinished jobs per run, and the live workers with what they run')
    .argument('[url]', `the Redis queue (default $${QUEUE_ENV})`)
    .option('--json', 'one JSON object')
    .action(async (arg: string | undefined, flags: { json?: boolean }) => {
      const url = queueUrlOf(arg);
      if (!url) throw new Error(`queue status: give the queue, e.g. redis://host:6379/0, or set $${QUEUE_ENV}`);
      const s = await queueStatus(url);
      if (flags.json) process.stdout.write(JSON.stringify(s) + '\n');
      else printQueueStatus(url, s);
    });
}
