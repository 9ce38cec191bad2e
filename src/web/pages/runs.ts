/** Runs: every run under the runs directory, newest first; unreadable ones as error cards. Pick runs to compare. */
import type { RunInfo } from '../../api/types.js';
import { getJson } from '../api.js';
import { badge, card, errorCard, fmtTime, h } from '../dom.js';
import { routeHash } from '../route.js';

export async function runsPage(root: HTMLElement): Promise<() => void> {
  const runs = await getJson<RunInfo[]>('/api/runs');
  const readable = runs.filter((r) => !r.error);
  const broken = runs.filter((r) => r.error);
  const selected = new Set<string>();
  const compare = h('a', { class: 'button', href: '#/compare', 'aria-disabled': 'true' }, 'Compare selected');
  const refresh = () => {
    compare.setAttribute('href', routeHash('compare', '', { runs: [...selected].join(',') }));
    compare.setAttribute('aria-disabled', String(selected.size < 2));
  };
  const row = (r: RunInfo) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.id}` });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(r.id);
      else selected.delete(r.id);
      refresh();
    });
    const t = r.trials;
    return h(
      'tr',
      { 'data-run': r.id },
      h('td', {}, box),
      h('td', {}, h('a', { href: routeHash('run', r.id) }, r.id)),
      h('td', {}, r.kind),
      h('td', {}, r.name),
      h('td', {}, badge(r.status), r.status === 'running' ? h('a', { class: 'live-link', href: routeHash('live', r.id) }, 'live') : null),
      h('td', { class: 'num' }, `${t.done}/${t.total}`, t.failed ? h('span', { class: 'failed-count' }, ` (${t.failed} failed)`) : null),
      h('td', {}, fmtTime(r.startedAt ?? r.createdAt)),
      h('td', {}, r.verdict ? badge(r.verdict) : '—'),
    );
  };
  const table = readable.length
    ? h(
        'table',
        { class: 'data runs' },
        h('thead', {}, h('tr', {}, ...['', 'run', 'kind', 'study / recipe', 'status', 'trials done', 'started', 'verdict'].map((c) => h('th', {}, c)))),
        h('tbody', {}, ...readable.map(row)),
      )
    : h('p', { class: 'muted' }, 'No runs yet. Start one with `npx continuum study run breadth --quick` or `npx continuum train recipes/sft-then-rl.yaml`.');
  root.replaceChildren(
    card('Runs', h('div', { class: 'controls' }, compare, h('span', { class: 'muted' }, `${runs.length} run(s)`)), table),
    ...broken.map((r) => errorCard(`${r.id}: cannot be read`, r.error!)),
  );
  return () => {};
}
