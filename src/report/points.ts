/**
 * The small pieces every report view shares: grouping trials and rows, means with intervals at each x of a
 * curve, and keeping bands and error bars inside the range a value can lie in.
 */
import { meanCI } from '../stats/stats.js';
import type { LinePoint } from './specs.js';
import { valueLabel } from './spec.js';
import type { TrialResult } from './results.js';

/** Items grouped by a key, groups in the order their first item came. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** A trial's arm: every axis of its part with its value, e.g. `mix=broad, rlFraction=1`. */
export const armKey = (t: TrialResult): string => Object.entries(t.axes).map(([k, v]) => `${k}=${valueLabel(v)}`).join(', ') || 'all';

/** The mean of `ys` with its 95% interval and count, as a line point's fields. */
export function ciPoint(ys: number[], rate?: { items: number }): { mean: number; lo: number; hi: number; n: number } {
  // Rates (pass@k, scores) get the logit-scale interval, inside [0, 1]; `items` = problems each rate was scored on.
  const ci = rate ? meanCI(ys, { scale: 'rate', items: Math.max(2, rate.items) }) : meanCI(ys);
  return { mean: ci.mean, lo: ci.lo, hi: ci.hi, n: ys.length };
}

/** Mean and CI over seeds at each x where every seed of the arm has a point. */
export function seriesPoints(series: string, curves: { x: number; y: number }[][]): LinePoint[] {
  if (curves.length === 0) return [];
  const xs = curves[0].map((p) => p.x).filter((x) => curves.every((c) => c.some((p) => p.x === x)));
  return xs.map((x) => ({ series, x, ...ciPoint(curves.map((c) => c.find((p) => p.x === x)!.y)) }));
}

/** Holds a value inside a range, e.g. [0, 1] for rates or [0, Infinity] for counts; unknowns (NaN) stay unknown. */
export function clampTo(range: [number, number] | undefined): (v: number) => number {
  return (v) => (range && Number.isFinite(v) ? Math.min(range[1], Math.max(range[0], v)) : v);
}

/**
 * Bands of a bounded measure clipped to its range: with few seeds a t interval of accuracies can reach past
 * [0, 1], where no mean can lie, and would stretch the chart.
 */
export function clipBands(points: LinePoint[], domain: [number, number] | undefined): LinePoint[] {
  if (!domain) return points;
  const clip = clampTo(domain);
  return points.map((p) => ({ ...p, lo: clip(p.lo), hi: clip(p.hi) }));
}

/** A file-name-safe form of a label. */
export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
