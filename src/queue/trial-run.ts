/**
 * One job on a worker: restore the trial's last checkpoint from Redis (or find it in the shared --checkpoints
 * directory), drop what the trial logged after it, train in a child process (trial-child.ts), and relay what the
 * child sends to Redis in the order it was sent. Resolves with the job's result; rejects with the trial's own
 * reason when it failed, or with HandBack when the worker is stopping and the job should go back to the queue.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkpointsDir, latestCheckpoint } from '../train/checkpoint.js';
import { JOB_FORMAT, type LogBatch, type TrialJob, type TrialResult } from './job.js';
import { trialKeys } from './keys.js';
import type { ChildMessage, StartMessage } from './trial-child.js';

export interface TrialRunOptions {
  worker: string;
  threads: number;
  checkpointsDir?: string;
  maxCheckpointBytes: number;
  checkpointSeconds: number;
  /** Called with the child as soon as it runs, so a stopping worker can kill it. */
  onChild: (child: ChildProcess | null) => void;
}

/** The worker is stopping: the job goes back to the queue, its last checkpoint kept. */
export class HandBack extends Error {}

function childEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  // From dist/ the child is plain JS; from src/ (tests) it needs the tsx loader.
  return { path: join(dirname(here), `trial-child${ext}`), execArgv: ext === '.ts' ? ['--import', 'tsx'] : [] };
}

/**
 * The trial trains in a folder of this machine's own. Its checkpoints live in Redis, or with --checkpoints DIR
 * in DIR/<job id>/, where the worker publishes each one only after what the trial logged before it reached
 * Redis: a trial resumed from the shared directory then never lacks a step it had logged.
 */
