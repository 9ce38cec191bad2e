/**
 * Charts on the page. embedSpec draws any Vega-Lite spec (the report's plots); CurveChart is a curves chart
 * that grows: new rows replace its named data source in place, and the chart is rebuilt only when the set of
 * series or the smoothing changes. data-series and data-points on its element say what it shows.
 */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { CURVES_DATA, curveRows, curveSpec, type CurveSpecOptions } from './curve-spec.js';
import { h } from './dom.js';
import type { Series } from './series-store.js';

type View = Awaited<ReturnType<typeof embed>>['view'];

/** Curves this short get a dot on each point. */
const FEW_POINTS = 40;

export async function embedSpec(el: HTMLElement, spec: unknown): Promise<View> {
  const result = await embed(el, spec as TopLevelSpec, { renderer: 'svg', actions: false });
  return result.view;
}

export class CurveChart {
  readonly el: HTMLElement;
  private readonly plot: HTMLElement;
  private view: View | null = null;
  private shape = '';
  private latest: { series: Series[]; smoothing: number } | null = null;
  private drawing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly options: Omit<CurveSpecOptions, 'names' | 'smoothing'> & { empty?: string }) {
    this.plot = h('div', { class: 'chart-plot' });
    this.el = h('div', { class: 'chart', 'data-series': 0, 'data-points': 0, 'data-title': options.title }, this.plot);
    this.showEmpty();
  }

  private showEmpty(): void {
    this.plot.replaceChildren(h('div', { class: 'chart-empty' }, h('strong', {}, this.options.title), h('span', {}, this.options.empty ?? 'no data yet')));
  }

  /** Draws these series; calls in quick succession are coalesced into one redraw per frame. */
  update(series: Series[], smoothing: number): void {
    this.latest = { series, smoothing };
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.drawing = this.drawing.then(() => this.draw()).catch((err) => this.plot.replaceChildren(h('div', { class: 'chart-empty' }, `chart failed: ${(err as Error).message}`)));
    });
  }

  private async draw(): Promise<void> {
    if (!this.latest) return;
    const { series, smoothing } = this.latest;
    const drawn = series.filter((s) => s.points.length > 0);
    const rows = curveRows(drawn, smoothing);
    if (drawn.length === 0) {
      this.view?.finalize();
      this.view = null;
      this.shape = '';
      this.showEmpty();
    } else {
      const names = drawn.map((s) => s.name);
      const points = Math.max(...drawn.map((s) => s.points.length)) <= FEW_POINTS;
      const shape = JSON.stringify([names, smoothing, points]);
      if (shape !== this.shape || !this.view) {
        this.view?.finalize();
        this.plot.replaceChildren();
        this.view = await embedSpec(this.plot, curveSpec({ ...this.options, names, smoothing, points, rows }));
        this.shape = shape;
      } else {
        await this.view.data(CURVES_DATA, rows).runAsync();
      }
    }
    this.el.dataset.series = String(drawn.length);
    this.el.dataset.points = String(rows.length);
  }

  destroy(): void {
    this.view?.finalize();
    this.view = null;
  }
}
