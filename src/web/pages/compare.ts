/**
 * Compare: two or more runs side by side: their headline (status, verdict, finding, summary numbers) and one
 * chosen metric overlaid, a line per run (the mean over its trials at each step when it has several).
 */
import type { RunDetail, RunInfo, SeriesResponse } from '../../api/types.js';
import { getJson, runPath } from '../api.js';
import { CurveChart } from '../chart.js';
import { badge, card, errorCard, h } from '../dom.js';
import { formatInterval, formatNumber } from '../../util/format.js';
import { orderTags, tagTitle } from '../../measure/tags.js';
import { routeHash, type Route } from '../route.js';
import { meanSeries, type Series } from '../series-store.js';
import { mean } from '../../stats/stats.js';

export async function comparePage(root: HTMLElement, route: Route): Promise<() => void> {
  const ids = (route.params.get('runs') ?? '').split(',').filter(Boolean);
  if (ids.length < 2) return pickRuns(root, ids);
  const results = await Promise.all(ids.map((id) => getJson<RunDetail>(runPath(id)).then((d) => ({ id, d }), (err: Error) => ({ id, err }))));
  const details = results.flatMap((r) => ('d' in r ? [r.d] : []));
  const errors = results.flatMap((r) => ('err' in r ? [errorCard(`${r.id}: cannot be read`, r.err.message)] : []));
  const tags = orderTags(details.flatMap((d) => d.tags));
  const tag = route.params.get('tag') ?? tags.find((t) => t === 'train/loss') ?? tags[0] ?? 'train/loss';
  const select = h('select', { 'aria-label': 'metric' }, ...orderTags([...tags, tag]).map((t) => h('option', { value: t }, t)));
  select.value = tag;
  const chart = new CurveChart({ title: tagTitle(tag), yTitle: tag, seriesTitle: 'run', height: 320, empty: `no run has logged ${tag}` });
  // A new hash re-renders the page through the router, which also tears this one down.
  select.addEventListener('change', () => (location.hash = routeHash('compare', '', { runs: ids.join(','), tag: select.value })));
  root.replaceChildren(
    ...errors,
    h('div', { class: 'side-by-side' }, ...details.map(runCard)),
    card('Metric', h('div', { class: 'controls' }, h('label', {}, 'metric ', select)), chart.el),
  );
  const series = await Promise.all(details.map((d) => getJson<SeriesResponse>(runPath(d.info.id, `/metrics?tag=${encodeURIComponent(tag)}`)).then((r) => runLine(d.info, r))));
  chart.update(series.filter((s): s is Series => s !== null), 0);
  return () => chart.destroy();
}

function runLine(info: RunInfo, response: SeriesResponse): Series | null {
  if (response.series.length === 0) return null;
  const name = response.series.length === 1 ? info.id : `${info.id} (mean of ${response.series.length} trials)`;
  return meanSeries(name, response.series.map((s) => ({ name: s.trial, points: s.points })));
}

function runCard(d: RunDetail): HTMLElement {
  const { info, summary } = d;
  return h(
    'section',
    { class: 'card compare-card', 'data-run': info.id },
    h('h2', {}, h('a', { href: routeHash('run', info.id) }, info.id)),
    h('p', {}, `${info.kind} · ${info.name} `, badge(info.status), ' ', info.verdict ? badge(info.verdict) : ''),
    h('p', { class: 'muted' }, `trials ${info.trials.done}/${info.trials.total} done${info.trials.failed ? `, ${info.trials.failed} failed` : ''}`),
    summary ? h('p', { class: 'finding-text' }, summary.finding) : h('p', { class: 'muted' }, 'No summary.json: no report yet.'),
    summary?.arms.length
      ? h(
          'table',
          { class: 'data compact' },
          h('thead', {}, h('tr', {}, ...['arm', 'measure', 'mean', '95% CI'].map((c) => h('th', {}, c)))),
          h('tbody', {}, ...summary.arms.map((a) => h('tr', {}, h('td', {}, a.arm), h('td', {}, a.metric), h('td', { class: 'num' }, formatNumber(a.mean)), h('td', { class: 'num' }, formatInterval(a))))),
        )
      : '',
    finalTable(d),
  );
}

/** The final value of each headline tag, as the mean over the run's trials. */
function finalTable(d: RunDetail): HTMLElement | string {
  const keys = [...new Set(d.trials.flatMap((t) => Object.keys(t.final)))].sort();
  if (!keys.length) return '';
  const meanOf = (k: string) => {
    const vs = d.trials.map((t) => t.final[k]).filter((v): v is number => typeof v === 'number');
    return vs.length ? mean(vs) : null;
  };
  return h('table', { class: 'data compact' }, h('thead', {}, h('tr', {}, h('th', {}, 'final (mean over trials)'), h('th', { class: 'num' }, 'value'))), h('tbody', {}, ...keys.map((k) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, formatNumber(meanOf(k)))))));
}

async function pickRuns(root: HTMLElement, chosen: string[]): Promise<() => void> {
  const runs = (await getJson<RunInfo[]>('/api/runs')).filter((r) => !r.error);
  const selected = new Set(chosen);
  const go = h('a', { class: 'button', href: '#/compare' }, 'Compare');
  const refresh = () => go.setAttribute('href', routeHash('compare', '', { runs: [...selected].join(',') }));
  refresh();
  root.replaceChildren(
    card(
      'Compare runs',
      h('p', { class: 'muted' }, 'Choose two or more runs.'),
      h(
        'ul',
        { class: 'run-list' },
        ...runs.map((r) => {
          const box = h('input', { type: 'checkbox', checked: selected.has(r.id), 'aria-label': `select ${r.id}` });
          box.addEventListener('change', () => {
            if (box.checked) selected.add(r.id);
            else selected.delete(r.id);
            refresh();
          });
          return h('li', {}, h('label', {}, box, ` ${r.id} `), badge(r.status));
        }),
      ),
      go,
    ),
  );
  return () => {};
}