export async function runTrialJob(redis: Redis, job: Job, data: TrialJob, options: TrialRunOptions): Promise<TrialResult> {
  const keys = trialKeys(job.id!);
  const shared = options.checkpointsDir === undefined ? null : join(options.checkpointsDir, job.id!);
  const dir = join(mkdtempSync(join(tmpdir(), 'continuum-worker-')), 'trial');
  mkdirSync(dir, { recursive: true });
  try {
    const step = shared ? restoreShared(shared, dir, data.trialId) : await restoreCheckpoint(redis, keys.checkpoint, dir);
    await truncateLog(redis, keys, step);
    const start: StartMessage = { type: 'start', job: data, dir, resume: step !== null, sendCheckpoints: !shared, maxCheckpointBytes: options.maxCheckpointBytes, checkpointSeconds: options.checkpointSeconds };
    const final = await runChild(redis, job, start, { ...options, shared });
    if (final.type === 'failed') throw new Error(final.reason);
    const model = Object.entries(final.model).map(([name, bytes]) => [name, Buffer.from(bytes)] as const);
    if (model.length) await redis.multi().del(keys.model).hset(keys.model, Object.fromEntries(model)).exec();
    if (shared) rmSync(shared, { recursive: true, force: true });
    return { format: JOB_FORMAT, worker: options.worker, steps: final.steps, evals: final.evals };
  } finally {
    // A shared directory keeps the checkpoint of a trial handed back or failed for the next attempt.
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}

/** Writes the checkpoint Redis holds into dir/checkpoints/ and returns its global step; null when there is none. */
async function restoreCheckpoint(redis: Redis, key: string, dir: string): Promise<number | null> {
  const hash = await redis.hgetallBuffer(key);
  const name = hash['.name']?.toString();
  if (!name) return null;
  const folder = join(checkpointsDir(dir), name);
  mkdirSync(folder, { recursive: true });
  for (const [file, bytes] of Object.entries(hash)) if (!file.startsWith('.')) writeFileSync(join(folder, file), bytes);
  writeFileSync(join(checkpointsDir(dir), 'LATEST'), `${name}\n`);
  return Number(hash['.step']!.toString());
}

/** Copies the shared directory's latest checkpoint into dir/checkpoints/ and returns its global step; null when none. */
function restoreShared(shared: string, dir: string, trialId: string): number | null {
  const latest = latestCheckpoint(shared);
  if (!latest) return null;
  process.stdout.write(`  ${trialId}: resuming from ${latest} (the shared directory)\n`);
  const name = basename(latest);
  cpSync(latest, join(checkpointsDir(dir), name), { recursive: true });
  writeFileSync(join(checkpointsDir(dir), 'LATEST'), `${name}\n`);
  return (JSON.parse(readFileSync(join(latest, 'state.json'), 'utf8')) as { globalStep: number }).globalStep;
}

/**
 * Publishes a checkpoint folder into the shared directory: copied under a temporary name, renamed, then LATEST
 * repointed (each step atomic), keeping the two newest. A folder the trainer pruned before its turn came is
 * skipped: a newer checkpoint follows it.
 */
function publishShared(folder: string, name: string, shared: string): void {
  const root = checkpointsDir(shared);
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.publish-${name}-${process.pid}`);
  try {
    cpSync(folder, tmp, { recursive: true });
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    return;
  }
  rmSync(join(root, name), { recursive: true, force: true });
  renameSync(tmp, join(root, name));
  writeFileSync(join(root, '.LATEST.tmp'), `${name}\n`);
  renameSync(join(root, '.LATEST.tmp'), join(root, 'LATEST'));
  const names = readdirSync(root).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const old of names.slice(0, -2)) if (old !== name) rmSync(join(root, old), { recursive: true, force: true });
}

/**
 * The trial's log as the checkpoint left it: metric points up to its step, stage-end evaluations before it (the
 * trainer measures a stage's end again when it resumes there). Without a checkpoint the trial starts over: empty.
 */
async function truncateLog(redis: Redis, keys: ReturnType<typeof trialKeys>, step: number | null): Promise<void> {
  const key = keys.log;
  const batches = (await redis.lrange(key, 0, -1)).map((b) => JSON.parse(b) as LogBatch);
  if (batches.length === 0) return;
  const kept = step === null ? [] : batches.flatMap((b): LogBatch[] => {
    if (b.kind === 'evals') return b.step < step ? [b] : [];
    const points = b.points.filter((p) => p.step <= step);
    return points.length ? [{ kind: 'metrics', points }] : [];
  });
  // A new generation tells a coordinator following the log to read it again from the start.
  const tx = redis.multi().del(key).incr(keys.logGeneration);
  if (kept.length) tx.rpush(key, ...kept.map((b) => JSON.stringify(b)));
  await tx.exec();
}

type Final = Extract<ChildMessage, { type: 'done' | 'failed' }>;

function runChild(redis: Redis, job: Job, start: StartMessage, options: TrialRunOptions & { shared: string | null }): Promise<Final> {
  const entry = childEntry();
  const env = { ...process.env, CONTINUUM_THREADS: process.env.CONTINUUM_THREADS ?? String(options.threads) };
  const child = fork(entry.path, [], { execArgv: entry.execArgv, env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' });
  options.onChild(child);
  const keys = trialKeys(job.id!);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  // Messages go to Redis one after another, in the order the child sent them.
  let relayed: Promise<unknown> = Promise.resolve();
  let final: Final | null = null;
  const relay = async (m: ChildMessage) => {
    if (m.type === 'log') await redis.rpush(keys.log, JSON.stringify(m.batch));
    else if (m.type === 'progress') await job.updateProgress({ fraction: m.fraction, worker: options.worker });
    else if (m.type === 'checkpoint') {
      const files = Object.fromEntries(Object.entries(m.files).map(([f, b]) => [f, Buffer.from(b)]));
      if (options.shared && m.path) publishShared(m.path, m.name, options.shared);
      else if (Object.keys(files).length) await redis.multi().del(keys.checkpoint).hset(keys.checkpoint, { ...files, '.name': m.name, '.step': String(m.step) }).exec();
      // Test hook: freeze the trial right after a checkpoint reached Redis (or the shared directory), so a test
      // can kill this worker mid-trial.
      if (process.env.CONTINUUM_TEST_FREEZE_AFTER_CHECKPOINT) child.kill('SIGSTOP');
    } else {
      final = m;
      child.disconnect();
    }
  };
  child.on('message', (m: ChildMessage) => (relayed = relayed.then(() => relay(m))));
  child.send(start);
  return new Promise<Final>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      options.onChild(null);
      relayed.then(() => {
        if (final) return resolve(final);
        if (signal === 'SIGKILL' || signal === 'SIGTERM') return reject(new HandBack(`stopped by ${signal}`));
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`the trial process exited with code ${code}${tail ? `: ${tail}` : ''}`));
      }, reject);
    });
  });
}
