/**
 * The per-step metrics of a training run: TensorBoard-style tags (`train/loss`, `rl/reward_mean`, `opt/lr`,
 * `perf/tok_s`, ...) appended as JSON lines to `metrics.jsonl` in the run directory. On resume the file is cut
 * back to the checkpoint's step, so a resumed run's file equals an uninterrupted run's.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/files.js';

export type Scalars = Record<string, number>;

export interface MetricsRecord {
  step: number;
  stage: number;
  time: number; // unix ms
  scalars: Scalars;
}

export type MetricsListener = (record: MetricsRecord) => void;

export class MetricsLog {
  private listeners: MetricsListener[] = [];

  constructor(readonly path: string | null) {}

  onRecord(listener: MetricsListener): void {
    this.listeners.push(listener);
  }

  write(record: MetricsRecord): void {
    if (this.path) appendFileSync(this.path, JSON.stringify(record) + '\n');
    for (const l of this.listeners) l(record);
  }

  /** Drops every record after `step` of `stage` (and any torn last line a kill left behind). */
  truncateAfter(stage: number, step: number): void {
    if (!this.path || !existsSync(this.path)) return;
    const kept = readMetrics(this.path).filter((r) => r.stage < stage || (r.stage === stage && r.step <= step));
    writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
}

/** Reads a metrics file, skipping a torn final line. */
export function readMetrics(path: string): MetricsRecord[] {
  const out: MetricsRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // A kill mid-append leaves at most one partial line; it is rewritten on resume.
    }
  }
  return out;
}
