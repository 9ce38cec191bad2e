/**
 * The universal checks every family must pass, shared by the test suite and `continuum tasks check`:
 *   reference   the reference answer scores 1 (both splits, every level)
 *   corrupt     one character changed, truncated, empty, random, 10 kB of junk: score < 1, in [0, 1], no throw
 *   determinism the same (seed, index, split) gives the same instance; other seeds give other instances
 *   split       over 10,000 instances no canonical key is in both splits, and each key hashes to its label
 *   length      prompt + answer fit the declared maximum, and the hardest level's maximum is at most 256
 *   levels      3+ levels that really differ, the hardest at least as long on average as the easiest
 *   vocab       every character of every prompt and answer is in the vocabulary
 */
import { Rng } from '../util/rng.js';
import { SYMBOLS, describeChar, findUnknownChar } from '../text/vocab.js';
import type { Instance, Split, TaskFamily } from './family.js';
import { makeInstance, resolveConfig, splitOfInstance } from './split.js';

export const CHECKS = ['reference', 'corrupt', 'determinism', 'split', 'length', 'levels', 'vocab'] as const;
export type CheckName = (typeof CHECKS)[number];

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
  /** Instances for the split check (90% train, 10% test). */
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

function checkSplit(family: TaskFamily, n: number): CheckResult {
  const keys: Record<Split, Set<string>> = { train: new Set(), test: new Set() };
  const testCount = Math.max(1, Math.round(n / 10));
  const counts: Record<Split, number> = { train: n - testCount, test: testCount };
  for (const split of ['train', 'test'] as const) {
    for (let index = 0; index < counts[split]; index++) {
      // Spread over levels and seeds: a leak could hide in any of them.
      const level = 1 + (index % family.levels.length);
      const inst = makeInstance(family, { difficulty: level, split, seed: index % 7, index });
      if (splitOfInstance(family, inst) !== split) return fail('split', `key ${show(inst.key)} was labelled ${split} but hashes to the other split`);
      keys[split].add(inst.key);
    }
  }
  const both = [...keys.test].filter((k) => keys.train.has(k));
  if (both.length) return fail('split', `${both.length} canonical keys in both splits, e.g. ${show(both[0])}`);
  return pass('split', `${n} instances, ${keys.train.size} train and ${keys.test.size} test keys, none shared`);
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
  return [
    ...guard('reference', () => checkReferenceAndCorrupt(family, all)),
    ...guard('determinism', () => checkDeterminism(family)),
    ...guard('split', () => checkSplit(family, options.splitInstances ?? 10_000)),
    ...guard('length', () => checkLength(family, byLevel)),
    // Families with a single level (user tasks) have no difficulty to check.
    ...(family.levels.length > 1 ? guard('levels', () => checkLevels(family, byLevel)) : []),
    ...guard('vocab', () => checkVocab(family, all)),
  ];
}
