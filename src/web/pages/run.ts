/**
 * Run: the finding and verdict (from summary.json), the report's plots drawn live from the store, the
 * curves of any tag with several trials overlaid and a smoothing slider (RL lead indicators on top when the
 * run has them), and the trials table. The curves grow while the run writes.
 */
import type { PlotsResponse, RunDetail, TrialInfo } from '../../api/types.js';
import { getJson, runPath } from '../api.js';
import { CurveChart, embedSpec } from '../chart.js';
import { badge, card, errorCard, fmt, fmtTime, h } from '../dom.js';
import { orderTags, RL_LEADS, tagTitle } from '../../measure/tags.js';
import { RunFeed } from '../feed.js';
import { routeHash, updateParams, type Route } from '../route.js';
import { TrialsTable } from '../trials-table.js';

/** Trials overlaid by default; more would make the legend unreadable. */
const DEFAULT_PLOTTED = 8;

export async function runPage(root: HTMLElement, route: Route): Promise<() => void> {
  const detail = await getJson<RunDetail>(runPath(route.arg));
  const { info } = detail;
  const header = card(
    null,
    h('div', { class: 'run-head' }, h('h1', {}, info.name), badge(info.status), info.verdict ? badge(info.verdict) : null),
    h(
      'p',
      { class: 'muted' },
      `${info.id} · ${info.kind} run · started ${fmtTime(info.startedAt ?? info.createdAt)} · trials ${info.trials.done}/${info.trials.total} done`,
      info.trials.failed ? `, ${info.trials.failed} failed` : '',
      ' · ',
      h('a', { href: routeHash('live', info.id) }, 'live view'),
    ),
    detail.summary ? summaryBlock(detail) : null,
  );
  const sections: HTMLElement[] = [header];
  if (detail.summaryError) sections.push(errorCard('The report summary cannot be read', detail.summaryError));
  const plots = h('div', { class: 'plots' });
  if (info.kind === 'study') sections.push(card('Report plots', plots));

  // ---- curves ----
  const tag0 = route.params.get('tag') ?? orderTags(detail.tags.filter((t) => !RL_LEADS.includes(t)))[0] ?? 'train/loss';
  let smoothing = Number(route.params.get('smooth') ?? 0.6);
  const wanted = route.params.get('trials');
  const selected = new Set(wanted ? wanted.split(',') : detail.trials.slice(0, DEFAULT_PLOTTED).map((t) => t.id));
  const tagSelect = h('select', { 'aria-label': 'metric' }, ...orderTags([...detail.tags, tag0]).map((t) => h('option', { value: t }, t)));
  tagSelect.value = tag0;
  const slider = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: smoothing, 'aria-label': 'smoothing' });
  const sliderValue = h('span', { class: 'slider-value' }, smoothing.toFixed(2));
  const chartsBox = h('div', {});
  sections.push(
    card(
      'Curves',
      h('div', { class: 'controls' }, h('label', {}, 'metric ', tagSelect), h('label', {}, 'smoothing ', slider, sliderValue), h('span', { class: 'muted' }, 'tick trials in the table to overlay them')),
      chartsBox,
    ),
  );
  const table = new TrialsTable(
    {
      filter: route.params.get('filter') ?? '',
      status: route.params.get('status') ?? '',
      sort: route.params.get('sort') ?? '',
      descending: route.params.get('desc') === '1',
    },
    selected,
    () => {
      updateParams({ trials: [...selected].join(',') });
      redraw();
    },
  );
  table.setTrials(detail.trials);
  sections.push(card('Trials', table.el));
  root.replaceChildren(...sections);

  let feed: RunFeed | null = null;
  let charts: { tag: string; chart: CurveChart }[] = [];
  const plotted = () => detail.trials.map((t) => t.id).filter((id) => selected.has(id));
  const redraw = () => {
    if (!feed) return;
    for (const { tag, chart } of charts) chart.update(feed.store.series(tag, plotted()), smoothing);
  };
  const follow = (tag: string) => {
    feed?.close();
    charts.forEach((c) => c.chart.destroy());
    const leads = RL_LEADS.filter((t) => detail.tags.includes(t) && t !== tag);
    charts = [
      { tag, chart: new CurveChart({ title: tagTitle(tag), yTitle: tag, seriesTitle: 'trial', height: 300 }) },
      ...leads.map((t) => ({ tag: t, chart: new CurveChart({ title: tagTitle(t), yTitle: t, seriesTitle: 'trial', height: 160, legend: false }) })),
    ];
    // In an RL run the reward's lead indicators come first: they move before the loss does.
    const leadBox = leads.length ? h('div', {}, h('h3', { class: 'subhead' }, 'Reward leads'), h('div', { class: 'multiples' }, ...charts.slice(1).map((c) => c.chart.el))) : '';
    chartsBox.replaceChildren(leadBox, leads.length ? h('h3', { class: 'subhead' }, 'Chosen metric') : '', charts[0].chart.el);
    feed = new RunFeed(info.id, charts.map((c) => c.tag), {
      metrics: (tags) => (tags.size === 0 || charts.some((c) => tags.has(c.tag))) && redraw(),
      trials: (trials: TrialInfo[]) => {
        if (!mergeStatus(detail.trials, trials)) return;
        table.setTrials(detail.trials);
        // A trial that finished changes the report: rebuild its plots.
        if (info.kind === 'study') void drawPlots(plots, info.id);
      },
      error: (message) => chartsBox.prepend(errorCard('Live metrics stopped', message)),
    });
  };
  tagSelect.addEventListener('change', () => {
    updateParams({ tag: tagSelect.value });
    follow(tagSelect.value);
  });
  slider.addEventListener('input', () => {
    smoothing = Number(slider.value);
    sliderValue.textContent = smoothing.toFixed(2);
    updateParams({ smooth: smoothing });
    redraw();
  });
  follow(tag0);
  if (info.kind === 'study') void drawPlots(plots, info.id);
  return () => {
    feed?.close();
    charts.forEach((c) => c.chart.destroy());
  };
}

function summaryBlock(detail: RunDetail): HTMLElement {
  const s = detail.summary!;
  return h(
    'div',
    { class: 'finding' },
    h('p', {}, h('strong', {}, 'Claim. '), s.claim),
    h('p', {}, h('strong', {}, 'Finding. '), s.finding),
    s.arms.length
      ? h(
          'table',
          { class: 'data compact' },
          h('thead', {}, h('tr', {}, ...['arm', 'measure', 'seeds', 'mean', '95% CI'].map((c) => h('th', {}, c)))),
          h('tbody', {}, ...s.arms.map((a) => h('tr', {}, h('td', {}, a.arm), h('td', {}, a.metric), h('td', { class: 'num' }, a.n), h('td', { class: 'num' }, fmt(a.mean)), h('td', { class: 'num' }, a.lo === null ? 'no interval' : `[${fmt(a.lo)}, ${fmt(a.hi)}]`)))),
        )
      : null,
    ...s.notes.map((n) => h('p', { class: 'note' }, n)),
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
