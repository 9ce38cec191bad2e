/**
 * The life of a study run: `startStudy` expands the study into trials and creates the run directory,
 * `runStudy` runs what is queued in the local pool and writes the report, `resumeRun` requeues what a kill
 * interrupted and carries on, `writeRunReport` (re)builds report.html, plots/ and summary.json from the store.
 */
import { relative } from 'node:path';
import { writeReport, type WrittenReport } from '../report/write.js';
import type { Report } from '../report/model.js';
import { expandTrials, resolveMode, type Mode } from './expand.js';
import { runPool, type PoolOptions, type PoolStatus } from './pool.js';
import { buildReport } from '../report/build.js';
import { loadResults } from '../report/results.js';
import { createRunDir, openRunDir, type OpenedRun } from './run-dir.js';
import type { Study } from './schema.js';

export interface StudyOutcome {
  dir: string;
  status: PoolStatus;
  report: Report;
  files: WrittenReport;
}

/** Resolves the mode, expands and validates every trial, then creates the run directory with its queue. */
export function startStudy(study: Study, mode: Mode, dir: string): OpenedRun {
  const resolved = resolveMode(study, mode);
  const trials = expandTrials(resolved);
  return createRunDir(dir, resolved, trials);
}

/** What runs a study's queued trials: the local pool by default, or another (src/queue/ runs them on Redis). */
export type TrialExecutor = (opened: OpenedRun, pool: PoolOptions) => Promise<PoolStatus>;

const localPool: TrialExecutor = (opened, pool) => runPool(opened.dir, opened.store, opened.run.id, pool);

export async function runStudy(opened: OpenedRun, pool: PoolOptions, execute: TrialExecutor = localPool): Promise<StudyOutcome> {
  const { dir, store, run } = opened;
  store.setRunStatus(run.id, 'running');
  const status = await execute(opened, pool);
  const { report, files } = await writeRunReport(opened);
  store.setRunStatus(run.id, status.interrupted ? 'interrupted' : status.done > 0 ? 'done' : 'failed', report.verdict);
  return { dir, status, report, files };
}

/** Trials left running by a killed process go back in the queue; done and failed ones are kept. */
export async function resumeRun(dir: string, pool: PoolOptions, options: { retryFailed?: boolean; execute?: TrialExecutor } = {}): Promise<StudyOutcome> {
  const opened = openRunDir(dir);
  opened.store.requeueTrials(opened.run.id, { includeFailed: options.retryFailed });
  return runStudy(opened, pool, options.execute);
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
