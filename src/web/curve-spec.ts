/**
 * The Vega-Lite spec of training curves: one line per trial (or run) over steps, the smoothed value drawn
 * strong and the raw values faint behind it, TensorBoard style. Pure: data in, spec out. Its data arrive
 * through the named source `curves`, so a growing chart is fed new rows without being rebuilt.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from '../report/specs.js';
import type { Series } from './series-store.js';
import { smooth } from './smoothing.js';

export const CURVES_DATA = 'curves';

export interface CurveRow {
  series: string;
  step: number;
  raw: number;
  value: number;
}

export function curveRows(series: readonly Series[], smoothing: number): CurveRow[] {
  return series.flatMap((s) => {
    const values = smooth(s.points.map((p) => p[1]), smoothing);
    return s.points.map((p, i) => ({ series: s.name, step: p[0], raw: p[1], value: values[i] }));
  });
}

export interface CurveSpecOptions {
  title: string;
  yTitle: string;
  /** Legend title, e.g. "trial" or "run". */
  seriesTitle: string;
  /** The series names, for a stable color per name as series arrive. */
  names: readonly string[];
  smoothing: number;
  width?: number;
  height?: number;
  /** Small multiples leave the legend out (the main chart has it). */
  legend?: boolean;
  /** The rows to start with. Laying the chart out around real data matters: one laid out empty keeps the
   * margins of an empty chart, and later data would clip its axis labels. */
  rows?: readonly CurveRow[];
  /** Mark each point too: a curve of a few points (or one) is otherwise invisible. */
  points?: boolean;
}

export function curveSpec(o: CurveSpecOptions): TopLevelSpec {
  const x = { field: 'step', type: 'quantitative' as const, title: 'step', scale: { zero: false }, axis: { tickMinStep: 1, format: '~s' } };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: o.seriesTitle,
    scale: { domain: [...o.names] },
    legend: o.legend === false ? null : { orient: 'bottom' as const, columns: 4, labelLimit: 260, symbolOpacity: 1 },
  };
  // '~g' trims trailing zeros: a constant series (a fixed learning rate) otherwise reads 0.001000, 0.001000, ...
  const y = { type: 'quantitative' as const, title: o.yTitle, scale: { zero: false }, axis: { format: '~g' } };
  const layers: object[] = [];
  if (o.smoothing > 0) layers.push({ name: 'raw', mark: { type: 'line', opacity: 0.22, strokeWidth: 1 }, encoding: { x, y: { ...y, field: 'raw' }, color } });
  layers.push({
    name: 'curves',
    mark: { type: 'line', strokeWidth: 2, ...(o.points ? { point: { size: 28, filled: true } } : {}) },
    encoding: {
      x,
      y: { ...y, field: 'value' },
      color,
      tooltip: [
        { field: 'series', title: o.seriesTitle },
        { field: 'step' },
        { field: 'raw', title: 'value', format: '.4g' },
        { field: 'value', title: 'smoothed', format: '.4g' },
      ],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: o.width ?? 'container',
    height: o.height ?? 260,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: CURVES_DATA, values: [...(o.rows ?? [])] },
    layer: layers,
    config: {
      font: CHART_FONT,
      background: 'white',
      padding: 8,
      view: { stroke: '#d0d0d0' },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#ececec' },
      legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600 },
      title: { fontSize: 13, fontWeight: 600, anchor: 'start' },
    },
  } as TopLevelSpec;
}
