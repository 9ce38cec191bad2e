/**
 * Vega-Lite chart specs, one builder per kind of plot. Pure data in, a spec out: no Node imports, so the
 * dashboard renders the very same specs in the browser that reports render to SVG and PNG in Node.
 * Every interval is drawn: a band around a line, an error bar on a bar. Intervals that are unknown (fewer
 * than two seeds: lo/hi not finite) are left out of the drawing rather than drawn as infinite.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Text in Inter where it is available (the PNG renderer ships it), else the viewer's sans-serif. */
export const CHART_FONT = 'Inter, Helvetica, Arial, sans-serif';

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 12,
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 600, gridColor: '#ececec', titlePadding: 8 },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 600, symbolSize: 120 },
  title: { fontSize: 15, fontWeight: 600, anchor: 'start' as const, offset: 10, subtitleFontSize: 12, subtitleColor: '#555' },
};

/** A number for JSON and charts: an unknown (NaN, infinite) interval end becomes null. */
export const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

// ---------------------------------------------------------------------------------------------------------------
// Line chart with a confidence band, over a numeric x

export interface LinePoint {
  /** The series (arm) this point belongs to; one line and one band per series. */
  series: string;
  x: number;
  mean: number;
  /** Confidence interval of the mean; non-finite when unknown. */
  lo: number;
  hi: number;
  /** Seeds behind the point, shown in the tooltip. */
  n?: number;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  /** Legend title, e.g. "rule pool". */
  seriesTitle?: string;
  /** 'log' for sweeps over orders of magnitude (rule-pool size, examples seen); x must then be > 0. */
  xScale?: 'linear' | 'log';
  /** Fixed y range, e.g. [0, 1] for scores. */
  yDomain?: [number, number];
  /** A horizontal reference line, e.g. the threshold of examples-to-threshold. */
  yRule?: { value: number; label: string };
  points: readonly LinePoint[];
  width?: number;
  height?: number;
}

