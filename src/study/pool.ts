/**
 * The local pool: runs a study's queued trials in child processes, `jobs` at a time, each trial a fresh
 * process (worker.ts) so a crash or a leak takes down one trial, not the study. Trials are claimed atomically
 * from the run store, so a resumed study picks up exactly what is left. A trial whose process dies without
 * reporting is marked failed with its exit code and the end of its stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunStore, Trial } from '../store/run-store.js';
import type { WorkerMessage } from './worker.js';

export interface PoolStatus {
  total: number;
  done: number;
  failed: number;
  running: number;
  queued: number;
  /** Trials' worth of work done, counting running trials' fractions. */
  work: number;
  elapsedSeconds: number;
  /** Seconds left at the pace so far; NaN until some work is done. */
  etaSeconds: number;
  /** The pool was stopped by a signal before the queue was empty. */
  interrupted?: boolean;
}

export interface PoolOptions {
  jobs: number;
  /** Native-engine threads per trial process; default: the cores divided among the jobs. */
  threads?: number;
  onStatus?: (status: PoolStatus) => void;
  /** A trial finished (done or failed). */
  onTrialEnd?: (trial: Trial) => void;
}

/** The environment variable that gives a trial process its coordinator's PID (worker.ts stops when it is gone). */
export const COORDINATOR_ENV = 'CONTINUUM_COORDINATOR_PID';

/** Measured on 2 cores: two 1-thread trials at once train ~1.7x faster than one 2-thread trial at a time. */
export function defaultJobs(): number {
  return availableParallelism();
}

function workerEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  // From dist/ the worker is plain JS; from src/ (tests under tsx or vitest) it needs the tsx loader.
  return { path: join(dirname(here), `worker${ext}`), execArgv: ext === '.ts' ? ['--import', 'tsx'] : [] };
}

export async function runPool(runDir: string, store: RunStore, runId: string, options: PoolOptions): Promise<PoolStatus> {
  const jobs = Math.max(1, options.jobs);
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / jobs));
  const entry = workerEntry();
  const running = new Map<number, { child: ChildProcess; fraction: number; stderr: string }>();
  const started = Date.now();
  let finishedWork = 0;

  const status = (): PoolStatus => {
    const s = store.runSummary(runId).trials;
    const partial = [...running.values()].reduce((a, r) => a + r.fraction, 0);
    const work = finishedWork + partial;
    const elapsedSeconds = (Date.now() - started) / 1000;
    const left = s.queued + running.size - partial;
    return { total: s.total, done: s.done, failed: s.failed, running: running.size, queued: s.queued, work, elapsedSeconds, etaSeconds: work > 0 ? (elapsedSeconds / work) * left : NaN };
  };
  const report = () => options.onStatus?.(status());

  // Stop the children with the parent, so a Ctrl-C leaves trials to be resumed rather than orphaned.
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    running.forEach((r) => r.child.kill('SIGTERM'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ticker = setInterval(report, 1000);

  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      const fill = () => {
        while (!stopping && running.size < jobs) {
          const trial = store.claimNextTrial(runId);
          if (!trial) break;
          launch(trial);
        }
        report();
        if (running.size === 0) resolveAll();
      };
      const launch = (trial: Trial) => {
        const env = { ...process.env, CONTINUUM_THREADS: process.env.CONTINUUM_THREADS ?? String(threads), [COORDINATOR_ENV]: String(process.pid) };
        const child = fork(entry.path, [runDir, String(trial.key)], { execArgv: entry.execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        const slot = { child, fraction: 0, stderr: '' };
        running.set(trial.key, slot);
        child.stderr!.on('data', (d: Buffer) => (slot.stderr = (slot.stderr + d.toString()).slice(-2000)));
        child.on('message', (m: WorkerMessage) => {
          if (m.type === 'progress') slot.fraction = m.fraction;
        });
        child.on('error', rejectAll);
        child.on('exit', (code, signal) => {
          running.delete(trial.key);
          finishedWork += 1;
          const after = store.getTrial(trial.key);
          // Killed (or crashed) before it could say how it ended; when we stopped it, `study resume` picks it up.
          if (after.status === 'running' && !stopping) {
            const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
            const tail = slot.stderr.trim().split('\n').slice(-3).join(' | ');
            store.markTrialFailed(trial.key, `the trial process ${why}${tail ? `: ${tail}` : ''}`);
          }
          options.onTrialEnd?.(store.getTrial(trial.key));
          fill();
        });
      };
      fill();
    });
  } finally {
    clearInterval(ticker);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const final = { ...status(), interrupted: stopping };
  options.onStatus?.(final);
  return final;
}
