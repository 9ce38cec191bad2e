/**
 * A contrast of two effects, per seed: is the claim's own effect (arm b - arm a on its axis, signed so that the
 * predicted direction is positive) larger than the size of another effect (`than`, |b - a| on another axis)? The
 * seed fixes the initial weights and the data in every arm, so both effects are differences within one seed, and
 * their contrast is too; its interval over seeds gives the verdict, as for any paired claim.
 *
 * An effect averages over the axes its `where` leaves free: the breadth effect without `where: { objective }` is
 * the mean of the breadth effect under each objective (a main effect of the factorial design).
 */
import { mean } from '../stats/stats.js';
import { armResult, type ArmResult } from './model.js';
import { armsOf, measureOf, type TrialResult } from './results.js';
import { valueLabel, type Claim, type Measure } from './spec.js';

/** One effect to take per seed: b - a on `axis` of `part`, other axes held at `where`. */
interface Effect {
  part: string;
  axis: string;
  a: unknown;
  b: unknown;
  where: Record<string, unknown>;
}

/** The two effects a contrast claim compares, as arms with one value per seed: [the other's size, the claim's]. */
export interface ContrastArms {
  other: ArmResult;
  own: ArmResult;
}

/** seed -> the mean of the measure over the finished trials of one arm of an effect (averaging the free axes). */
function meanBySeed(results: readonly TrialResult[], effect: Effect, side: 'a' | 'b', measure: Measure): Map<number, number> {
  const arm = armsOf(results, effect.part, effect.axis, effect.where).find((x) => x.label === valueLabel(effect[side]));
  const bySeed = new Map<number, number[]>();
  for (const t of arm?.trials ?? []) {
    const m = measureOf(t, measure);
    if (m === null) continue;
    bySeed.set(t.trial.seed, [...(bySeed.get(t.trial.seed) ?? []), m.value]);
  }
  return new Map([...bySeed].map(([seed, values]) => [seed, mean(values)]));
}

/** seed -> b - a, for the seeds measured on both sides. */
export function effectBySeed(results: readonly TrialResult[], effect: Effect, measure: Measure): Map<number, number> {
  const a = meanBySeed(results, effect, 'a', measure);
  const b = meanBySeed(results, effect, 'b', measure);
  return new Map([...b].filter(([seed]) => a.has(seed)).map(([seed, vb]) => [seed, vb - a.get(seed)!]));
}

/** How an effect is named in tables and findings: "breadth: narrow -> broad (objective = sft)". */
export function effectName(effect: Pick<Effect, 'axis' | 'a' | 'b' | 'where'>): string {
  const held = Object.entries(effect.where).map(([k, v]) => `${k} = ${valueLabel(v)}`).join(', ');
  return `${effect.axis}: ${valueLabel(effect.a)} -> ${valueLabel(effect.b)}${held ? ` (${held})` : ''}`;
}

/**
 * The claim's own effect (signed: positive in its predicted direction) and the other effect's size, on the seeds
 * that measured both; null when the claim is no contrast or no seed measured both.
 */
export function contrastArms(claim: Claim, results: readonly TrialResult[]): ContrastArms | null {
  if (!claim.than) return null;
  const sign = claim.direction === 'increase' ? 1 : -1;
  const own = effectBySeed(results, { ...claim, part: claim.part }, claim.measure);
  const other = effectBySeed(results, { ...claim.than, part: claim.part }, claim.measure);
  const seeds = [...own.keys()].filter((s) => other.has(s)).sort((x, y) => x - y);
  if (seeds.length === 0) return null;
  const arm = (name: string, values: number[]) => armResult(name, claim.label, values, { seeds, scale: 'linear' });
  return {
    other: arm(`|${claim.than.label}|`, seeds.map((s) => Math.abs(other.get(s)!))),
    own: arm(`${effectName(claim)}${sign < 0 ? ', a decrease' : ''}`, seeds.map((s) => sign * own.get(s)!)),
  };
}
