/**
 * math/mod — modular arithmetic: `17%5` -> `2`, `(8+6)%9` -> `5`, `17*5%9` -> `4`, `3^5%7` -> `5`.
 * With minModulus = maxModulus = p, maxOperand = p - 1 and ops ['+'], `(a+b)%p` is a p x p table of facts whose
 * trained share is set by the split's testFraction (math/table is the same table over letter symbols, grokking's
 * setting).
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/mod';

const OPS = ['%', '+', '*', '^'] as const;

export const ModConfig = z
  .object({
    minModulus: z.number().int().min(2).max(999).default(2).describe('smallest modulus (equal to maxModulus: one fixed p, as in grokking)'),
    maxModulus: z.number().int().min(2).max(999).default(9).describe('largest modulus'),
    maxOperand: z.number().int().min(1).max(9999).default(20).describe('largest operand'),
    ops: z.array(z.enum(OPS)).min(1).default(['%', '+']).describe("'%' alone, or a+b, a*b, a^b reduced mod m"),
  })
  .refine((c) => c.minModulus <= c.maxModulus, {
    error: (issue) => {
      const c = issue.input as { minModulus: number; maxModulus: number };
      return `minModulus ${c.minModulus} is above maxModulus ${c.maxModulus}; set maxModulus too (a level sets it)`;
    },
    path: ['minModulus'],
  });
export type ModConfig = z.output<typeof ModConfig>;

export const LEVELS: Partial<ModConfig>[] = [
  { maxModulus: 9, maxOperand: 20, ops: ['%'] },
  { maxModulus: 9, maxOperand: 20, ops: ['+', '*'] },
  { maxModulus: 13, maxOperand: 99, ops: ['+', '*', '^'] },
  { maxModulus: 97, maxOperand: 999, ops: ['*', '^'] },
];

/** a^b mod m by repeated squaring, exact for m < 1000. */
function powMod(a: number, b: number, m: number): number {
  let result = 1 % m;
  let base = a % m;
  for (let e = b; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result;
}

export function generate(rng: Rng, cfg: ModConfig): Generated {
  const op = rng.pick(cfg.ops);
  const m = rng.intBetween(cfg.minModulus, cfg.maxModulus);
  const a = rng.intBetween(0, cfg.maxOperand);
  if (op === '%') return { prompt: `${a}%${m}`, answer: String(a % m), meta: { op, a, m } };
  // Exponents stay small so the prompt stays short; the answer is exact either way.
  const b = op === '^' ? rng.intBetween(0, 12) : rng.intBetween(0, cfg.maxOperand);
  const value = op === '+' ? (a + b) % m : op === '*' ? (a * b) % m : powMod(a, b, m);
  const left = op === '+' ? `(${a}+${b})` : `${a}${op}${b}`; // usual precedence: only + needs parentheses
  return { prompt: `${left}%${m}`, answer: String(value), meta: { op, a, b, m } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/** `(a+b)%m` plus an answer below m; exponents have at most two digits. */
export const maxLength = (cfg: ModConfig) =>
  2 * Math.max(String(cfg.maxOperand).length, 2) + 2 * String(cfg.maxModulus).length + 4;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'modular arithmetic: a%m, (a+b)%m, (a*b)%m, a^b%m',
    config: ModConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
