import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meanCI } from '../../src/stats/stats.js';
import { scopeSvgIds } from '../../src/report/html.js';
import { formatNumber } from '../../src/util/format.js';
import { armResult, compareArms, type Report } from '../../src/report/model.js';
import { renderSvg, svgToPng } from '../../src/report/render.js';
import { barChartSpec, heatmapSpec, lineChartSpec, type LinePoint } from '../../src/report/specs.js';
import { writeReport, type WrittenReport } from '../../src/report/write.js';

/** The <g> groups of one kind of data mark; countMarks counts the shapes drawn in one. */
function markGroups(svg: string, mark: string): string[] {
  return [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))].map((m) => m[1]);
}
const countMarks = (group: string): number => (group.match(/<(path|line)\b/g) ?? []).length;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const POOLS = [1, 4, 16, 64, 256];
const curve: LinePoint[] = [
  ...POOLS.map((M, i) => ({ series: 'seen rules', x: M, mean: 0.9 - 0.01 * i, lo: 0.85 - 0.01 * i, hi: 0.95 - 0.01 * i, n: 3 })),
  ...POOLS.map((M, i) => ({ series: 'unseen rules', x: M, mean: 0.1 + 0.15 * i, lo: 0.05 + 0.15 * i, hi: 0.15 + 0.15 * i, n: 3 })),
  // One seed at M = 1024 for a third series: a point with no interval, so no band.
  { series: 'single seed', x: 1024, mean: 0.5, lo: -Infinity, hi: Infinity, n: 1 },
];

describe('spec builders', () => {
  it('line chart: one line and one band per series, a band only where the interval is known', async () => {
    const svg = await renderSvg(lineChartSpec({ title: 'Accuracy vs pool', xTitle: 'rule pool size M', yTitle: 'accuracy', xScale: 'log', yDomain: [0, 1], points: curve }));
    expect(markGroups(svg, 'line')).toHaveLength(3);
    expect(markGroups(svg, 'area')).toHaveLength(2);
    expect(countMarks(markGroups(svg, 'symbol')[0])).toBe(curve.length);
    expect(svg).toContain('rule pool size M');
    expect(svg).toContain('accuracy');
    // A log axis labels the measured x values (not powers of ten past the data); the legend names every series.
    for (const label of ['1', '4', '16', '256', '1,024', 'seen rules', 'unseen rules', 'single seed']) expect(svg).toContain(`>${label}<`);
    expect(svg).not.toContain('>10<');
  });

  it('line chart refuses x <= 0 on a log axis, naming the series', () => {
    expect(() => lineChartSpec({ title: 't', xTitle: 'x', yTitle: 'y', xScale: 'log', points: [{ series: 'a', x: 0, mean: 1, lo: 0, hi: 2 }] })).toThrow(/x > 0.*series a/);
  });

  it('bar chart: one bar per arm and group, an error bar for each known interval', async () => {
    const bars = ['in-domain', 'held-out'].flatMap((group) =>
      ['narrow SFT', 'narrow RL', 'broad RL'].map((arm, i) => ({ group, arm, mean: 0.2 + 0.2 * i, lo: 0.1 + 0.2 * i, hi: 0.3 + 0.2 * i, n: 3 })),
    );
    bars[4] = { ...bars[4], lo: -Infinity, hi: Infinity, n: 1 };
    const svg = await renderSvg(barChartSpec({ title: 'Bars', xTitle: 'split', yTitle: 'score', armTitle: 'arm', bars }));
    const rects = markGroups(svg, 'rect');
    expect(countMarks(rects[0])).toBe(6);
    const rules = markGroups(svg, 'rule');
    expect(rules).toHaveLength(1);
    expect(countMarks(rules[0])).toBe(5);
    expect(svg).toContain('>narrow RL<');
  });

  it('heatmap: one cell per value', async () => {
    const cells = ['math', 'code'].flatMap((y) => ['add', 'trace', 'reverse'].map((x, i) => ({ x, y, value: i / 2 })));
    const svg = await renderSvg(heatmapSpec({ title: 'Transfer', xTitle: 'evaluated', yTitle: 'trained', valueTitle: 'score', domain: [0, 1], cells }));
    expect(countMarks(markGroups(svg, 'rect')[0])).toBe(6);
  });

  it('svgToPng gives a PNG at twice the SVG size', async () => {
    const svg = await renderSvg(lineChartSpec({ title: 't', xTitle: 'x', yTitle: 'y', points: curve.slice(0, 5) }));
    const [, w, h] = svg.match(/<svg[^>]* width="(\d+)" height="(\d+)"/)!;
    const png = svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
    expect(pngSize(png)).toEqual({ width: 2 * Number(w), height: 2 * Number(h) });
  });

  it('scopes SVG ids so several inline charts do not share clip paths', () => {
    const svg = '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"></g><use href="#clip1"/></svg>';
    expect(scopeSvgIds(svg, 'p2')).toBe('<svg><clipPath id="p2-clip1"><rect/></clipPath><g clip-path="url(#p2-clip1)"></g><use href="#p2-clip1"/></svg>');
  });
});

