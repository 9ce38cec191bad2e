/**
 * A plain `continuum train` run directory: recipe.json, metrics.jsonl (one JSON line per step), checkpoints/
 * and, once finished, model/. It has one trial, called "run". It is running until model/ appears; a run
 * whose metrics have not moved for STALE_MS without a model was stopped (killed, or waiting for a resume).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMetrics, type MetricsRecord } from '../train/metrics.js';
import type { CheckpointInfo, MetricTuple, RunDetail, RunInfo, SeriesResponse, TrialInfo } from '../api/types.js';
import { MAX_LINE, readMetricsSince } from './metrics-tail.js';
import { isHeadlineTag } from '../measure/tags.js';
import { modelFolders, readSummary, type MetricsFollower, type RunSource } from './run-source.js';

export const TRAIN_TRIAL = 'run';
const STALE_MS = 120_000;

export const isTrainRunDir = (dir: string): boolean => existsSync(join(dir, 'recipe.json')) || existsSync(join(dir, 'metrics.jsonl'));

const iso = (ms: number): string => new Date(ms).toISOString();

export class TrainRun implements RunSource {
  private readonly metricsPath: string;

  constructor(
    readonly id: string,
    readonly dir: string,
  ) {
    this.metricsPath = join(dir, 'metrics.jsonl');
  }

  private recipe(): { name?: string; seed?: number } {
    const path = join(this.dir, 'recipe.json');
    if (!existsSync(path)) return {};
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new Error(`${this.id}/recipe.json is not valid JSON`);
    }
  }

  private status(): { status: string; startedAt: string | null; finishedAt: string | null } {
    const model = join(this.dir, 'model', 'config.json');
    const recipe = join(this.dir, 'recipe.json');
    const startedAt = existsSync(recipe) ? iso(statSync(recipe).mtimeMs) : null;
    if (existsSync(model)) return { status: 'done', startedAt, finishedAt: iso(statSync(model).mtimeMs) };
    const touched = existsSync(this.metricsPath) ? statSync(this.metricsPath).mtimeMs : statSync(this.dir).mtimeMs;
    return { status: Date.now() - touched < STALE_MS ? 'running' : 'interrupted', startedAt, finishedAt: null };
  }

  info(): RunInfo {
    const recipe = this.recipe();
    const { status, startedAt, finishedAt } = this.status();
    const trials = { total: 1, queued: 0, running: 0, done: 0, failed: 0 };
    if (status === 'done') trials.done = 1;
    else if (status === 'running') trials.running = 1;
    return { id: this.id, kind: 'train', name: recipe.name ?? this.id, status, createdAt: startedAt, startedAt, finishedAt, trials, verdict: null };
  }

  private records(): MetricsRecord[] {
    return existsSync(this.metricsPath) ? readMetrics(this.metricsPath) : [];
  }

  private trial(records: readonly MetricsRecord[]): TrialInfo {
    const final: Record<string, number> = {};
    for (const r of records) for (const [tag, v] of Object.entries(r.scalars)) if (isHeadlineTag(tag) && Number.isFinite(v)) final[tag] = v;
    const { status, startedAt, finishedAt } = this.status();
    return { id: TRAIN_TRIAL, axes: {}, seed: this.recipe().seed ?? null, status, reason: null, startedAt, finishedAt, final };
  }

  detail(): RunDetail {
    const records = this.records();
    const tags = new Set<string>();
    for (const r of records) for (const tag of Object.keys(r.scalars)) tags.add(tag);
    return { info: this.info(), ...readSummary(this.dir), trials: [this.trial(records)], tags: [...tags].sort() };
  }

  series(tag: string): SeriesResponse {
    const points: [number, number][] = [];
    for (const r of this.records()) {
      const v = r.scalars[tag];
      if (typeof v === 'number' && Number.isFinite(v)) points.push([r.step, v]);
    }
    return { tag, series: points.length ? [{ trial: TRAIN_TRIAL, points }] : [] };
  }

  checkpoints(): CheckpointInfo[] {
    return modelFolders(this.dir, '', null);
  }

  follow(tags: ReadonlySet<string> | null): MetricsFollower {
    let cursor = 0;
    return {
      poll: () => {
        const read = readMetricsSince(this.metricsPath, cursor);
        cursor = read.cursor;
        const rows: MetricTuple[] = [];
        for (const r of read.records) {
          for (const [tag, value] of Object.entries(r.scalars)) {
            // JSON has no NaN or infinity: a diverged step's value is left out rather than sent as null.
            if ((!tags || tags.has(tag)) && Number.isFinite(value)) rows.push([TRAIN_TRIAL, r.step, tag, value]);
          }
        }
        const notes = read.skipped.map((s) => `metrics.jsonl: the line at byte ${s.at} is longer than ${MAX_LINE >> 20} MiB; skipped (a metrics line is a few hundred bytes: something else wrote to this file)`);
        return { rows, reset: read.reset, more: read.more, notes };
      },
      state: () => ({ trials: [this.trial([])], info: this.info() }),
      close: () => {},
    };
  }

  close(): void {}
}
