/**
 * The ideal learner beside a model's count: how many examples (or demonstrations) a learner that uses every one
 * of them perfectly needs to reach the same threshold on the same task. A claim on examples-to-threshold may name
 * it (`ideal: { value, label }`, or one per arm); the report then prints the model's count as a ratio of the
 * ideal one, the sample-efficiency gap the seed points at (people learn a new rule from a handful of examples).
 *
 * The functions below are the ideal counts of the tasks the shipped studies use; a study file states the number
 * it takes from them (with the function named in a comment), so a reader can recompute it.
 */
import { z } from 'zod';
import type { Interval } from '../stats/stats.js';

export const IdealValueSchema = z
  .object({
    /** The ideal learner's count, in the claim's units (examples, demonstrations); > 0. */
    value: z.number().positive(),
    /** What the ideal learner is, e.g. "one example per key for half of 4 keys". */
    label: z.string().min(1),
  })
  .strict();
export type IdealValue = z.output<typeof IdealValueSchema>;

/** One ideal for every arm, or one per arm (axis label -> ideal); arms not named have none. */
export const IdealSchema = z.union([IdealValueSchema, z.object({ arms: z.record(z.string(), IdealValueSchema) }).strict()]);
export type Ideal = z.output<typeof IdealSchema>;

/** The ideal for one arm of a claim (by its axis label); null when the claim names none for it. */
export function idealFor(ideal: Ideal | undefined, arm: string): IdealValue | null {
  if (!ideal) return null;
  if ('arms' in ideal) return ideal.arms[arm] ?? null;
  return ideal;
}

/** A model's count against the ideal's: the mean and interval divided by the ideal count. */
export interface IdealRatio {
  ideal: number;
  label: string;
  /** mean / ideal, with the interval's ends divided likewise (null where the interval has none). */
  ratio: number;
  lo: number | null;
  hi: number | null;
}

export function idealRatio(ci: Pick<Interval, 'mean' | 'lo' | 'hi'>, ideal: IdealValue): IdealRatio {
  const div = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.max(0, x) / ideal.value);
  return { ideal: ideal.value, label: ideal.label, ratio: ci.mean / ideal.value, lo: div(ci.lo), hi: div(ci.hi) };
}

/** "12× the ideal" with one or two significant places. */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r >= 10 ? `${Math.round(r)}×` : `${Number(r.toPrecision(2))}×`;
}

/**
 * A lookup table of `keys` keys with values 0..maxValue, learned in weights from examples whose keys are drawn
 * uniformly (icl/lookup with k = 0 and a pool of one table), queried on a uniform key. An ideal learner stores
 * every entry it is shown: with d distinct keys seen its accuracy is d/keys plus a guess (1/(maxValue+1)) on the
 * rest. It needs the smallest d reaching the threshold, and, keys being drawn at random, the expected number of
 * draws to see d distinct of them (the partial coupon collector: sum of keys/(keys - i) for i < d).
 */
export function lookupInWeights(keys: number, maxValue: number, threshold: number): { distinct: number; examples: number } {
  const guess = 1 / (maxValue + 1);
  let d = 0;
  while (d < keys && d / keys + (1 - d / keys) * guess < threshold) d++;
  let examples = 0;
  for (let i = 0; i < d; i++) examples += keys / (keys - i);
  return { distinct: d, examples };
}

/**
 * The same table read in context (icl/lookup with k demonstrations): the query asks a key that was shown, so an
 * ideal reader answers every query from one demonstration (k = 1: the query's own entry); with none it guesses.
 */
export function lookupInContext(maxValue: number, threshold: number): number {
  return 1 / (maxValue + 1) >= threshold ? 0 : 1;
}

/**
 * (x op y) mod p over p symbols whose names carry no order (math/table): a learner that knows the table is a
 * cyclic group's (addition mod p under some naming of the symbols) identifies it from one row, p facts: the row of
 * g is the p-cycle x -> x + g, whose predecessor of g is the identity, and then x -> position along the cycle
 * names every symbol (up to the automorphisms of Z_p, which give the same table). Every other fact follows.
 */
export function groupTableFacts(p: number): number {
  return p;
}
