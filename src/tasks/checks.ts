/**
 * The universal checks every family must pass, shared by the test suite and `continuum tasks check`:
 *   reference   the reference answer scores 1 (both splits, every level)
 *   corrupt     one character changed, truncated, empty, random, 10 kB of junk: score < 1, in [0, 1], no throw
 *   determinism the same (seed, index, split) gives the same instance; other seeds give other instances
 *   split       at every level and extra check config, over several seeds, no test prompt is also a train
 *               prompt (what the model sees, not only the canonical key), and each key hashes to its label
 *   unambiguous no prompt has two answers across the levels (which a mix may combine): an instance's reference
 *               answer scores 1 on every other instance with the same prompt
 *   length      prompt + answer fit the declared maximum, and the hardest level's maximum is at most 256
 *   levels      3+ levels that really differ, the hardest at least as long on average as the easiest
 *   vocab       every character of every prompt and answer is in the vocabulary
 */
import { Rng } from '../util/rng.js';
import { SYMBOLS, describeChar, findUnknownChar } from '../text/vocab.js';
import type { Config, Instance, Split, TaskFamily } from './family.js';
import { makeInstance, resolveConfig, splitOfInstance } from './split.js';

export const CHECKS = ['reference', 'corrupt', 'determinism', 'split', 'unambiguous', 'length', 'levels', 'vocab'] as const;
export type CheckName = (typeof CHECKS)[number];

/** Instances per config for the split and unambiguous checks when the caller does not say. */
export const DEFAULT_SPLIT_INSTANCES = 2500;

/** The longest prompt + answer any family may declare at its hardest level. */
export const MAX_FAMILY_LENGTH = 256;

export interface CheckResult {
  check: CheckName;
  ok: boolean;
  /** What was checked, or the first failure with the instance that shows it. */
  detail: string;
}

export interface CheckOptions {
  /** Instances per level and split for the reference, corrupt, length and vocab checks. */
  perLevel?: number;
  /**
   * Instances per level (and per extra check config) for the split and unambiguous checks: 80% train, 20% test,
   * spread over SPLIT_SEEDS seeds.
   */
  splitInstances?: number;
}

/** Characters a corruption may introduce: every printable one and newline. */
const PRINTABLE = SYMBOLS.slice(4).join('');

/** Wrong answers made from a reference: each must score below 1. */
export function corruptions(answer: string, rng: Rng): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (answer.length > 0) {
    const i = rng.int(answer.length);
    let c = answer[i];
    while (c === answer[i]) c = PRINTABLE[rng.int(PRINTABLE.length)];
    out.push(['one character changed', answer.slice(0, i) + c + answer.slice(i + 1)]);
    out.push(['truncated', answer.slice(0, answer.length - 1)]);
  }
  out.push(['empty', '']);
  // Random text that shares no character with the reference, so it cannot be another valid answer by accident.
  const foreign = [...PRINTABLE].filter((ch) => !answer.includes(ch) && ch.trim() !== '');
  let random = '';
  for (let j = 0; j < Math.max(1, answer.length); j++) random += foreign[rng.int(foreign.length)];
  out.push(['random', random]);
  let junk = '';
  for (let j = 0; j < 10_000; j++) junk += PRINTABLE[rng.int(PRINTABLE.length)];
  out.push(['10 kB of junk', junk]);
  return out;
}

const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);
const pass = (check: CheckName, detail: string): CheckResult => ({ check, ok: true, detail });
const fail = (check: CheckName, detail: string): CheckResult => ({ check, ok: false, detail });

function instancesAt(family: TaskFamily, level: number, split: Split, n: number, seed = 0): Instance[] {
  return Array.from({ length: n }, (_, index) => makeInstance(family, { difficulty: level, split, seed, index }));
}

function checkReferenceAndCorrupt(family: TaskFamily, all: Instance[]): CheckResult[] {
  const rng = new Rng(`${family.name}|corrupt`);
  let reference: CheckResult = pass('reference', `${all.length} reference answers score 1`);
  let corrupt: CheckResult = pass('corrupt', `${all.length * 5} corrupted answers score < 1`);
  for (const inst of all) {
    const s = family.score(inst.answer, inst);
    if (s !== 1 && reference.ok) reference = fail('reference', `reference scores ${s}: prompt ${show(inst.prompt)} answer ${show(inst.answer)}`);
    if (!corrupt.ok) continue;
    for (const [kind, output] of corruptions(inst.answer, rng)) {
      let v: number;
      try {
        v = family.score(output, inst);
      } catch (err) {
        corrupt = fail('corrupt', `${kind} answer throws ${(err as Error).message}: prompt ${show(inst.prompt)}`);
        break;
      }
      if (!(v >= 0 && v < 1)) {
        corrupt = fail('corrupt', `${kind} answer ${show(output)} scores ${v}: prompt ${show(inst.prompt)} answer ${show(inst.answer)}`);
        break;
      }
    }
  }
  return [reference, corrupt];
}