describe('writeReport', () => {
  let dir: string;
  let written: WrittenReport;
  const seeds = [0, 1, 2];
  const narrow = armResult('1 family', 'held-out score', [0.21, 0.25, 0.23], { seeds });
  const broad = armResult('16 families', 'held-out score', [0.41, 0.38, 0.45], { seeds });
  const lonely = armResult('64 families', 'held-out score', [0.5]);
  const comparison = compareArms(narrow, broad, { direction: 'increase', minEffect: 0.05, paired: true });
  const report: Report = {
    study: 'breadth',
    title: 'Breadth drives generalization',
    claim: 'The same budget spread over more families scores higher on held-out families.',
    finding: 'Training on 16 families instead of 1 raised the held-out score from 0.23 to 0.41.',
    verdict: comparison.verdict,
    run: { id: 'breadth-20261127T0500', trials: { done: 6, failed: 1, total: 7 } },
    arms: [narrow, broad, lonely],
    comparisons: [comparison],
    tables: [{ title: 'Examples to 0.9', columns: ['arm', 'examples'], rows: [['1 family', null], ['16 families', 1234.5]], note: '— means not reached' }],
    plots: [
      { name: 'pool', title: 'Accuracy vs pool', caption: 'Mean over 3 seeds, 95% CI.', spec: lineChartSpec({ title: 'Accuracy vs pool', xTitle: 'M', yTitle: 'accuracy', xScale: 'log', points: curve }) },
      { name: 'arms', title: 'Held-out score', spec: barChartSpec({ title: 'Held-out score', xTitle: 'split', yTitle: 'score', bars: [narrow, broad].map((a) => ({ group: 'held-out', arm: a.arm, mean: a.ci.mean, lo: a.ci.lo, hi: a.ci.hi })) }) },
    ],
    settings: { mode: 'quick', model: { n_layer: 2, n_embd: 64 }, seeds },
    notes: ['Trial 16 families/seed=3 failed: loss became NaN at step 120.'],
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'continuum-report-'));
    written = await writeReport(dir, report);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the verdict follows the interval: a clear increase well above the meaningful effect holds', () => {
    expect(comparison.difference.lo).toBeGreaterThan(0.05);
    expect(comparison.difference.method).toBe('t');
    expect(comparison.verdict).toBe('held');
    // Per-seed differences 0.20, 0.13, 0.22: a one-sample t interval on them.
    expect(comparison.difference).toEqual(meanCI([0.41 - 0.21, 0.38 - 0.25, 0.45 - 0.23]));
    expect(() => compareArms(narrow, lonely, { direction: 'increase', paired: true })).toThrow(/same seeds/);
  });

  it('writes the html, the summary and an SVG and a PNG per plot', () => {
    expect(written.html).toBe(join(dir, 'report.html'));
    expect(written.summary).toBe(join(dir, 'summary.json'));
    for (const name of ['pool', 'arms']) {
      expect(written.plots[name]).toEqual({ svg: join(dir, 'plots', `${name}.svg`), png: join(dir, 'plots', `${name}.png`) });
      expect(readFileSync(written.plots[name].svg, 'utf8')).toMatch(/^<svg/);
      const png = readFileSync(written.plots[name].png);
      expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
      expect(pngSize(png).width).toBeGreaterThan(600);
    }
    expect(existsSync(join(dir, 'plots'))).toBe(true);
  });

  it('report.html is self-contained and says the finding, the verdict and the numbers', () => {
    const html = readFileSync(written.html, 'utf8');
    expect(html).toContain('<span class="badge held">held</span>');
    expect(html).toContain(report.finding);
    expect(html).not.toMatch(/<script|<link|\ssrc=|@import/);
    expect(html.match(/<svg/g)).toHaveLength(2);
    // Per-arm means and intervals, formatted as in the table.
    expect(html).toContain(`<td class="num">${broad.ci.mean.toFixed(3)}</td>`);
    expect(html).toContain(`[${broad.ci.lo.toFixed(3)}, ${broad.ci.hi.toFixed(3)}]`);
    expect(html).toContain('[no interval: 1 seed]');
    expect(html).toContain('<strong>1 failed</strong>');
    expect(html).toContain('<td>model.n_layer</td><td>2</td>');
    // Ids are unique across the inline charts.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('summary.json holds the claim, the verdict and every arm, comparison, table and plotted number', () => {
    const s = JSON.parse(readFileSync(written.summary, 'utf8'));
    expect(s).toMatchObject({ format: 'continuum-summary/1', study: 'breadth', claim: report.claim, verdict: 'held' });
    const ci = meanCI([0.41, 0.38, 0.45]);
    expect(s.arms[1]).toEqual({ arm: '16 families', metric: 'held-out score', n: 3, mean: ci.mean, lo: ci.lo, hi: ci.hi, level: 0.95, method: 't', values: [0.41, 0.38, 0.45], seeds });
    expect(s.arms[2]).toMatchObject({ n: 1, mean: 0.5, lo: null, hi: null });
    expect(s.comparisons[0]).toMatchObject({ a: '1 family', b: '16 families', verdict: 'held', minEffect: 0.05 });
    expect(s.comparisons[0].difference.mean).toBeCloseTo(0.41333 - 0.23, 4);
    expect(s.tables[0].rows[1]).toEqual(['16 families', 1234.5]);
    expect(s.plots[0]).toMatchObject({ name: 'pool', files: { svg: 'plots/pool.svg', png: 'plots/pool.png' } });
    expect(s.plots[0].data).toHaveLength(curve.length);
    expect(s.plots[0].data.at(-1)).toMatchObject({ series: 'single seed', lo: null, hi: null });
    expect(s.settings).toEqual(report.settings);
  });

  it('refuses two plots with the same name', async () => {
    await expect(writeReport(dir, { ...report, plots: [report.plots[0], report.plots[0]] })).rejects.toThrow(/two plots are named "pool"/);
  });
});

describe('formatNumber', () => {
  it('writes integers as they are, rounds large values, keeps 3 digits of small ones, and marks unknowns', () => {
    expect(formatNumber(128)).toBe('128');
    expect(formatNumber(1234.5)).toBe('1235');
    expect(formatNumber(-946.299)).toBe('-946.3');
    expect(formatNumber(0.41333)).toBe('0.413');
    expect(formatNumber(0.00012345)).toBe('0.000123');
    expect(formatNumber(-Infinity)).toBe('—');
    expect(formatNumber(null)).toBe('—');
  });
});
