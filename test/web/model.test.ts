/** The page's pure parts: smoothing, the series store, the trials table's filter and sort, routes, curve specs. */
import { describe, expect, it } from 'vitest';
import type { TrialInfo } from '../../src/api/types.js';
import { curveRows, curveSpec } from '../../src/web/curve-spec.js';
import { orderTags } from '../../src/measure/tags.js';
import { parseRoute, routeHash } from '../../src/web/route.js';
import { meanSeries, SeriesStore } from '../../src/web/series-store.js';
import { smooth } from '../../src/web/smoothing.js';
import { trialColumns, visibleRows } from '../../src/web/table-model.js';

describe('smooth', () => {
  it('is the identity at 0 and a debiased moving average above', () => {
    expect(smooth([1, 5, 2], 0)).toEqual([1, 5, 2]);
    // Debiased: a constant stays that constant from the first point on.
    expect(smooth([3, 3, 3], 0.9).every((v) => Math.abs(v - 3) < 1e-12)).toBe(true);
    const [a, b] = smooth([0, 10], 0.5);
    expect(a).toBe(0);
    expect(b).toBeCloseTo((0.5 * 0.5 * 0 + 0.5 * 10) / (1 - 0.25), 12); // (w(1-w)x0 + (1-w)x1) / (1 - w^2)
  });
});

describe('SeriesStore', () => {
  it('keeps the later value of a step written twice, in step order, per trial', () => {
    const s = new SeriesStore();
    s.add([['a', 2, 'loss', 1], ['a', 1, 'loss', 2], ['b', 1, 'loss', 5], ['a', 2, 'loss', 0.5], ['a', 1, 'kl', 9]]);
    expect(s.series('loss')).toEqual([{ name: 'a', points: [[1, 2], [2, 0.5]] }, { name: 'b', points: [[1, 5]] }]);
    expect(s.series('loss', ['b', 'zzz'])).toEqual([{ name: 'b', points: [[1, 5]] }]);
    expect(s.tags()).toEqual(['kl', 'loss']);
    s.clear();
    expect(s.series('loss')).toEqual([]);
  });

  it('averages trials at the steps all of them have', () => {
    const m = meanSeries('run', [
      { name: 'a', points: [[1, 1], [2, 2], [3, 3]] },
      { name: 'b', points: [[1, 3], [2, 4]] },
    ]);
    expect(m).toEqual({ name: 'run', points: [[1, 2], [2, 3]] });
  });
});

const trial = (id: string, M: number | string, status: string, score?: number): TrialInfo => ({
  id,
  axes: { part: 'main', M },
  seed: 1,
  status,
  reason: null,
  startedAt: null,
  finishedAt: null,
  final: score === undefined ? {} : { 'test score': score },
});

describe('trials table', () => {
  const trials = [trial('M=16', 16, 'done', 0.5), trial('M=4', 4, 'failed'), trial('M=1', 1, 'done', 0.9), trial('M=inf', 'infinity', 'running', 0.1)];
  const columns = trialColumns(trials);
  const ids = (q: Partial<Parameters<typeof visibleRows>[2]>) => visibleRows(trials, columns, { filter: '', status: '', sort: '', descending: false, ...q }).map((t) => t.id);

  it('has a column per axis, seed, status and final value', () => {
    expect(columns.map((c) => c.label)).toEqual(['trial', 'part', 'M', 'seed', 'status', 'test score']);
    expect(columns.find((c) => c.label === 'M')!.numeric).toBe(false); // 'infinity' makes it text
  });

  it('has a worker column only when a queue worker ran some trial', () => {
    const onQueue = [{ ...trials[0], worker: 'host-a:41' }, { ...trials[1], worker: 'host-b:7' }];
    const cols = trialColumns(onQueue);
    expect(cols.map((c) => c.label)).toEqual(['trial', 'part', 'M', 'seed', 'status', 'worker', 'test score']);
    expect(visibleRows(onQueue, cols, { filter: 'host-b', status: '', sort: '', descending: false }).map((t) => t.id)).toEqual(['M=4']);
  });

  it('sorts numbers as numbers with empty cells last, both ways', () => {
    expect(ids({ sort: 'final:test score' })).toEqual(['M=inf', 'M=16', 'M=1', 'M=4']);
    expect(ids({ sort: 'final:test score', descending: true })).toEqual(['M=1', 'M=16', 'M=inf', 'M=4']);
    expect(ids({ sort: 'axis:M' })).toEqual(['M=1', 'M=4', 'M=16', 'M=inf']); // natural order of text
  });

  it('filters by every word and by status', () => {
    expect(ids({ filter: 'done' })).toEqual(['M=16', 'M=1']);
    expect(ids({ filter: 'M=1 done' })).toEqual(['M=16', 'M=1']);
    expect(ids({ filter: 'infinity' })).toEqual(['M=inf']);
    expect(ids({ status: 'failed' })).toEqual(['M=4']);
  });
});

describe('routes', () => {
  it('round-trips a page, an argument with slashes and parameters', () => {
    const hash = routeHash('run', 'a/b c', { tag: 'train/loss', smooth: 0.6, empty: '' });
    expect(parseRoute(hash)).toMatchObject({ page: 'run', arg: 'a/b c' });
    expect(Object.fromEntries(parseRoute(hash).params)).toEqual({ tag: 'train/loss', smooth: '0.6' });
    expect(parseRoute('')).toMatchObject({ page: 'runs', arg: '' });
  });
});

describe('curves', () => {
  it('draws raw and smoothed values of each series, with the series as colors', () => {
    const rows = curveRows([{ name: 'a', points: [[1, 2], [2, 4]] }], 0.5);
    expect(rows.map((r) => [r.series, r.step, r.raw])).toEqual([['a', 1, 2], ['a', 2, 4]]);
    expect(rows[1].value).toBeLessThan(4);
    const spec = curveSpec({ title: 't', yTitle: 'loss', seriesTitle: 'trial', names: ['a'], smoothing: 0.5 }) as { layer: { name: string }[] };
    expect(spec.layer.map((l) => l.name)).toEqual(['raw', 'curves']);
    const plain = curveSpec({ title: 't', yTitle: 'loss', seriesTitle: 'trial', names: ['a'], smoothing: 0 }) as { layer: { name: string }[] };
    expect(plain.layer.map((l) => l.name)).toEqual(['curves']);
  });

  it('puts RL lead indicators first', () => {
    expect(orderTags(['perf/tok_s', 'train/loss', 'rl/kl', 'rl/reward_mean', 'eval/test_score'])).toEqual(['rl/reward_mean', 'rl/kl', 'train/loss', 'eval/test_score', 'perf/tok_s']);
  });
});
