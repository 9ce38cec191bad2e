/**
 * Run: the finding and verdict (from summary.json), the report's plots drawn live from the store, the
 * curves of any tag with several trials overlaid and a smoothing slider (RL lead indicators on top when the
 * run has them), and the trials table. The curves grow while the run writes.
 */
import type { PlotsResponse, RunDetail, RunSummaryJson, TrialInfo } from '../../api/types.js';
import { getJson, runPath } from '../api.js';
import { CurveChart, embedSpec } from '../chart.js';
import { badge, card, errorCard, fmtTime, h } from '../dom.js';
import { formatInterval, formatNumber } from '../../util/format.js';
import { orderTags, RL_LEADS, tagTitle } from '../../measure/tags.js';
import { RunFeed } from '../feed.js';
import { routeHash, updateParams, type Route } from '../route.js';
import { TrialsTable } from '../trials-table.js';

/** Trials overlaid by default; more would make the legend unreadable. */
const DEFAULT_PLOTTED = 8;

export async function runPage(root: HTMLElement, route: Route): Promise<() => void> {
  const detail = await getJson<RunDetail>(runPath(route.arg));
  const { info } = detail;
  const plots = h('div', { class: 'plots' });
  const wanted = route.params.get('trials');
  const selected = new Set(wanted ? wanted.split(',') : detail.trials.slice(0, DEFAULT_PLOTTED).map((t) => t.id));
  const curves = new CurvesCard(detail, route, selected, (trials) => {
    if (!mergeStatus(detail.trials, trials)) return;
    table.setTrials(detail.trials);
    // A trial that finished changes the report: rebuild its plots.
    if (info.kind === 'study') void drawPlots(plots, info.id);
  });
  const table = trialsTable(route, selected, () => curves.redraw());
  table.setTrials(detail.trials);
  root.replaceChildren(
    headerCard(detail),
    ...(detail.summaryError ? [errorCard('The report summary cannot be read', detail.summaryError)] : []),
    ...(info.kind === 'study' ? [card('Report plots', plots)] : []),
    curves.el,
    card('Trials', table.el),
  );
  curves.follow(curves.firstTag);
  if (info.kind === 'study') void drawPlots(plots, info.id);
  return () => curves.close();
}

/** The run's name, status and verdict, where and when it ran, and its claim and finding. */
function headerCard(detail: RunDetail): HTMLElement {
  const { info } = detail;
  const { done, total, failed } = info.trials;
  return card(
    null,
    h('div', { class: 'run-head' }, h('h1', {}, info.name), badge(info.status), info.verdict ? badge(info.verdict) : null),
    h(
      'p',
      { class: 'muted' },
      `${info.id} · ${info.kind} run · started ${fmtTime(info.startedAt ?? info.createdAt)} · trials ${done}/${total} done`,
      failed ? `, ${failed} failed` : '',
      ' · ',
      h('a', { href: routeHash('live', info.id) }, 'live view'),
    ),
    detail.summary ? summaryBlock(detail.summary) : null,
  );
}

/** The trials table, its filter and sort read from the route; ticking a trial overlays it on the curves. */
function trialsTable(route: Route, selected: Set<string>, redraw: () => void): TrialsTable {
  const view = {
    filter: route.params.get('filter') ?? '',
    status: route.params.get('status') ?? '',
    sort: route.params.get('sort') ?? '',
    descending: route.params.get('desc') === '1',
  };
  return new TrialsTable(view, selected, () => {
    updateParams({ trials: [...selected].join(',') });
    redraw();
  });
}

/**
 * The curves card: a metric picker, a smoothing slider and the chosen tag's chart over the ticked trials, with
 * an RL run's reward lead indicators above it, all fed live by one RunFeed.
 */
class CurvesCard {
  readonly el: HTMLElement;
  readonly firstTag: string;
  private readonly box = h('div', {});
  private feed: RunFeed | null = null;
  private charts: { tag: string; chart: CurveChart }[] = [];
  private smoothing: number;

