/**
 * The life of a study run: `startStudy` expands the study into trials and creates the run directory,
 * `reopenStudy` requeues what a kill interrupted, `runStudy` runs what is queued in trial processes and writes
 * the report, `writeRunReport` (re)builds report.html, plots/ and summary.json from the store. Between start
 * (or reopen) and the end of runStudy the process owns the run (store/run-lock.ts): no second one runs its trials.
 */
import { relative } from 'node:path';
import { writeReport, type WrittenReport } from '../report/write.js';
import type { Report } from '../report/model.js';
import { expandTrials, resolveMode, type Mode } from './expand.js';
import { runTrialProcesses, type TrialProcessOptions, type StudyProgress } from './trial-processes.js';
import { buildReport } from '../report/build.js';
import { loadResults } from '../report/results.js';
import { createRunDir, openRunDir, trialRecipe, type OpenedRun } from './run-dir.js';
import { planTrials, type RunPlan } from './sizes.js';
import { acquireRunLock, type RunLock } from '../store/run-lock.js';
import type { Study } from './schema.js';

export interface StudyOutcome {
  dir: string;
  status: StudyProgress;
  report: Report;
  files: WrittenReport;
}

/** A run this process owns until runStudy ends (or the process exits), with how many trials to run at once. */
export interface OwnedRun extends OpenedRun {
  lock: RunLock;
  plan: RunPlan;
}

/**
 * Resolves the mode, expands and validates every trial and checks that each fits this machine (sizes.ts),
 * then creates the run directory with its queue.
 */
export function startStudy(study: Study, mode: Mode, dir: string, jobs: number): OwnedRun {
  const resolved = resolveMode(study, mode);
  const trials = expandTrials(resolved);
  const plan = planTrials(trials, jobs);
  return { ...own(createRunDir(dir, resolved, trials), 'continuum study run'), plan };
}

/**
 * Opens a run to continue it, once this process owns it: trials left running by a killed process go back in
 * the queue (done and failed ones are kept), and the sizes of what is queued are checked again, on this
 * machine. Refused while another process owns the run.
 */
export function reopenStudy(dir: string, options: { jobs: number; retryFailed?: boolean }): OwnedRun {
  const owned = own(openRunDir(dir), 'continuum study resume');
  try {
    owned.store.requeueTrials(owned.run.id, { includeFailed: options.retryFailed });
    const queued = owned.store.listTrials(owned.run.id).filter((t) => t.status === 'queued');
    return { ...owned, plan: planTrials(queued.map((t) => ({ id: t.id, recipe: trialRecipe(t) })), options.jobs) };
  } catch (err) {
    owned.lock.release();
    owned.store.close();
    throw err;
  }
}

function own(opened: OpenedRun, command: string): Omit<OwnedRun, 'plan'> {
  try {
    return { ...opened, lock: acquireRunLock(opened.dir, command) };
  } catch (err) {
    opened.store.close();
    throw err;
  }
}

/** What runs a study's queued trials: local trial processes by default, or another (src/queue/ runs them on Redis). */
export type TrialExecutor = (opened: OpenedRun, processes: TrialProcessOptions) => Promise<StudyProgress>;

const localProcesses: TrialExecutor = (opened, processes) => runTrialProcesses(opened.dir, opened.store, opened.run.id, processes);

export async function runStudy(opened: OwnedRun, processes: TrialProcessOptions, execute: TrialExecutor = localProcesses): Promise<StudyOutcome> {
  const { dir, store, run } = opened;
  try {
    store.setRunStatus(run.id, 'running');
    const status = await execute(opened, { ...processes, jobs: Math.min(processes.jobs, opened.plan.jobs) });
    const { report, files } = await writeRunReport(opened);
    store.setRunStatus(run.id, status.interrupted ? 'interrupted' : status.done > 0 ? 'done' : 'failed', report.verdict);
    return { dir, status, report, files };
  } finally {
    opened.lock.release();
  }
}

/**
 * Why a study run failed as a whole, one line per reason: every trial failed, or a claim could not be measured
 * because its trials failed. Empty when it did not (an interrupted run is not failed: it can be resumed).
 */
export function studyFailures(report: Report): string[] {
  const { failed, total } = report.run.trials;
  const all = total > 0 && failed === total ? [`all ${total} trials failed (their reasons are in the report's notes and in the FAILED lines)`] : [];
  const claims = (report.unmeasured ?? []).filter((u) => u.cause === 'failed').map((u) => `the claim "${u.claim}" could not be measured: ${u.reason}`);
  return [...all, ...claims];
}

export async function writeRunReport(opened: OpenedRun): Promise<{ report: Report; files: WrittenReport }> {
  const { dir, store, study } = opened;
  const run = store.getRun(opened.run.id);
  const report = buildReport(study, run, loadResults(store, run.id));
  const files = await writeReport(dir, report);
  // Record the files once: a rebuilt report overwrites them in place.
  const known = new Set(store.listArtifacts(run.id).map((a) => a.path));
  const record = (kind: string, path: string) => {
    const rel = relative(dir, path);
    if (!known.has(rel)) store.addArtifact({ run: run.id, kind, path: rel });
  };
  record('report', files.html);
  record('summary', files.summary);
  for (const p of Object.values(files.plots)) {
    record('plot', p.svg);
    record('plot', p.png);
  }
  // A rebuilt report may change the verdict (new code, new rules); only then is the run's row touched, since
  // setting a final status again also restamps its finish time.
  if ((run.status === 'done' || run.status === 'failed') && run.verdict !== report.verdict) store.setRunStatus(run.id, run.status, report.verdict);
  return { report, files };
}
