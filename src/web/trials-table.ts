/**
 * The trials table: sortable by any column (click its header), filtered by text and status, with a checkbox
 * per row choosing which trials the curves show. Its state lives in the URL.
 */
import type { TrialInfo } from '../api/types.js';
import { badge, h } from './dom.js';
import { formatNumber } from '../util/format.js';
import { updateParams } from './route.js';
import { trialColumns, visibleRows, type Column, type TableQuery } from './table-model.js';

export class TrialsTable {
  readonly el: HTMLElement;
  private trials: TrialInfo[] = [];
  private columns: Column[] = [];
  private readonly body = h('div', { class: 'table-wrap' });
  private readonly count = h('span', { class: 'muted' });

  constructor(
    private query: TableQuery,
    private selected: Set<string>,
    private readonly onSelect: (selected: Set<string>) => void,
  ) {
    const filter = h('input', { type: 'search', placeholder: 'filter trials, e.g. M=16 done', value: query.filter, 'aria-label': 'filter trials' });
    filter.addEventListener('input', () => this.setQuery({ filter: filter.value }));
    const status = h('select', { 'aria-label': 'status' }, ...['', 'queued', 'running', 'done', 'failed'].map((s) => h('option', { value: s }, s || 'any status')));
    status.value = query.status;
    status.addEventListener('change', () => this.setQuery({ status: status.value }));
    this.el = h('div', { class: 'trials' }, h('div', { class: 'controls' }, filter, status, this.count), this.body);
  }

  private setQuery(change: Partial<TableQuery>): void {
    this.query = { ...this.query, ...change };
    updateParams({ filter: this.query.filter, status: this.query.status, sort: this.query.sort, desc: this.query.descending ? 1 : null });
    this.render();
  }

  setTrials(trials: TrialInfo[]): void {
    this.trials = trials;
    this.columns = trialColumns(trials);
    this.render();
  }

  private header(c: Column): HTMLElement {
    const active = this.query.sort === c.key;
    const arrow = active ? (this.query.descending ? ' ▼' : ' ▲') : '';
    return h(
      'th',
      { class: c.numeric ? 'num sortable' : 'sortable', 'aria-sort': active ? (this.query.descending ? 'descending' : 'ascending') : 'none' },
      h('button', { type: 'button', onclick: () => this.setQuery({ sort: c.key, descending: active ? !this.query.descending : false }) }, c.label + arrow),
    );
  }

  private cell(c: Column, t: TrialInfo): HTMLElement {
    if (c.key === 'status') return h('td', { title: t.reason ?? '' }, badge(t.status));
    const v = c.get(t);
    return h('td', { class: c.numeric ? 'num' : '' }, typeof v === 'number' ? formatNumber(v) : (v ?? '—'));
  }

  private render(): void {
    const rows = visibleRows(this.trials, this.columns, this.query);
    this.count.textContent = `${rows.length} of ${this.trials.length} trials`;
    const toggle = (id: string, on: boolean) => {
      if (on) this.selected.add(id);
      else this.selected.delete(id);
      this.onSelect(this.selected);
    };
    const table = h(
      'table',
      { class: 'data' },
      h('thead', {}, h('tr', {}, h('th', { title: 'show in the curves' }, 'plot'), ...this.columns.map((c) => this.header(c)))),
      h(
        'tbody',
        {},
        ...rows.map((t) => {
          const box = h('input', { type: 'checkbox', 'aria-label': `plot ${t.id}`, checked: this.selected.has(t.id) });
          box.addEventListener('change', () => toggle(t.id, box.checked));
          return h('tr', { 'data-trial': t.id }, h('td', {}, box), ...this.columns.map((c) => this.cell(c, t)));
        }),
      ),
    );
    this.body.replaceChildren(table);
  }
}
