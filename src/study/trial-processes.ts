/**
 * Trial processes: runs a study's queued trials in child processes, `jobs` at a time, each trial a fresh
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

/** How far a study run is: trial counts, work done and the time it has left. */
export interface StudyProgress {
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
  /** The run was stopped by a signal before the queue was empty. */
  interrupted?: boolean;
}

export interface TrialProcessOptions {
  jobs: number;
  /** Native-engine threads per trial process; default: the cores divided among the jobs. */
  threads?: number;
  onStatus?: (status: StudyProgress) => void;
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

export async function runTrialProcesses(runDir: string, store: RunStore, runId: string, options: TrialProcessOptions): Promise<StudyProgress> {
  const processes = new TrialProcesses(runDir, store, runId, options);
  // Stop the children with the parent, so a Ctrl-C leaves trials to be resumed rather than orphaned.
  const onSignal = () => processes.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ticker = setInterval(() => processes.report(), 1000);
  try {
    await processes.drain();
  } finally {
    clearInterval(ticker);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const final = { ...processes.progress(), interrupted: processes.stopping };
  options.onStatus?.(final);
  return final;
}

/** A trial's child process, how far it says it is, and the end of its stderr (for the failure message). */
interface Running {
  child: ChildProcess;
  fraction: number;
  stderr: string;
}

/** The trial processes of one run: at most `jobs` alive, a new one started whenever one exits. */
class TrialProcesses {
  stopping = false;
  private readonly running = new Map<number, Running>();
  private readonly started = Date.now();
  private readonly jobs: number;
  private readonly threads: number;
  private readonly entry = workerEntry();
  private finishedWork = 0;
  private settle: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(
    private readonly runDir: string,
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly options: TrialProcessOptions,
  ) {
    this.jobs = Math.max(1, options.jobs);
    this.threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / this.jobs));
  }

  progress(): StudyProgress {
    const s = this.store.runSummary(this.runId).trials;
    const partial = [...this.running.values()].reduce((a, r) => a + r.fraction, 0);
    const work = this.finishedWork + partial;
    const elapsedSeconds = (Date.now() - this.started) / 1000;
    const left = s.queued + this.running.size - partial;
    const etaSeconds = work > 0 ? (elapsedSeconds / work) * left : NaN;
    return { total: s.total, done: s.done, failed: s.failed, running: this.running.size, queued: s.queued, work, elapsedSeconds, etaSeconds };
  }

  report(): void {
    this.options.onStatus?.(this.progress());
  }

  stop(): void {
    this.stopping = true;
    this.running.forEach((r) => r.child.kill('SIGTERM'));
  }

  /** Runs trials until the queue is empty (or stop() was called) and every process has exited. */
  drain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.fill();
    });
  }

  private fill(): void {
    while (!this.stopping && this.running.size < this.jobs) {
      const trial = this.store.claimNextTrial(this.runId);
      if (!trial) break;
      this.launch(trial);
    }
    this.report();
    if (this.running.size === 0) this.settle?.resolve();
  }

  private launch(trial: Trial): void {
    const env = { ...process.env, CONTINUUM_THREADS: process.env.CONTINUUM_THREADS ?? String(this.threads), [COORDINATOR_ENV]: String(process.pid) };
    const { path, execArgv } = this.entry;
    const child = fork(path, [this.runDir, String(trial.key)], { execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const slot: Running = { child, fraction: 0, stderr: '' };
    this.running.set(trial.key, slot);
    child.stderr!.on('data', (d: Buffer) => (slot.stderr = (slot.stderr + d.toString()).slice(-2000)));
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') slot.fraction = m.fraction;
    });
    child.on('error', (err) => this.settle?.reject(err));
    child.on('exit', (code, signal) => this.exited(trial, slot, code, signal));
  }

  private exited(trial: Trial, slot: Running, code: number | null, signal: NodeJS.Signals | null): void {
    this.running.delete(trial.key);
    this.finishedWork += 1;
    const after = this.store.getTrial(trial.key);
    // Killed (or crashed) before it could say how it ended; when we stopped it, `study resume` picks it up.
    if (after.status === 'running' && !this.stopping) {
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const tail = slot.stderr.trim().split('\n').slice(-3).join(' | ');
      this.store.markTrialFailed(trial.key, `the trial process ${why}${tail ? `: ${tail}` : ''}`);
    }
    this.options.onTrialEnd?.(this.store.getTrial(trial.key));
    this.fill();
  }
}