function checkDeterminism(family: TaskFamily): CheckResult {
  for (let index = 0; index < 20; index++) {
    const a = makeInstance(family, { split: 'train', seed: 7, index });
    const b = makeInstance(family, { split: 'train', seed: 7, index });
    if (JSON.stringify(a) !== JSON.stringify(b)) return fail('determinism', `seed 7 index ${index} gave ${show(a.prompt)} then ${show(b.prompt)}`);
  }
  // Different seeds must explore the space: most of 50 instances differ between seeds 1 and 2, unless the
  // space itself is small (a short list of user tasks), which shows as repeats within one seed.
  const hardest = family.levels.length;
  const one = instancesAt(family, hardest, 'train', 50, 1).map((i) => i.prompt + i.answer);
  const two = new Set(instancesAt(family, hardest, 'train', 50, 2).map((i) => i.prompt + i.answer));
  const same = one.filter((p) => two.has(p)).length;
  if (same > 25 && new Set(one).size >= 40) return fail('determinism', `seeds 1 and 2 share ${same} of 50 instances at difficulty ${hardest}`);
  return pass('determinism', `same request, same instance; seeds 1 and 2 share ${same}/50`);
}

/** Seeds the split and unambiguous checks spread their instances over: a leak could hide in any of them. */
export const SPLIT_SEEDS = 4;

/** The instances of one config for the split and unambiguous checks, both splits over SPLIT_SEEDS seeds. */
interface ConfigSample {
  label: string;
  /** A difficulty level: mixes combine levels, so prompts must not change answers across them. */
  isLevel: boolean;
  instances: Instance[];
}

/** The configs the prompt-level checks cover: every level, then the family's extra check configs on level 1. */
function checkedConfigs(family: TaskFamily): Array<{ label: string; isLevel: boolean; config: Config }> {
  const levels = family.levels.map((_, l) => ({ label: `difficulty ${l + 1}`, isLevel: true, config: resolveConfig(family, l + 1) }));
  const extra = (family.checkConfigs ?? []).map((overrides) => ({
    label: `difficulty 1 with ${JSON.stringify(overrides)}`,
    isLevel: false,
    config: resolveConfig(family, 1, overrides),
  }));
  return [...levels, ...extra];
}

function sampleConfigs(family: TaskFamily, n: number): ConfigSample[] {
  const testCount = Math.max(SPLIT_SEEDS, Math.round(n / 5));
  const counts: Record<Split, number> = { train: Math.max(SPLIT_SEEDS, n - testCount), test: testCount };
  return checkedConfigs(family).map(({ label, isLevel, config }) => {
    const instances: Instance[] = [];
    for (const split of ['train', 'test'] as const) {
      for (let i = 0; i < counts[split]; i++) {
        const seed = i % SPLIT_SEEDS;
        instances.push(makeInstance(family, { config, split, seed, index: Math.floor(i / SPLIT_SEEDS) }));
      }
    }
    return { label, isLevel, instances };
  });
}

/**
 * No test prompt is a train prompt, across every checked config: a split that holds for canonical keys can still
 * leak when two keys give the same prompt (an in-context episode shows only part of its rule).
 */
function checkSplit(samples: ConfigSample[]): CheckResult {
  const trainPrompts = new Map<string, string>(); // prompt -> the config it was drawn at
  let total = 0;
  for (const { label, instances } of samples) {
    for (const inst of instances) {
      if (inst.split !== 'train') continue;
      total++;
      if (!trainPrompts.has(inst.prompt)) trainPrompts.set(inst.prompt, label);
    }
  }
  let tests = 0;
  for (const { label, instances } of samples) {
    const leaked = instances.filter((i) => i.split === 'test' && trainPrompts.has(i.prompt));
    const count = instances.filter((i) => i.split === 'test').length;
    tests += count;
    if (leaked.length) {
      const e = leaked[0];
      return fail('split', `${label}: ${leaked.length} of ${count} test prompts are also train prompts, e.g. ${show(e.prompt)} (train at ${trainPrompts.get(e.prompt)})`);
    }
  }
  return pass('split', `${tests} test prompts over ${samples.length} configs and ${SPLIT_SEEDS} seeds, none among ${total} train prompts`);
}

/** Every key hashes to the split its instance was labelled with. */
function checkLabels(family: TaskFamily, samples: ConfigSample[]): CheckResult | null {
  for (const { instances } of samples) {
    for (const inst of instances) {
      if (splitOfInstance(family, inst) !== inst.split) return fail('split', `key ${show(inst.key)} was labelled ${inst.split} but hashes to the other split`);
    }
  }
  return null;
}

/**
 * One prompt, one answer, across levels: an instance's reference must score 1 on every instance with its prompt
 * (a family whose verifier accepts several answers may give different references). A mix over levels would
 * otherwise train contradictory labels.
 */