  constructor(
    private readonly detail: RunDetail,
    route: Route,
    private readonly selected: Set<string>,
    private readonly onTrials: (trials: TrialInfo[]) => void,
  ) {
    const { tags } = detail;
    this.firstTag = route.params.get('tag') ?? orderTags(tags.filter((t) => !RL_LEADS.includes(t)))[0] ?? 'train/loss';
    this.smoothing = Number(route.params.get('smooth') ?? 0.6);
    const tagSelect = h('select', { 'aria-label': 'metric' }, ...orderTags([...tags, this.firstTag]).map((t) => h('option', { value: t }, t)));
    tagSelect.value = this.firstTag;
    const slider = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: this.smoothing, 'aria-label': 'smoothing' });
    const sliderValue = h('span', { class: 'slider-value' }, this.smoothing.toFixed(2));
    const controls = h(
      'div',
      { class: 'controls' },
      h('label', {}, 'metric ', tagSelect),
      h('label', {}, 'smoothing ', slider, sliderValue),
      h('span', { class: 'muted' }, 'tick trials in the table to overlay them'),
    );
    this.el = card('Curves', controls, this.box);
    tagSelect.addEventListener('change', () => {
      updateParams({ tag: tagSelect.value });
      this.follow(tagSelect.value);
    });
    slider.addEventListener('input', () => {
      this.smoothing = Number(slider.value);
      sliderValue.textContent = this.smoothing.toFixed(2);
      updateParams({ smooth: this.smoothing });
      this.redraw();
    });
  }

  redraw(): void {
    if (!this.feed) return;
    const plotted = this.detail.trials.map((t) => t.id).filter((id) => this.selected.has(id));
    for (const { tag, chart } of this.charts) chart.update(this.feed.store.series(tag, plotted), this.smoothing);
  }

  /** Charts for `tag` (and the RL leads), and a new feed of their metrics in place of the old one. */
  follow(tag: string): void {
    this.close();
    const leads = RL_LEADS.filter((t) => this.detail.tags.includes(t) && t !== tag);
    this.charts = [
      { tag, chart: new CurveChart({ title: tagTitle(tag), yTitle: tag, seriesTitle: 'trial', height: 300 }) },
      ...leads.map((t) => ({ tag: t, chart: new CurveChart({ title: tagTitle(t), yTitle: t, seriesTitle: 'trial', height: 160, legend: false }) })),
    ];
    // In an RL run the reward's lead indicators come first: they move before the loss does.
    const leadCharts = this.charts.slice(1).map((c) => c.chart.el);
    const leadBox = leads.length ? h('div', {}, h('h3', { class: 'subhead' }, 'Reward leads'), h('div', { class: 'multiples' }, ...leadCharts)) : '';
    this.box.replaceChildren(leadBox, leads.length ? h('h3', { class: 'subhead' }, 'Chosen metric') : '', this.charts[0].chart.el);
    this.feed = new RunFeed(this.detail.info.id, this.charts.map((c) => c.tag), {
      metrics: (tags) => (tags.size === 0 || this.charts.some((c) => tags.has(c.tag))) && this.redraw(),
      trials: this.onTrials,
      error: (message) => this.box.prepend(errorCard('Live metrics stopped', message)),
    });
  }

  close(): void {
    this.feed?.close();
    this.charts.forEach((c) => c.chart.destroy());
  }
}

function summaryBlock(s: RunSummaryJson): HTMLElement {
  return h(
    'div',
    { class: 'finding' },
    h('p', {}, h('strong', {}, 'Claim. '), s.claim),
    h('p', {}, h('strong', {}, 'Finding. '), s.finding),
    s.comparisons.length ? comparisonsTable(s.comparisons) : null,
    s.arms.length ? armsTable(s.arms) : null,
    ...s.notes.map((n) => h('p', { class: 'note' }, n)),
  );
}

/** One row per claim: the difference with its interval, read between the claim's floor and ceiling, and the verdict. */
function comparisonsTable(comparisons: RunSummaryJson['comparisons']): HTMLElement {
  const end = (e: { value: number; label: string } | null | undefined) => (e ? `${formatNumber(e.value)} (${e.label})` : '—');
  const share = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
  const row = (c: RunSummaryJson['comparisons'][number]) => {
    const num = (value: string) => h('td', { class: 'num' }, value);
    const verdict = c.miscalibration ? `${c.verdict} (${c.miscalibration})` : c.verdict;
    return h('tr', {}, h('td', {}, c.metric), h('td', {}, `${c.b} − ${c.a}`), num(formatNumber(c.difference.mean)), num(formatInterval(c.difference)), h('td', {}, end(c.floor)), h('td', {}, end(c.ceiling)), num(share(c.share)), h('td', {}, verdict));
  };
  const columns = ['claim measure', 'difference', 'mean', '95% CI', 'floor', 'ceiling', 'share of range', 'verdict'];
  return h('table', { class: 'data compact' }, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))), h('tbody', {}, ...comparisons.map(row)));
}

/** One row per arm and measure: seeds, mean and its 95% interval. */
function armsTable(arms: RunSummaryJson['arms']): HTMLElement {
  const row = (a: RunSummaryJson['arms'][number]) => {
    const num = (value: string | number) => h('td', { class: 'num' }, value);
    return h('tr', {}, h('td', {}, a.arm), h('td', {}, a.metric), num(a.n), num(formatNumber(a.mean)), num(formatInterval(a)));
  };
  return h(
    'table',
    { class: 'data compact' },
    h('thead', {}, h('tr', {}, ...['arm', 'measure', 'seeds', 'mean', '95% CI'].map((c) => h('th', {}, c)))),
    h('tbody', {}, ...arms.map(row)),
  );
}

/** Copies status fields of streamed trials into the page's list; true when anything changed. */
function mergeStatus(trials: TrialInfo[], update: readonly TrialInfo[]): boolean {
  let changed = false;
  for (const u of update) {
    const t = trials.find((x) => x.id === u.id);
    if (!t) {
      trials.push(u);
      changed = true;
    } else if (t.status !== u.status || t.reason !== u.reason) {
      Object.assign(t, { status: u.status, reason: u.reason, startedAt: u.startedAt, finishedAt: u.finishedAt });
      changed = true;
    }
  }
  return changed;
}

let plotsDrawn = 0;

/** Draws the report's plots into box; a newer call (a trial just finished) supersedes one still drawing. */
async function drawPlots(box: HTMLElement, id: string): Promise<void> {
  const mine = ++plotsDrawn;
  try {
    const { plots, note } = await getJson<PlotsResponse>(runPath(id, '/plots'));
    if (mine !== plotsDrawn) return;
    const figures = plots.map((p) => ({ p, el: h('div', { class: 'plot' }) }));
    box.replaceChildren(note ? h('p', { class: 'muted' }, note) : '', ...figures.map(({ p, el }) => h('figure', {}, el, p.caption ? h('figcaption', {}, p.caption) : '')));
    for (const { p, el } of figures) if (mine === plotsDrawn) await embedSpec(el, p.spec);
  } catch (err) {
    if (mine === plotsDrawn) box.replaceChildren(errorCard('The report plots cannot be built', (err as Error).message));
  }
}
