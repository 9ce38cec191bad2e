/**
 * logic/sat — give a satisfying assignment of a small CNF formula, as one bit per variable in alphabetical order:
 * `(a|b)&(!a|!b)&(a|!b)` -> `10`. Scored by evaluating the formula on the answer, so any satisfying assignment
 * would score 1; generated formulas have exactly one, so the reference is the only answer and a model can learn it
 * from demonstrations too. Unsatisfiable formulas never occur: clauses are drawn to keep a hidden assignment true.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, normalize, retry, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'logic/sat';

export const SatConfig = z.object({
  variables: z.number().int().min(2).max(6).default(2),
  clauseWidth: z.number().int().min(1).max(3).default(2).describe('literals per clause'),
});
export type SatConfig = z.output<typeof SatConfig>;

export const LEVELS: Partial<SatConfig>[] = [
  { variables: 2, clauseWidth: 2 },
  { variables: 3, clauseWidth: 2 },
  { variables: 4, clauseWidth: 2 },
  { variables: 5, clauseWidth: 3 },
];

/** A literal: variable index and whether it is negated. */
type Literal = [number, boolean];

function holds(clause: Literal[], bits: number): boolean {
  return clause.some(([v, neg]) => (((bits >> v) & 1) === 1) !== neg);
}

function clauseText(clause: Literal[]): string {
  return `(${clause.map(([v, neg]) => `${neg ? '!' : ''}${'abcdef'[v]}`).join('|')})`;
}

/** Formulas longer than 3 clauses per variable are redrawn, which keeps the declared length a true bound. */
const MAX_CLAUSES_PER_VARIABLE = 3;

export function generate(rng: Rng, cfg: SatConfig): Generated {
  return retry(NAME, () => attempt(rng, cfg), 'use wider clauses or fewer variables');
}

/** A formula built clause by clause around a hidden assignment, or undefined if it grew too long. */
function attempt(rng: Rng, cfg: SatConfig): Generated | undefined {
  const n = cfg.variables;
  const hidden = rng.int(2 ** n);
  const clauses: Literal[][] = [];
  // Assignments still satisfying every clause so far; add clauses that keep `hidden` until it is alone.
  let alive = Array.from({ length: 2 ** n }, (_, bits) => bits);
  while (alive.length > 1 && clauses.length < MAX_CLAUSES_PER_VARIABLE * n) {
    const vars = rng.shuffle(Array.from({ length: n }, (_, v) => v)).slice(0, Math.min(cfg.clauseWidth, n));
    const clause: Literal[] = vars.map((v) => [v, rng.int(2) === 1]);
    if (!holds(clause, hidden)) continue;
    const next = alive.filter((bits) => holds(clause, bits));
    if (next.length === alive.length) continue; // it removes nothing
    clauses.push(clause);
    alive = next;
  }
  if (alive.length > 1) return undefined;
  const answer = Array.from({ length: n }, (_, v) => (hidden >> v) & 1).join('');
  return { prompt: clauses.map(clauseText).join('&'), answer, meta: { variables: n, clauses: clauses.length } };
}

/** Variables that occur in the formula, in alphabetical order (the answer gives one bit for each). */
function variablesOf(prompt: string): number {
  let n = 0;
  for (const c of prompt) if (c >= 'a' && c <= 'f') n = Math.max(n, c.charCodeAt(0) - 96);
  return n;
}

/** 1 when the answer is one 0/1 per variable and makes every clause true, else 0. */
export function score(output: string, instance: Generated): number {
  const bits = normalize(output);
  const n = variablesOf(instance.prompt);
  if (bits.length !== n || !/^[01]+$/.test(bits)) return 0;
  const value = (v: string) => bits[v.charCodeAt(0) - 97] === '1';
  const ok = instance.prompt.split('&').every((clause) =>
    clause
      .replace(/[()]/g, '')
      .split('|')
      .some((lit) => (lit.startsWith('!') ? !value(lit[1]) : value(lit))),
  );
  return ok ? 1 : 0;
}

/** Clause order and literal order do not change the problem, but they change the text: the key is the prompt. */
export const key = (g: Generated) => g.prompt;
/** At most 3n clauses of `(` + width literals of up to 2 chars + separators + `)&`, then n answer bits. */
export const maxLength = (cfg: SatConfig) =>
  MAX_CLAUSES_PER_VARIABLE * cfg.variables * (cfg.clauseWidth * 3 + 2) + cfg.variables;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'logic',
    description: 'give the satisfying assignment of a small CNF formula (verified)',
    config: SatConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
