/**
 * What the dashboard reads from a run, whatever wrote it: a study run (store.sqlite + trials/) or a plain
 * `continuum train` run (recipe.json + metrics.jsonl). The routes only see this interface.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointInfo, MetricTuple, RunDetail, RunInfo, RunSummaryJson, SeriesResponse, TrialInfo } from '../api/types.js';

export interface StreamPoll {
  rows: MetricTuple[];
  /** Drop everything received so far: the source was cut back and rows start again from the top. */
  reset: boolean;
  /** More rows are waiting; poll again without pausing. */
  more: boolean;
  /** What the reader passed over and why (a metrics line over the length limit), for the page to show. */
  notes?: string[];
}

/** A live cursor over one run's metrics; each poll returns only rows written since the last. */
export interface MetricsFollower {
  poll(): StreamPoll;
  /** The trial list and run info, for spotting status changes. */
  state(): { trials: TrialInfo[]; info: RunInfo };
  close(): void;
}

export interface RunSource {
  readonly id: string;
  readonly dir: string;
  info(): RunInfo;
  detail(): RunDetail;
  series(tag: string): SeriesResponse;
  checkpoints(): CheckpointInfo[];
  /** `tags` null follows every tag. */
  follow(tags: ReadonlySet<string> | null): MetricsFollower;
  close(): void;
}

/** summary.json of a run, or why it could not be read; both null when the run has none (yet). */
export function readSummary(dir: string): { summary: RunSummaryJson | null; summaryError: string | null } {
  const path = join(dir, 'summary.json');
  if (!existsSync(path)) return { summary: null, summaryError: null };
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as RunSummaryJson;
    if (typeof json !== 'object' || json === null || typeof json.finding !== 'string') throw new Error('it has no finding');
    return { summary: json, summaryError: null };
  } catch (err) {
    return { summary: null, summaryError: `summary.json is unreadable: ${(err as Error).message}` };
  }
}

/** Model folders under `dir` (relative path prefix `prefix`): the final model/ and each checkpoints/step-N/. */
export function modelFolders(dir: string, prefix: string, trial: string | null): CheckpointInfo[] {
  const found: CheckpointInfo[] = [];
  if (existsSync(join(dir, 'model', 'config.json'))) found.push({ path: `${prefix}model`, trial, step: null });
  const ckpts = join(dir, 'checkpoints');
  if (existsSync(ckpts)) {
    for (const name of readdirSync(ckpts).sort().reverse()) {
      const m = /^step-(\d+)$/.exec(name);
      if (m && existsSync(join(ckpts, name, 'config.json'))) found.push({ path: `${prefix}checkpoints/${name}`, trial, step: Number(m[1]) });
    }
  }
  return found;
}
