/**
 * The life of a study run: `startStudy` expands the study into trials and creates the run directory,
 * `reopenStudy` requeues what a kill interrupted, `runStudy` runs what is queued in the local pool and writes
 * the report, `writeRunReport` (re)builds report.html, plots/ and summary.json from the store. Between start
 * (or reopen) and the end of runStudy the process owns the run (run-lock.ts): no second one runs its trials.
 */
import { relative } from 'node:path';
import { writeReport, type WrittenReport } from '../report/write.js';
import type { Report } from '../report/model.js';
import { expandTrials, resolveMode, type Mode } from './expand.js';
import { runPool, type PoolOptions, type PoolStatus } from './pool.js';
import { buildReport } from '../report/build.js';
import { loadResults } from '../report/results.js';
import { createRunDir, openRunDir, type OpenedRun } from './run-dir.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import type { Study } from './schema.js';

export interface StudyOutcome {
  dir: string;
  status: PoolStatus;
  report: Report;
  files: WrittenReport;
}

/** A run this process owns until runStudy ends (or the process exits). */
export interface OwnedRun extends OpenedRun {
  lock: RunLock;
}

/** Resolves the mode, expands and validates every trial, then creates the run directory with its queue. */
export function startStudy(study: Study, mode: Mode, dir: string): OwnedRun {
  const resolved = resolveMode(study, mode);
  const trials = expandTrials(resolved);
  return own(createRunDir(dir, resolved, trials), 'continuum study run');
}

/**
 * Opens a run to continue it, once this process owns it: trials left running by a killed process go back in
 * the queue (done and failed ones are kept). Refused while another process owns the run.
 */
export function reopenStudy(dir: string, options: { retryFailed?: boolean } = {}): OwnedRun {
  const owned = own(openRunDir(dir), 'continuum study resume');
  owned.store.requeueTrials(owned.run.id, { includeFailed: options.retryFailed });
  return owned;
}

function own(opened: OpenedRun, command: string): OwnedRun {
  try {
    return { ...opened, lock: acquireRunLock(opened.dir, command) };
  } catch (err) {
    opened.store.close();
    throw err;
  }
}

export async function runStudy(opened: OwnedRun, pool: PoolOptions): Promise<StudyOutcome> {
  const { dir, store, run } = opened;
  try {
    store.setRunStatus(run.id, 'running');
    const status = await runPool(dir, store, run.id, pool);
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
