/**
 * The playground's controls: one input per setting, built from the settings and their ranges. A change calls
 * `onChange` with the new settings as asked; the caller makes them runnable (settings.ts adjust) and redraws.
 */
import { getFamily } from '../../tasks/registry.js';
import { resolveConfig } from '../../tasks/split.js';
import { EASIER_LEVELS, MIX, OBJECTIVES, RANGES, fitsAtSomeLevel, minLevel, playgroundFamilies, tokensNeeded, type PlaygroundSettings } from '../../playground/settings.js';
import { h } from '../dom.js';

type Change = (next: PlaygroundSettings) => void;
const POOLS = [1, 2, 4, 8, 16, 32, 64, 256, 1024, Infinity];

function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'pg-field' }, h('span', {}, label), input, hint ? h('small', { class: 'muted' }, hint) : null);
}

function select(name: string, value: string, options: [string, string][], onchange: (v: string) => void): HTMLSelectElement {
  const el = h('select', { name, 'aria-label': name }, ...options.map(([v, text]) => h('option', { value: v }, text)));
  el.value = value;
  el.addEventListener('change', () => onchange(el.value));
  return el;
}

function numberInput(name: keyof typeof RANGES, value: number, onchange: (v: number) => void): HTMLInputElement {
  const { min, max, step } = RANGES[name];
  const el = h('input', { type: 'number', name, 'aria-label': name, min, max, step, value: String(value), class: 'short' });
  el.addEventListener('change', () => onchange(Number(el.value)));
  return el;
}

/** Whether a family has a rule pool (in-context and world families). */
const pooled = (family: string) => family !== MIX && 'poolSize' in resolveConfig(getFamily(family), 1);

function familyControls(s: PlaygroundSettings, change: Change): HTMLElement[] {
  const families = playgroundFamilies();
  const familyOptions: [string, string][] = [[MIX, 'a mix of families'], ...families.map((f): [string, string] => [f, fitsAtSomeLevel(f, s.context) ? f : `${f} (needs context ${tokensNeeded(f, minLevel(f))})`])];
  const out = [field('task family', select('family', s.family, familyOptions, (family) => change({ ...s, family, level: family === MIX ? 1 : minLevel(family) })))];
  if (s.family !== MIX) {
    const levels = getFamily(s.family).levels.length;
    const options: [string, string][] = [];
    for (let l = minLevel(s.family); l <= levels; l++) options.push([String(l), l === 0 ? `0 (${EASIER_LEVELS[s.family]!.label})` : `level ${l}`]);
    out.push(field('difficulty', select('level', String(s.level), options, (v) => change({ ...s, level: Number(v) }))));
  }
  if (pooled(s.family)) {
    const pools: [string, string][] = POOLS.map((p) => [p === Infinity ? 'inf' : String(p), p === Infinity ? '∞ (a fresh rule each episode)' : String(p)]);
    out.push(field('breadth: rule pool M', select('pool', s.pool === Infinity ? 'inf' : String(s.pool), pools, (v) => change({ ...s, pool: v === 'inf' ? Infinity : Number(v) }))));
  }
  if (s.family === MIX) out.push(field('breadth: families in the mix', numberInput('mixSize', s.mixSize, (mixSize) => change({ ...s, mixSize })), 'drawn by the seed among those that fit'));
  const held = h('select', { name: 'heldout', 'aria-label': 'held-out families', multiple: true, size: 4 }, ...families.filter((f) => f !== s.family).map((f) => h('option', { value: f, selected: s.heldOut.includes(f) }, f)));
  held.addEventListener('change', () => change({ ...s, heldOut: Array.from(held.selectedOptions).map((o) => o.value) }));
  out.push(field('held-out families', held, 'scored, never trained'));
  return out;
}

function objectiveControls(s: PlaygroundSettings, change: Change): HTMLElement[] {
  const out = [field('objective', select('objective', s.objective, OBJECTIVES.map((o) => [o, o]), (v) => change({ ...s, objective: v as PlaygroundSettings['objective'] })))];
  if (s.objective === 'mix') {
    const { min, max, step } = RANGES.rlFraction;
    const slider = h('input', { type: 'range', name: 'rl', 'aria-label': 'rlFraction', min, max, step, value: String(s.rlFraction) });
    const shown = h('span', { class: 'slider-value' }, s.rlFraction.toFixed(2));
    slider.addEventListener('input', () => (shown.textContent = Number(slider.value).toFixed(2)));
    slider.addEventListener('change', () => change({ ...s, rlFraction: Number(slider.value) }));
    out.push(field('rlFraction (sft 0 … rl 1)', h('span', { class: 'pg-inline' }, slider, shown)));
  }
  return out;
}

function modelControls(s: PlaygroundSettings, change: Change): HTMLElement[] {
  const num = (label: string, key: 'layers' | 'dModel' | 'heads' | 'context' | 'lr' | 'batch' | 'seed', hint?: string) =>
    field(label, numberInput(key, s[key], (v) => change({ ...s, [key]: v })), hint);
  return [num('layers', 'layers'), num('d (width)', 'dModel'), num('heads', 'heads'), num('context', 'context'), num('learning rate', 'lr'), num('batch', 'batch', s.objective === 'rl' || s.objective === 'mix' ? 'rl: batch / 4 prompts × 4 samples' : undefined), num('seed', 'seed')];
}

/** The whole panel: task, objective, model and optimizer groups. */
export function controlsPanel(s: PlaygroundSettings, change: Change): HTMLElement {
  const group = (title: string, fields: HTMLElement[]) => h('fieldset', { class: 'pg-group' }, h('legend', {}, title), ...fields);
  return h(
    'form',
    { class: 'pg-controls', onsubmit: (e: Event) => e.preventDefault() },
    group('Task', familyControls(s, change)),
    group('Objective', objectiveControls(s, change)),
    group('Model and training', modelControls(s, change)),
  );
}