function checkUnambiguous(family: TaskFamily, samples: ConfigSample[]): CheckResult {
  const first = new Map<string, { inst: Instance; label: string }>();
  let prompts = 0;
  for (const { label, isLevel, instances } of samples) {
    if (!isLevel) continue;
    for (const inst of instances) {
      const seen = first.get(inst.prompt);
      if (!seen) {
        first.set(inst.prompt, { inst, label });
        prompts++;
        continue;
      }
      if (seen.inst.answer === inst.answer) continue;
      if (family.score(seen.inst.answer, inst) < 1 || family.score(inst.answer, seen.inst) < 1) {
        return fail('unambiguous', `prompt ${show(inst.prompt)} has answer ${show(seen.inst.answer)} at ${seen.label} and ${show(inst.answer)} at ${label}`);
      }
    }
  }
  return pass('unambiguous', `${prompts} distinct prompts across ${family.levels.length} levels, each with one answer`);
}

function checkLength(family: TaskFamily, byLevel: Instance[][]): CheckResult {
  const hardest = family.maxLength(resolveConfig(family, family.levels.length));
  if (hardest > MAX_FAMILY_LENGTH) return fail('length', `declares ${hardest} chars at its hardest level; the limit is ${MAX_FAMILY_LENGTH}`);
  const observed: number[] = [];
  for (let l = 0; l < byLevel.length; l++) {
    const declared = family.maxLength(resolveConfig(family, l + 1));
    let max = 0;
    for (const inst of byLevel[l]) {
      const len = inst.prompt.length + inst.answer.length;
      if (len > declared) return fail('length', `difficulty ${l + 1}: ${len} chars > declared ${declared}: ${show(inst.prompt)}`);
      max = Math.max(max, len);
    }
    observed.push(max);
  }
  return pass('length', `longest seen per level ${observed.join('/')}, declared max ${hardest}`);
}

function checkLevels(family: TaskFamily, byLevel: Instance[][]): CheckResult {
  if (family.levels.length < 3) return fail('levels', `has ${family.levels.length} difficulty levels; needs 3 or more`);
  for (let l = 1; l < family.levels.length; l++) {
    const a = JSON.stringify(resolveConfig(family, l));
    const b = JSON.stringify(resolveConfig(family, l + 1));
    if (a === b) return fail('levels', `difficulty ${l} and ${l + 1} have the same config`);
    const prev = new Set(byLevel[l - 1].map((i) => i.prompt));
    const same = byLevel[l].filter((i) => prev.has(i.prompt)).length;
    if (same > byLevel[l].length / 2) return fail('levels', `difficulty ${l} and ${l + 1} share ${same} of ${byLevel[l].length} prompts`);
  }
  const mean = (xs: Instance[]) => xs.reduce((s, i) => s + i.prompt.length + i.answer.length, 0) / xs.length;
  const easy = mean(byLevel[0]);
  const hard = mean(byLevel[byLevel.length - 1]);
  if (hard < easy) return fail('levels', `the hardest level is shorter on average (${hard.toFixed(1)}) than the easiest (${easy.toFixed(1)})`);
  return pass('levels', `${family.levels.length} levels, mean length ${easy.toFixed(1)} -> ${hard.toFixed(1)}`);
}

function checkVocab(family: TaskFamily, all: Instance[]): CheckResult {
  for (const inst of all) {
    for (const [field, text] of [['prompt', inst.prompt], ['answer', inst.answer]] as const) {
      const bad = findUnknownChar(text);
      if (bad) return fail('vocab', `${family.name} emits ${describeChar(bad.char)} outside the vocabulary in its ${field} ${show(text)}`);
    }
  }
  return pass('vocab', `${all.length} instances, every character in the vocabulary`);
}

/** Runs every universal check on one family. Checks never throw: a crash is reported as that check's failure. */
export function checkFamily(family: TaskFamily, options: CheckOptions = {}): CheckResult[] {
  const perLevel = options.perLevel ?? 100;
  const guard = (check: CheckName, run: () => CheckResult | CheckResult[]): CheckResult[] => {
    try {
      return ([] as CheckResult[]).concat(run());
    } catch (err) {
      return [fail(check, `threw: ${(err as Error).message}`)];
    }
  };
  let byLevel: Instance[][] = [];
  const generated = guard('reference', () => {
    byLevel = family.levels.map((_, l) => [
      ...instancesAt(family, l + 1, 'train', perLevel),
      ...instancesAt(family, l + 1, 'test', Math.ceil(perLevel / 4)),
    ]);
    return [];
  });
  if (generated.length) return generated; // nothing else can run without instances
  const all = byLevel.flat();
  let samples: ConfigSample[] = [];
  const sampled = guard('split', () => {
    samples = sampleConfigs(family, options.splitInstances ?? DEFAULT_SPLIT_INSTANCES);
    return [];
  });
  return [
    ...guard('reference', () => checkReferenceAndCorrupt(family, all)),
    ...guard('determinism', () => checkDeterminism(family)),
    ...(sampled.length ? sampled : guard('split', () => checkLabels(family, samples) ?? checkSplit(samples))),
    ...(sampled.length ? [fail('unambiguous', 'not run: no instances for it')] : guard('unambiguous', () => checkUnambiguous(family, samples))),
    ...guard('length', () => checkLength(family, byLevel)),
    // Families with a single level (user tasks) have no difficulty to check.
    ...(family.levels.length > 1 ? guard('levels', () => checkLevels(family, byLevel)) : []),
    ...guard('vocab', () => checkVocab(family, all)),
  ];
}
