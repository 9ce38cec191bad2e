/**
 * The playground's controls as one plain value, read from and written to the URL, and made sensible: every
 * combination of values is turned into one that runs (a family too long for the context gets an easier level or
 * a longer context, heads that do not divide d are lowered, numbers are clamped), and each change is said in a
 * note the page shows. Pure: the same URL gives the same settings and the same run.
 */
import '../tasks/catalog.js';
import type { MixEntryInput } from '../tasks/mix.js';
import { getFamily, hasFamily, listFamilies } from '../tasks/registry.js';
import { chooseFamilies } from '../tasks/select.js';
import { resolveConfig } from '../tasks/split.js';
import { sequenceLength } from '../tasks/sequence.js';

export const OBJECTIVES = ['lm', 'sft', 'rl', 'mix'] as const;
export type ObjectiveName = (typeof OBJECTIVES)[number];
/** The family value that trains a mix of `mixSize` families instead of one. */
export const MIX = 'mix';

export interface PlaygroundSettings {
  /** A family name, or `mix`. */
  family: string;
  /** Difficulty level; 0 is the playground's own easier level where EASIER_LEVELS has one. */
  level: number;
  /** Rule pool M of in-context and world families; Infinity: a fresh rule every episode. */
  pool: number;
  /** Families in a mix (family = mix). */
  mixSize: number;
  /** Families never trained on, scored to measure transfer. */
  heldOut: string[];
  objective: ObjectiveName;
  /** The mix objective's share of rl, 0..1. */
  rlFraction: number;
  layers: number;
  dModel: number;
  heads: number;
  context: number;
  lr: number;
  /** Sequences per step (rl: prompts × group size). */
  batch: number;
  seed: number;
}

/**
 * Levels below a family's level 1. icl/lookup with 2 keys is the breadth study's regime, where the in-context
 * phase change comes soonest; level 1 (4 keys) takes far longer than a visitor waits.
 */
export const EASIER_LEVELS: Record<string, { label: string; config: Record<string, unknown> }> = {
  'icl/lookup': { label: '2 keys, 2 shown', config: { keys: 2, k: 2, maxValue: 9 } },
};

/**
 * Defaults measured to show the phase change soonest on the reference engine: 2 layers of d 32 at batch 32 and
 * lr 1e-3 passed 80% on unseen tables at steps 1,550-1,900 on seeds 1-4 (lr 2e-3 or 3e-3 memorise the 70
 * training tables instead on most seeds; d 64 jumps sooner in steps but each step costs 3-4 times as much).
 */
export const DEFAULTS: PlaygroundSettings = {
  family: 'icl/lookup',
  level: 0,
  pool: Infinity,
  mixSize: 4,
  heldOut: [],
  objective: 'sft',
  rlFraction: 0.5,
  layers: 2,
  dModel: 32,
  heads: 4,
  context: 16,
  lr: 1e-3,
  batch: 32,
  seed: 1,
};

/** Each numeric control's range and step, shared by the page's inputs and the clamping here. */
export const RANGES = {
  layers: { min: 1, max: 4, step: 1 },
  dModel: { min: 8, max: 128, step: 8 },
  heads: { min: 1, max: 8, step: 1 },
  context: { min: 8, max: 128, step: 8 },
  lr: { min: 1e-4, max: 1e-2, step: 1e-4 },
  batch: { min: 2, max: 64, step: 1 },
  seed: { min: 0, max: 999_999, step: 1 },
  pool: { min: 1, max: 4096, step: 1 },
  mixSize: { min: 2, max: 12, step: 1 },
  rlFraction: { min: 0, max: 1, step: 0.05 },
} as const;
type Ranged = keyof typeof RANGES;

/** URL parameter of each setting. */
const PARAM: Record<keyof PlaygroundSettings, string> = {
  family: 'family', level: 'level', pool: 'pool', mixSize: 'mix', heldOut: 'heldout', objective: 'objective',
  rlFraction: 'rl', layers: 'layers', dModel: 'd', heads: 'heads', context: 'ctx', lr: 'lr', batch: 'batch', seed: 'seed',
};

