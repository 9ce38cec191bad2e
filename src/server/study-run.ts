/**
 * A study run directory: store.sqlite (run, trials, metrics, evals) opened read-only, trials/<id>/ with each
 * trial's training run, and summary.json once the report is written. Live rows come from the store's
 * metricsSince cursor: metric ids grow in commit order, so each poll sees every new row exactly once.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openRunStore, STORE_FILE, type Run, type RunStore, type Trial } from '../store/run-store.js';
import type { CheckpointInfo, MetricTuple, RunDetail, RunInfo, SeriesResponse, TrialInfo } from '../api/types.js';
import { isHeadlineTag } from '../measure/tags.js';
import { modelFolders, readSummary, type MetricsFollower, type RunSource } from './run-source.js';

export const isStudyRunDir = (dir: string): boolean => existsSync(join(dir, STORE_FILE));

/** Rows read from the store per poll at most; the rest come on the next, immediate, poll. */
const BATCH = 20_000;

/** Evaluations shown as columns: the overall (every family, every domain) value of these metrics. */
const EVAL_METRICS = ['score', 'exact'];

export class StudyRun implements RunSource {
  private readonly store: RunStore;
  /** The run's id inside the store (normally the directory's name). */
  readonly runId: string;

  constructor(
    readonly id: string,
    readonly dir: string,
  ) {
    this.store = openRunStore(join(dir, STORE_FILE), { readonly: true });
    try {
      this.runId = this.findRunId();
    } catch (err) {
      this.store.close();
      throw err;
    }
  }

  /** The run's id is its directory's name; a renamed directory still works when the store holds one run. */
  private findRunId(): string {
    const runs = this.store.listRuns();
    const named = runs.find((r) => r.id === basename(this.dir));
    if (named) return named.id;
    if (runs.length === 1) return runs[0].id;
    throw new Error(`${STORE_FILE} holds ${runs.length} runs and none is named ${basename(this.dir)}`);
  }

  info(): RunInfo {
    return infoOf(this.id, this.store.getRun(this.runId), this.store.listTrials(this.runId));
  }

  private trialInfos(withFinal: boolean): TrialInfo[] {
    const evals = withFinal ? this.store.listEvals({ run: this.runId }) : [];
    return this.store.listTrials(this.runId).map((t) => {
      const final: Record<string, number> = {};
      if (withFinal) {
        for (const tag of this.store.metricTags(t.key).filter(isHeadlineTag)) {
          const series = this.store.metricSeries(t.key, tag);
          if (series.length) final[tag] = series[series.length - 1].value;
        }
        // The latest overall evaluation per split and metric, e.g. "test score", "heldout exact".
        for (const e of evals) {
          if (e.trialKey === t.key && e.family === '*' && e.domain === '*' && EVAL_METRICS.includes(e.metric)) final[`${e.split} ${e.metric}`] = e.value;
        }
      }
      return trialInfo(t, final);
    });
  }

  detail(): RunDetail {
    const trials = this.store.listTrials(this.runId);
    const tags = new Set<string>();
    for (const t of trials) for (const tag of this.store.metricTags(t.key)) tags.add(tag);
    return { info: this.info(), ...readSummary(this.dir), trials: this.trialInfos(true), tags: [...tags].sort() };
  }

  series(tag: string): SeriesResponse {
    const series = this.store.listTrials(this.runId).map((t) => {
      // A resumed trial may log a step twice; the later row wins.
      const byStep = new Map<number, number>();
      for (const p of this.store.metricSeries(t.key, tag)) byStep.set(p.step, p.value);
      return { trial: t.id, points: [...byStep.entries()].sort((a, b) => a[0] - b[0]) };
    });
    return { tag, series: series.filter((s) => s.points.length > 0) };
  }

  checkpoints(): CheckpointInfo[] {
    const root = join(this.dir, 'trials');
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .sort()
      .flatMap((name) => modelFolders(join(root, name), `trials/${name}/`, name));
  }

  follow(tags: ReadonlySet<string> | null): MetricsFollower {
    let cursor = 0;
    return {
      poll: () => {
        const read = this.store.metricsSince(cursor, { run: this.runId, limit: BATCH });
        cursor = read.cursor;
        const rows: MetricTuple[] = [];
        for (const r of read.rows) if ((!tags || tags.has(r.tag)) && Number.isFinite(r.value)) rows.push([r.trial, r.step, r.tag, r.value]);
        return { rows, reset: false, more: read.rows.length === BATCH };
      },
      state: () => ({ trials: this.trialInfos(false), info: this.info() }),
      close: () => {},
    };
  }

  close(): void {
    this.store.close();
  }
}

/** The run's row and its trial counts (counted here: the store's runSummary also counts every metric row). */
function infoOf(id: string, run: Run, list: readonly Trial[]): RunInfo {
  const trials = { total: list.length, queued: 0, running: 0, done: 0, failed: 0 };
  for (const t of list) trials[t.status] += 1;
  return {
    id,
    kind: 'study',
    name: run.study,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    trials,
    verdict: run.verdict,
  };
}

const trialInfo = (t: Trial, final: Record<string, number>): TrialInfo => ({
  id: t.id,
  axes: t.axes as Record<string, unknown>,
  seed: t.seed,
  status: t.status,
  reason: t.reason,
  startedAt: t.startedAt,
  finishedAt: t.finishedAt,
  ...(t.worker ? { worker: t.worker } : {}),
  final,
});
