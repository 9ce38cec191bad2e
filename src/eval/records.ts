/**
 * What an evaluation produces: rows for the run store's evals table (src/measure/evals.ts says what each
 * column means). Aggregates use family `*` (all families of a domain) and domain `*` (every domain), so one
 * table holds per-family, per-domain and overall numbers.
 */
import { ALL, type EvalRecord } from '../measure/evals.js';

export { ALL, type EvalRecord };

/** Per-domain and overall means of per-family rows (each family weighs the same), for each split and metric. */
export function withAggregates(rows: readonly EvalRecord[]): EvalRecord[] {
  const groups = new Map<string, { domain: string; members: EvalRecord[] }>();
  const add = (domain: string, row: EvalRecord) => {
    const key = JSON.stringify([row.split, row.metric, domain]);
    const group = groups.get(key) ?? { domain, members: [] };
    group.members.push(row);
    groups.set(key, group);
  };
  for (const r of rows) {
    add(r.domain, r);
    add(ALL, r);
  }
  const aggregates = [...groups.values()].map(({ domain, members }): EvalRecord => {
    const value = members.reduce((s, m) => s + m.value, 0) / members.length;
    return { ...members[0], family: ALL, domain, value, n: members.reduce((s, m) => s + m.n, 0) };
  });
  return [...rows, ...aggregates];
}
