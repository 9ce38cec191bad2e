/**
 * The trials table as data: its columns (id, each sweep axis, seed, status, final values), and filtering and
 * sorting of its rows. Pure, so the rules are tested without a browser.
 */
import type { TrialInfo } from '../api/types.js';

export type Cell = string | number | null;

export interface Column {
  key: string;
  label: string;
  numeric: boolean;
  get(t: TrialInfo): Cell;
}

const axisText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function trialColumns(trials: readonly TrialInfo[]): Column[] {
  const axes = [...new Set(trials.flatMap((t) => Object.keys(t.axes)))];
  const finals = [...new Set(trials.flatMap((t) => Object.keys(t.final)))].sort();
  const axisColumns = axes.map((a): Column => {
    const numeric = trials.every((t) => t.axes[a] === undefined || typeof t.axes[a] === 'number');
    return { key: `axis:${a}`, label: a, numeric, get: (t) => (t.axes[a] === undefined ? null : numeric ? (t.axes[a] as number) : axisText(t.axes[a])) };
  });
  return [
    { key: 'id', label: 'trial', numeric: false, get: (t) => t.id },
    ...axisColumns,
    { key: 'seed', label: 'seed', numeric: true, get: (t) => t.seed },
    { key: 'status', label: 'status', numeric: false, get: (t) => t.status },
    // Only a run on a queue has workers: which machine ran each trial.
    ...(trials.some((t) => t.worker) ? [{ key: 'worker', label: 'worker', numeric: false, get: (t: TrialInfo) => t.worker ?? null } as Column] : []),
    ...finals.map((f): Column => ({ key: `final:${f}`, label: f, numeric: true, get: (t) => t.final[f] ?? null })),
  ];
}

export interface TableQuery {
  /** Words that must all appear in a row's text (case-insensitive). */
  filter: string;
  /** '' = any status. */
  status: string;
  sort: string;
  descending: boolean;
}

export function visibleRows(trials: readonly TrialInfo[], columns: readonly Column[], q: TableQuery): TrialInfo[] {
  const words = q.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = trials.filter((t) => {
    if (q.status && t.status !== q.status) return false;
    const text = columns.map((c) => String(c.get(t) ?? '')).join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const column = columns.find((c) => c.key === q.sort);
  if (!column) return kept;
  const sign = q.descending ? -1 : 1;
  // Empty cells go last whichever the direction; ties keep the store's order.
  return kept
    .map((t, i) => ({ t, i, v: column.get(t) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = column.numeric ? (a.v as number) - (b.v as number) : String(a.v).localeCompare(String(b.v), undefined, { numeric: true });
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.t);
}