export function toParams(s: PlaygroundSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(PARAM) as [keyof PlaygroundSettings, string][]) {
    const v = s[key];
    out[name] = Array.isArray(v) ? v.join(',') : v === Infinity ? 'inf' : String(v);
  }
  return out;
}

/** Settings from URL parameters: missing or unreadable values take the default (and make a note). */
export function fromParams(params: URLSearchParams): { settings: PlaygroundSettings; notes: string[] } {
  const notes: string[] = [];
  const raw: PlaygroundSettings = { ...DEFAULTS, heldOut: [...DEFAULTS.heldOut] };
  for (const [key, name] of Object.entries(PARAM) as [keyof PlaygroundSettings, string][]) {
    const text = params.get(name);
    if (text === null || text === '') continue;
    if (key === 'family') raw.family = text;
    else if (key === 'objective') raw.objective = text as ObjectiveName;
    else if (key === 'heldOut') raw.heldOut = text.split(',').filter(Boolean);
    else {
      const n = /^inf(inity)?$/i.test(text) ? Infinity : Number(text);
      if (Number.isNaN(n)) notes.push(`${name}=${text} is not a number; using ${String(DEFAULTS[key])}`);
      else (raw as unknown as Record<string, number>)[key] = n;
    }
  }
  const adjusted = adjust(raw);
  return { settings: adjusted.settings, notes: [...notes, ...adjusted.notes] };
}

/** Families the playground offers: every built-in one (user tasks live in files the page cannot read). */
export function playgroundFamilies(): string[] {
  return listFamilies().filter((f) => f.domain !== 'user').map((f) => f.name);
}

/** The lowest level a family has here: 0 where the playground adds an easier one. */
export function minLevel(family: string): number {
  return EASIER_LEVELS[family] ? 0 : 1;
}

/** The task-mix entry of a family at a level (0: the playground's easier one), with the pool where it has one. */
export function entryOf(family: string, level: number, pool: number): MixEntryInput {
  const f = getFamily(family);
  const config: Record<string, unknown> = level === 0 ? { ...EASIER_LEVELS[family]!.config } : {};
  if ('poolSize' in resolveConfig(f, 1)) config.poolSize = pool;
  return { family, levels: [Math.max(1, level)], config };
}

/** Tokens of context the family's longest instance needs at a level. */
export function tokensNeeded(family: string, level: number): number {
  const entry = entryOf(family, level, Infinity);
  return sequenceLength(getFamily(family).maxLength(resolveConfig(getFamily(family), entry.levels![0], entry.config ?? {})));
}

/** Whether a family fits a context at some level; the families the pickers list. */
export function fitsAtSomeLevel(family: string, context: number): boolean {
  return tokensNeeded(family, minLevel(family)) <= context;
}

/** The training families: the one chosen, or `mixSize` families drawn by the seed among those that fit. */
export function trainFamilies(s: PlaygroundSettings): string[] {
  if (s.family !== MIX) return [s.family];
  const from = playgroundFamilies().filter((f) => fitsAtSomeLevel(f, s.context) && !s.heldOut.includes(f));
  return chooseFamilies({ k: Math.min(s.mixSize, from.length), seed: s.seed, from });
}

/** A family's level in a run: the chosen one for a single family, the easiest for a mix or a held-out family. */
export function levelFor(s: PlaygroundSettings, family: string): number {
  return s.family === family ? s.level : minLevel(family);
}

/** The settings made runnable, with a note for every change. */
export function adjust(input: PlaygroundSettings): { settings: PlaygroundSettings; notes: string[] } {
  const notes: string[] = [];
  const s: PlaygroundSettings = { ...input, heldOut: [...input.heldOut] };
  clampNumbers(s, notes);
  if (!(OBJECTIVES as readonly string[]).includes(s.objective)) {
    notes.push(`objective "${s.objective}" is not one of ${OBJECTIVES.join(', ')}; using ${DEFAULTS.objective}`);
    s.objective = DEFAULTS.objective;
  }
  fixHeads(s, notes);
  fixFamily(s, notes);
  fixHeldOut(s, notes);
  return { settings: s, notes };
}

