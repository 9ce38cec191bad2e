/**
 * What an evaluation produces: rows for the run store's evals table (step, split, family, domain, metric,
 * value, n). Aggregates use family `*` (all families of a domain) and domain `*` (every domain), so one table
 * holds per-family, per-domain and overall numbers.
 */
import type { EvalRecord } from '../store/run-store.js';

// One row shape for evaluations and the store's evals table: the store defines it (a type-only import, so
// this file still runs in the browser).
export type { EvalRecord };

export const ALL = '*';

/** Per-domain and overall means of per-family rows (each family weighs the same), for each split and metric. */
export function withAggregates(rows: readonly EvalRecord[]): EvalRecord[] {
  const groups = new Map<string, EvalRecord[]>();
  const add = (key: string, row: EvalRecord) => groups.set(key, [...(groups.get(key) ?? []), row]);
  for (const r of rows) {
    add(JSON.stringify([r.split, r.metric, r.domain]), r);
    add(JSON.stringify([r.split, r.metric, ALL]), r);
  }
  const aggregates = [...groups.entries()].map(([key, members]) => {
    const [split, metric, domain] = JSON.parse(key) as string[];
    const value = members.reduce((s, m) => s + m.value, 0) / members.length;
    return { step: members[0].step, split, family: ALL, domain, metric, value, n: members.reduce((s, m) => s + m.n, 0) };
  });
  return [...rows, ...aggregates];
}

/** The metric name of a point of a curve over a knob, e.g. curveMetric('score', 'k', 4) = `score|k=4`. */
export function curveMetric(metric: string, knob: string, x: number): string {
  return `${metric}|${knob}=${x}`;
}

/** Reads curveMetric's names back: `score|k=4` -> { metric: 'score', knob: 'k', x: 4 }, or null. */
export function parseCurveMetric(name: string): { metric: string; knob: string; x: number } | null {
  const m = /^(.+)\|(\w+)=(-?[\d.e+]+)$/.exec(name);
  return m ? { metric: m[1], knob: m[2], x: Number(m[3]) } : null;
}
