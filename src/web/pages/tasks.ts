/**
 * Tasks: browse families by domain, see instances with their answers at any difficulty and split, and try
 * the verifier on an answer you type. The task code runs here in the page (src/tasks is browser-safe), so
 * scoring is instant and needs no server.
 */
import { DOMAINS, getFamily, listFamilies, makeInstance, type Instance, type Split } from '../../tasks/index.js';
import { card, errorCard, h } from '../dom.js';
import { routeHash, updateParams, type Route } from '../route.js';

const SHOWN = 4;

export async function tasksPage(root: HTMLElement, route: Route): Promise<() => void> {
  const families = listFamilies().filter((f) => f.domain !== 'user');
  const p = route.params;
  let family = families.find((f) => f.name === p.get('family')) ?? families[0];
  let level = Number(p.get('level') ?? 1);
  let split: Split = p.get('split') === 'test' ? 'test' : 'train';
  let seed = Number(p.get('seed') ?? 0);

  const domainList = h('div', { class: 'family-list' });
  const detail = h('div', { class: 'family-detail' });
  const byDomain = DOMAINS.map((d) => ({ d, fs: families.filter((f) => f.domain === d) })).filter((x) => x.fs.length);
  const renderList = () =>
    domainList.replaceChildren(
      ...byDomain.map(({ d, fs }) =>
        h(
          'div',
          { class: 'domain' },
          h('h3', {}, d),
          ...fs.map((f) => h('button', { type: 'button', class: f === family ? 'family active' : 'family', 'data-family': f.name, onclick: () => choose(f.name) }, f.name.split('/')[1] ?? f.name)),
        ),
      ),
    );
  const choose = (name: string) => {
    family = getFamily(name);
    level = Math.min(level, family.levels.length);
    renderList();
    renderDetail();
  };
  const renderDetail = () => {
    updateParams({ family: family.name, level, split, seed });
    const levelSel = h('select', { 'aria-label': 'difficulty' }, ...family.levels.map((_, i) => h('option', { value: i + 1 }, `level ${i + 1}`)));
    levelSel.value = String(level);
    levelSel.addEventListener('change', () => ((level = Number(levelSel.value)), renderDetail()));
    const splitSel = h('select', { 'aria-label': 'split' }, h('option', { value: 'train' }, 'train split'), h('option', { value: 'test' }, 'test split'));
    splitSel.value = split;
    splitSel.addEventListener('change', () => ((split = splitSel.value as Split), renderDetail()));
    const seedIn = h('input', { type: 'number', min: 0, value: seed, 'aria-label': 'seed', class: 'short' });
    seedIn.addEventListener('change', () => ((seed = Math.max(0, Math.floor(Number(seedIn.value) || 0))), renderDetail()));
    let instances: Instance[] = [];
    let problem: HTMLElement | null = null;
    try {
      instances = Array.from({ length: SHOWN }, (_, index) => makeInstance(family, { split, seed, index, difficulty: level }));
    } catch (err) {
      problem = errorCard(`${family.name} cannot make a ${split} instance here`, (err as Error).message);
    }
    detail.replaceChildren(
      h('h2', {}, family.name),
      h('p', {}, family.description),
      h('div', { class: 'controls' }, levelSel, splitSel, h('label', {}, 'seed ', seedIn)),
      problem ?? '',
      ...instances.map((inst, index) => instanceCard(inst, { family: family.name, difficulty: level, split, seed, index })),
    );
  };
  root.replaceChildren(card('Tasks', h('div', { class: 'tasks-layout' }, domainList, detail)));
  renderList();
  renderDetail();
  return () => {};
}

function instanceCard(inst: Instance, ref: { family: string; difficulty: number; split: Split; seed: number; index: number }): HTMLElement {
  const family = getFamily(inst.family);
  const answer = h('input', { type: 'text', placeholder: 'type an answer', 'aria-label': `answer ${ref.index}`, class: 'answer' });
  const score = h('span', { class: 'score', 'data-score': '' }, '');
  answer.addEventListener('input', () => {
    const s = family.score(answer.value, inst);
    score.textContent = `score ${s.toFixed(2)}`;
    score.dataset.score = String(s);
    score.className = `score ${s >= 1 ? 'good' : s > 0 ? 'partial' : 'bad'}`;
  });
  return h(
    'div',
    { class: 'instance', 'data-index': ref.index },
    h('div', { class: 'instance-head' }, `#${ref.index} · ${inst.split} · key ${inst.key.length > 40 ? inst.key.slice(0, 40) + '…' : inst.key}`, h('a', { href: routeHash('sample', '', { ...ref }) }, 'try on a model')),
    h('pre', { class: 'prompt' }, inst.prompt || '(no prompt)'),
    h('details', {}, h('summary', {}, 'reference answer'), h('pre', { class: 'answer-ref' }, inst.answer)),
    h('div', { class: 'controls' }, answer, score),
  );
}
