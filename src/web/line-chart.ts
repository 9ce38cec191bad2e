/**
 * A small SVG line chart for curves that grow many times a second (the playground's). Vega rebuilds its scene
 * graph on each change, which costs more than a frame at this rate; this draws a few polylines from scratch,
 * each thinned to at most MAX_POINTS, so one redraw stays well under a millisecond or two.
 */
const NS = 'http://www.w3.org/2000/svg';
const MAX_POINTS = 300;
const W = 480;
const H = 180;
const PAD = { left: 40, right: 10, top: 10, bottom: 24 };

export interface LineSeries {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** Dots at each point (few points, like an ICL curve). */
  dots?: boolean;
}

export interface ChartOptions {
  /** A fixed y range (accuracies: [0, 1]); otherwise the data's. */
  y?: [number, number];
  xLabel: string;
}

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Every `stride`-th point and the last one. */
function thin(points: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  if (points.length <= MAX_POINTS) return [...points];
  const stride = Math.ceil(points.length / MAX_POINTS);
  const out = points.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}

function extent(values: number[], fixed?: [number, number]): [number, number] {
  if (fixed) return fixed;
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** A tick's text in at most 5 characters, so it fits the left margin: 2.8k, 4.62, 0.013, 1e-4. */
function label(v: number): string {
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k`;
  if (v !== 0 && Math.abs(v) < 0.01) return v.toExponential(0);
  return Number(v.toPrecision(Math.abs(v) < 1 ? 2 : 3)).toString();
}

/** Draws `series` into `svg` (replacing what it held): axes with min and max ticks, one polyline per series. */
export function drawChart(svg: SVGSVGElement, series: readonly LineSeries[], options: ChartOptions): void {
  const lines = series.map((s) => ({ ...s, points: thin(s.points) }));
  const all = lines.flatMap((s) => s.points);
  const [x0, x1] = extent(all.map((p) => p[0]));
  const [y0, y1] = extent(all.map((p) => p[1]), options.y);
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((Math.min(y1, Math.max(y0, y)) - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const parts: SVGElement[] = [
    el('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis' }),
    el('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'axis' }),
    el('text', { x: PAD.left - 4, y: sy(y1) + 4, 'text-anchor': 'end' }, label(y1)),
    el('text', { x: PAD.left - 4, y: sy(y0), 'text-anchor': 'end' }, label(y0)),
    el('text', { x: PAD.left, y: H - 6 }, all.length ? label(x0) : ''),
    el('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end' }, all.length ? label(x1) : ''),
    el('text', { x: (W + PAD.left) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, options.xLabel),
  ];
  for (const s of lines) {
    const d = s.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    parts.push(el('polyline', { points: d, fill: 'none', stroke: s.color, 'stroke-width': 1.8, 'data-series': s.name }));
    if (s.dots) for (const p of s.points) parts.push(el('circle', { cx: sx(p[0]), cy: sy(p[1]), r: 3, fill: s.color }));
  }
  svg.replaceChildren(...parts);
  svg.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
}

/** An empty chart element: an svg and a legend of the series' names in their colours. */
export function chartFrame(title: string, legend: readonly { name: string; color: string }[]): { root: HTMLElement; svg: SVGSVGElement } {
  const root = document.createElement('figure');
  root.className = 'pg-chart';
  root.dataset.title = title;
  const head = document.createElement('figcaption');
  head.innerHTML = `<strong></strong>`;
  head.firstElementChild!.textContent = title;
  for (const item of legend) {
    const key = document.createElement('span');
    key.className = 'pg-key';
    key.style.setProperty('--key', item.color);
    key.textContent = item.name;
    head.append(' ', key);
  }
  const svg = document.createElementNS(NS, 'svg') as SVGSVGElement;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.dataset.points = '0';
  root.append(head, svg);
  return { root, svg };
}
