/**
 * The metric rows a page has received, by tag and trial, kept as step -> value so a step written twice
 * (after a resume) counts once, with the later value. Pure.
 */
import type { MetricTuple } from '../api/types.js';

export interface Series {
  name: string;
  /** [step, value], in step order. */
  points: [number, number][];
}

export class SeriesStore {
  private readonly byTag = new Map<string, Map<string, Map<number, number>>>();

  add(rows: readonly MetricTuple[]): Set<string> {
    const touched = new Set<string>();
    for (const [trial, step, tag, value] of rows) {
      let trials = this.byTag.get(tag);
      if (!trials) this.byTag.set(tag, (trials = new Map()));
      let steps = trials.get(trial);
      if (!steps) trials.set(trial, (steps = new Map()));
      steps.set(step, value);
      touched.add(tag);
    }
    return touched;
  }

  clear(): void {
    this.byTag.clear();
  }

  tags(): string[] {
    return [...this.byTag.keys()].sort();
  }

  /** Trials of one tag, in the order given (missing ones left out), else in order of first appearance. */
  series(tag: string, trials?: readonly string[]): Series[] {
    const all = this.byTag.get(tag);
    if (!all) return [];
    const names = trials ?? [...all.keys()];
    return names.filter((n) => all.has(n)).map((name) => ({ name, points: [...all.get(name)!.entries()].sort((a, b) => a[0] - b[0]) }));
  }
}

/** The mean over series at each step that all of them have: one line for a run with many trials. */
export function meanSeries(name: string, series: readonly Series[]): Series {
  if (series.length === 1) return { name, points: series[0].points };
  const sums = new Map<number, { sum: number; n: number }>();
  for (const s of series) for (const [step, v] of s.points) {
    const e = sums.get(step) ?? { sum: 0, n: 0 };
    e.sum += v;
    e.n += 1;
    sums.set(step, e);
  }
  const points = [...sums.entries()].filter(([, e]) => e.n === series.length).map(([step, e]) => [step, e.sum / e.n] as [number, number]);
  return { name, points: points.sort((a, b) => a[0] - b[0]) };
}
