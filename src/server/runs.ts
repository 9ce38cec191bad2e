/**
 * The runs directory: every child directory that is a study run or a `continuum train` run. A run that
 * cannot be read (corrupt store, broken recipe.json) is still listed, with the reason, so the page can show
 * an error card for it instead of hiding it or failing the whole list.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunInfo } from '../api/types.js';
import { NotFoundError } from './errors.js';
import { runDirOf } from './paths.js';
import type { RunSource } from './run-source.js';
import { isStudyRunDir, StudyRun } from './study-run.js';
import { isTrainRunDir, TrainRun } from './train-run.js';

/** Opens run `id` under `runsDir`; the caller closes it. Throws BadRequestError (400) or NotFoundError (404). */
export function openRun(runsDir: string, id: string): RunSource {
  const dir = runDirOf(runsDir, id);
  if (isStudyRunDir(dir)) return new StudyRun(id, dir);
  if (isTrainRunDir(dir)) return new TrainRun(id, dir);
  throw new NotFoundError(`"${id}" is not a run: it has neither store.sqlite nor metrics.jsonl`);
}

/** Runs open for the length of `fn` only. */
export function withRun<T>(runsDir: string, id: string, fn: (run: RunSource) => T): T {
  const run = openRun(runsDir, id);
  try {
    return fn(run);
  } finally {
    run.close();
  }
}

/** Every run, newest first. */
export function listRuns(runsDir: string): RunInfo[] {
  if (!existsSync(runsDir)) return [];
  const dirs = readdirSync(runsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => ({ id: d.name, dir: join(runsDir, d.name) }))
    .filter(({ dir }) => isStudyRunDir(dir) || isTrainRunDir(dir));
  const infos = dirs.map(({ id, dir }) => {
    try {
      return withRun(runsDir, id, (run) => run.info());
    } catch (err) {
      return brokenRun(id, dir, err as Error);
    }
  });
  const time = (r: RunInfo) => Date.parse(r.createdAt ?? '') || 0;
  return infos.sort((a, b) => time(b) - time(a) || a.id.localeCompare(b.id));
}

function brokenRun(id: string, dir: string, err: Error): RunInfo {
  const created = new Date(statSync(dir).mtimeMs).toISOString();
  return {
    id,
    kind: isStudyRunDir(dir) ? 'study' : 'train',
    name: id,
    status: 'unreadable',
    createdAt: created,
    startedAt: null,
    finishedAt: null,
    trials: { total: 0, queued: 0, running: 0, done: 0, failed: 0 },
    verdict: null,
    error: err.message,
  };
}