export function lineChartSpec(o: LineChartOptions): TopLevelSpec {
  if (o.points.length === 0) throw new Error(`lineChartSpec "${o.title}": no points`);
  if (o.xScale === 'log') {
    const bad = o.points.find((p) => !(p.x > 0 && Number.isFinite(p.x)));
    if (bad) throw new Error(`lineChartSpec "${o.title}": a log x axis needs finite x > 0, got ${bad.x} (series ${bad.series})`);
  }
  const values = o.points.map((p) => ({ series: p.series, x: p.x, mean: p.mean, lo: finiteOrNull(p.lo), hi: finiteOrNull(p.hi), n: p.n ?? null }));
  // A log axis ends at the data (a nice one runs k = 1..16 out to 100) and ticks the measured x values.
  const measuredXs = [...new Set(o.points.map((p) => p.x))].sort((a, b) => a - b);
  const x =
    o.xScale === 'log'
      ? { field: 'x', type: 'quantitative' as const, title: o.xTitle, scale: { type: 'log' as const, nice: false }, axis: { values: measuredXs } }
      : { field: 'x', type: 'quantitative' as const, title: o.xTitle, scale: { zero: false } };
  const y = { type: 'quantitative' as const, title: o.yTitle, scale: o.yDomain ? { domain: o.yDomain } : { zero: false } };
  // The legend takes its symbols from the first layer (the faint band); draw them at full strength.
  // Long series names (several axes, "(after warm-start)") are read whole, not cut at the default 160 px.
  const color = { field: 'series', type: 'nominal' as const, title: o.seriesTitle ?? null, sort: null, legend: { symbolOpacity: 1, labelLimit: 360 } };
  const tooltip = [
    { field: 'series', title: o.seriesTitle ?? 'series' },
    { field: 'x', title: o.xTitle },
    { field: 'mean', format: '.3f' },
    { field: 'lo', format: '.3f', title: 'CI low' },
    { field: 'hi', format: '.3f', title: 'CI high' },
    { field: 'n', title: 'seeds' },
  ];
  const layers: object[] = [
    { mark: { type: 'area', opacity: 0.18 }, transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }], encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
    { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { ...y, field: 'mean' }, color } },
    { mark: { type: 'point', filled: true, size: 45 }, encoding: { x, y: { ...y, field: 'mean' }, color, tooltip } },
  ];
  if (o.yRule) {
    layers.push(
      { data: { values: [{ v: o.yRule.value }] }, mark: { type: 'rule', strokeDash: [5, 4], color: '#666' }, encoding: { y: { field: 'v', type: 'quantitative' } } },
      {
        data: { values: [{ v: o.yRule.value, label: o.yRule.label }] },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, color: '#444', fontSize: 11 },
        encoding: { y: { field: 'v', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
      },
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: o.width ?? 520,
    height: o.height ?? 300,
    config: CONFIG,
    data: { values },
    layer: layers,
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Grouped bar chart with error bars

export interface BarDatum {
  /** The group on the x axis, e.g. "in-domain test" or "held-out families". */
  group: string;
  /** The bar within the group (the arm), colored and in the legend. */
  arm: string;
  mean: number;
  lo: number;
  hi: number;
  n?: number;
  /** Written above the bar, e.g. "3/3 not reached" when the value is a budget, a lower bound. */
  note?: string;
}

export interface BarChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  armTitle?: string;
  yDomain?: [number, number];
  bars: readonly BarDatum[];
  /** Horizontal reference lines across the chart, e.g. a claim's floor (chance) and ceiling (positive control). */
  rules?: readonly { y: number; label: string }[];
  width?: number;
  height?: number;
}

/** Dashed horizontal rules with their labels at the right end; they carry their own data rows. */
function ruleLayers(rules: readonly { y: number; label: string }[], y: object): object[] {
  if (rules.length === 0) return [];
  const encoding = { y: { ...y, field: 'y' } };
  // One data block for both sublayers, so summary.json lists each rule once.
  return [
    {
      data: { values: rules.map((r) => ({ rule: r.label, y: r.y })) },
      layer: [
        { mark: { type: 'rule', strokeDash: [6, 4], color: '#555', strokeWidth: 1.5 }, encoding },
        { mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, x: 'width', fontSize: 11, color: '#333' }, encoding: { ...encoding, text: { field: 'rule' } } },
      ],
    },
  ];
}

export function barChartSpec(o: BarChartOptions): TopLevelSpec {
  if (o.bars.length === 0) throw new Error(`barChartSpec "${o.title}": no bars`);
  const values = o.bars.map((b) => ({ group: b.group, arm: b.arm, mean: b.mean, lo: finiteOrNull(b.lo), hi: finiteOrNull(b.hi), n: b.n ?? null, note: b.note ?? null }));
  // One bar per group (a single measure) needs no legend: the y title names it.
  const oneArm = new Set(o.bars.map((b) => b.arm)).size === 1;
  const x = { field: 'group', type: 'nominal' as const, title: o.xTitle, sort: null, axis: { labelAngle: 0 } };
  const xOffset = { field: 'arm', type: 'nominal' as const, sort: null };
  const y = { type: 'quantitative' as const, title: o.yTitle, scale: o.yDomain ? { domain: o.yDomain } : {} };
  const tooltip = [
    { field: 'group', title: o.xTitle },
    { field: 'arm', title: o.armTitle ?? 'arm' },
    { field: 'mean', format: '.3f' },
    { field: 'lo', format: '.3f', title: 'CI low' },
    { field: 'hi', format: '.3f', title: 'CI high' },
    { field: 'n', title: 'seeds' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: o.width ?? 520,
    height: o.height ?? 300,
    config: CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.85 },
        encoding: { x, xOffset, y: { ...y, field: 'mean' }, color: { field: 'arm', type: 'nominal', title: o.armTitle ?? null, sort: null, ...(oneArm ? { legend: null } : {}) }, tooltip },
      },
      {
        mark: { type: 'errorbar', ticks: { size: 8 }, thickness: 1.5, color: '#222' },
        transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
        encoding: { x, xOffset, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
      },
      {
        mark: { type: 'text', baseline: 'bottom', dy: -4, fontSize: 11, color: '#444' },
        transform: [{ filter: 'datum.note != null' }],
        encoding: { x, xOffset, y: { ...y, field: 'mean' }, text: { field: 'note' } },
      },
      ...ruleLayers(o.rules ?? [], y),
    ],
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Heatmap over two categorical axes (e.g. trained family x evaluated family)

export interface HeatCell {
  x: string;
  y: string;
  value: number;
}

export interface HeatmapOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  valueTitle: string;
  /** Color range, e.g. [0, 1] for scores. */
  domain?: [number, number];
  cells: readonly HeatCell[];
}

export function heatmapSpec(o: HeatmapOptions): TopLevelSpec {
  if (o.cells.length === 0) throw new Error(`heatmapSpec "${o.title}": no cells`);
  const x = { field: 'x', type: 'ordinal' as const, title: o.xTitle, sort: null, axis: { labelAngle: -30 } };
  const y = { field: 'y', type: 'ordinal' as const, title: o.yTitle, sort: null };
  const [lo, hi] = o.domain ?? [Math.min(...o.cells.map((c) => c.value)), Math.max(...o.cells.map((c) => c.value))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: { step: 64 },
    height: { step: 40 },
    config: CONFIG,
    data: { values: o.cells.map((c) => ({ ...c })) },
    encoding: { x, y },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: o.valueTitle, scale: { scheme: 'viridis', ...(o.domain ? { domain: o.domain } : {}) } } } },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'value', type: 'quantitative', format: '.2f' },
          // Light text on the dark end of viridis, dark text on the light end.
          color: { condition: { test: `datum.value < ${(lo + hi) / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  } as TopLevelSpec;
}
