/**
 * Live: one run's curves growing as its steps are written, one small chart per tag (RL leads first), and its
 * trial statuses changing in place. Without a run id: the runs that are running now.
 */
import type { RunDetail, RunInfo, TrialInfo } from '../../api/types.js';
import { getJson, runPath } from '../api.js';
import { CurveChart } from '../chart.js';
import { badge, card, errorCard, h } from '../dom.js';
import { orderTags, tagTitle } from '../../measure/tags.js';
import { RunFeed } from '../feed.js';
import { routeHash, type Route } from '../route.js';

export async function livePage(root: HTMLElement, route: Route): Promise<() => void> {
  if (!route.arg) return runningList(root);
  const detail = await getJson<RunDetail>(runPath(route.arg));
  const status = h('span', {}, badge(detail.info.status));
  const counts = h('span', { class: 'muted' });
  const trialsBox = h('div', { class: 'trial-chips' });
  const grid = h('div', { class: 'multiples live' });
  const showState = (trials: TrialInfo[], info: RunInfo) => {
    status.replaceChildren(badge(info.status));
    counts.textContent = `trials: ${info.trials.running} running, ${info.trials.done} done, ${info.trials.failed} failed, ${info.trials.queued} queued`;
    trialsBox.replaceChildren(...trials.map((t) => h('span', { class: 'chip', 'data-trial': t.id, title: t.reason ?? '' }, t.id, ' ', badge(t.status))));
  };
  showState(detail.trials, detail.info);
  root.replaceChildren(
    card(null, h('div', { class: 'run-head' }, h('h1', {}, `Live: ${detail.info.name}`), status), h('p', {}, h('a', { href: routeHash('run', detail.info.id) }, detail.info.id), ' · ', counts), trialsBox),
    card('Curves', h('p', { class: 'muted' }, 'Each chart grows as the run writes its steps; raw values, all trials.'), grid),
  );
  const charts = new Map<string, CurveChart>();
  const feed = new RunFeed(detail.info.id, null, {
    metrics: (tags) => {
      const names = orderTags(feed.store.tags());
      // A tag seen for the first time gets its chart, in the standing order.
      if (names.some((t) => !charts.has(t))) {
        for (const t of names) if (!charts.has(t)) charts.set(t, new CurveChart({ title: tagTitle(t), yTitle: t, seriesTitle: 'trial', height: 170, legend: charts.size === 0 }));
        grid.replaceChildren(...names.map((t) => charts.get(t)!.el));
      }
      for (const t of tags.size ? tags : charts.keys()) charts.get(t)?.update(feed.store.series(t), 0);
    },
    trials: showState,
    error: (message) => grid.before(errorCard('Live metrics stopped', message)),
  });
  return () => {
    feed.close();
    charts.forEach((c) => c.destroy());
  };
}

async function runningList(root: HTMLElement): Promise<() => void> {
  const runs = await getJson<RunInfo[]>('/api/runs');
  const running = runs.filter((r) => r.status === 'running');
  const list = (rs: RunInfo[]) => h('ul', { class: 'run-list' }, ...rs.map((r) => h('li', {}, h('a', { href: routeHash('live', r.id) }, r.id), ' ', badge(r.status), ` ${r.name}`)));
  root.replaceChildren(
    card(
      'Live',
      running.length ? list(running) : h('p', { class: 'muted' }, 'Nothing is running now. Any run can be followed live; the latest:'),
      running.length ? '' : list(runs.filter((r) => !r.error).slice(0, 10)),
    ),
  );
  return () => {};
}