function clampNumbers(s: PlaygroundSettings, notes: string[]): void {
  const values = s as unknown as Record<Ranged, number>;
  for (const key of Object.keys(RANGES) as Ranged[]) {
    const { min, max, step } = RANGES[key];
    const v = values[key];
    if (key === 'pool' && v === Infinity) continue;
    // Integers stay integers (step 1 or 8); lr and rlFraction keep their value inside the range.
    const rounded = step >= 1 ? Math.round(v / step) * step : v;
    const clamped = Math.min(max, Math.max(min, Number.isFinite(rounded) ? rounded : (DEFAULTS[key] as number)));
    if (clamped !== v) notes.push(`${key} ${v} is outside what runs here (${min} … ${max}${step >= 1 && step > 1 ? `, steps of ${step}` : ''}); using ${clamped}`);
    values[key] = clamped;
  }
}

/** Heads must divide d: the largest divisor of d not above the heads asked for. */
function fixHeads(s: PlaygroundSettings, notes: string[]): void {
  let heads = s.heads;
  while (s.dModel % heads !== 0) heads--;
  if (heads !== s.heads) notes.push(`${s.heads} heads do not divide d ${s.dModel}; using ${heads} heads`);
  s.heads = heads;
}

/** A known family at a level that exists and fits the context: first an easier level, then a longer context. */
function fixFamily(s: PlaygroundSettings, notes: string[]): void {
  if (s.family !== MIX && !(hasFamily(s.family) && playgroundFamilies().includes(s.family))) {
    notes.push(`there is no family "${s.family}"; using ${DEFAULTS.family}`);
    s.family = DEFAULTS.family;
    s.level = DEFAULTS.level;
  }
  if (s.family === MIX) {
    const fitting = playgroundFamilies().filter((f) => fitsAtSomeLevel(f, s.context) && !s.heldOut.includes(f)).length;
    if (fitting < 2) growContext(s, notes, 'a mix of families');
    return;
  }
  const levels = getFamily(s.family).levels.length;
  const level = Math.min(levels, Math.max(minLevel(s.family), Math.round(s.level)));
  if (level !== s.level) notes.push(`${s.family} has levels ${minLevel(s.family)} … ${levels}; using ${level}`);
  s.level = level;
  while (s.level > minLevel(s.family) && tokensNeeded(s.family, s.level) > s.context) s.level--;
  if (s.level !== level) notes.push(`${s.family} level ${level} needs more than ${s.context} tokens of context; using level ${s.level}`);
  if (tokensNeeded(s.family, s.level) > s.context) growContext(s, notes, `${s.family} level ${s.level}`);
}

/** The shortest context (in RANGES' steps) the training families fit, up to the largest one. */
function growContext(s: PlaygroundSettings, notes: string[], what: string): void {
  const before = s.context;
  const need = s.family === MIX ? 2 * RANGES.context.step : tokensNeeded(s.family, s.level);
  const step = RANGES.context.step;
  s.context = Math.min(RANGES.context.max, Math.ceil(need / step) * step);
  if (s.family === MIX) {
    while (s.context < RANGES.context.max && playgroundFamilies().filter((f) => fitsAtSomeLevel(f, s.context)).length < 2) s.context += step;
  }
  notes.push(`${what} needs ${s.family === MIX ? 'more' : need} tokens of context, more than ${before}; using context ${s.context}`);
  if (s.family !== MIX && tokensNeeded(s.family, s.level) > s.context) {
    notes.push(`${s.family} does not fit the largest context here; using ${DEFAULTS.family}`);
    Object.assign(s, { family: DEFAULTS.family, level: DEFAULTS.level });
  }
}

/** Held-out families: known, not trained on, and fitting the context; duplicates dropped. */
function fixHeldOut(s: PlaygroundSettings, notes: string[]): void {
  const kept: string[] = [];
  for (const name of s.heldOut) {
    if (kept.includes(name)) continue;
    if (!hasFamily(name) || !playgroundFamilies().includes(name)) notes.push(`held-out: there is no family "${name}"; dropped`);
    else if (s.family === name) notes.push(`held-out: ${name} is the training family; dropped`);
    else if (!fitsAtSomeLevel(name, s.context)) notes.push(`held-out: ${name} does not fit context ${s.context}; dropped`);
    else kept.push(name);
  }
  s.heldOut = kept;
}
