/**
 * math/table — one operation table over p abstract symbols: `c+h mod 11` -> `j` is (2 + 7) mod 11 with letters
 * for the residues. The prompt states p: without it one prompt would have a different answer at each level. This is grokking's task (Power et al. 2022): the symbols carry no digits to exploit, so the only way
 * to answer a fact never trained on is to find the group structure. The share of the p x p table that trains is
 * the split's testFraction (trained share = 1 - testFraction).
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/table';

/** Residue i is written SYMBOLS[i]: lower-case letters, then upper-case, so p can reach 52. */
export const SYMBOLS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

const OPS = ['+', '-', '*', '/'] as const;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

export const TableConfig = z
  .object({
    p: z.number().int().min(2).max(SYMBOLS.length).default(11).describe(`the modulus: residues 0..p-1 as letters (p <= ${SYMBOLS.length})`),
    op: z.enum(OPS).default('+').describe("x+y, x-y, x*y or x/y mod p ('/' needs a prime p; y is never 0)"),
  })
  .refine((c) => c.op !== '/' || isPrime(c.p), { message: "op '/' needs a prime p (every y must have an inverse)", path: ['p'] });
export type TableConfig = z.output<typeof TableConfig>;

export const LEVELS: Partial<TableConfig>[] = [
  { p: 7, op: '+' },
  { p: 13, op: '+' },
  { p: 23, op: '+' },
  { p: 23, op: '/' },
];

/** y^(p-2) mod p: the inverse of y for a prime p (Fermat). */
function inverse(y: number, p: number): number {
  let result = 1;
  let base = y % p;
  for (let e = p - 2; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % p;
    base = (base * base) % p;
  }
  return result;
}

export function apply(op: TableConfig['op'], x: number, y: number, p: number): number {
  if (op === '+') return (x + y) % p;
  if (op === '-') return (x - y + p) % p;
  if (op === '*') return (x * y) % p;
  return (x * inverse(y, p)) % p;
}

export function generate(rng: Rng, cfg: TableConfig): Generated {
  const x = rng.int(cfg.p);
  const y = cfg.op === '/' ? rng.intBetween(1, cfg.p - 1) : rng.int(cfg.p);
  return { prompt: `${SYMBOLS[x]}${cfg.op}${SYMBOLS[y]} mod ${cfg.p}`, answer: SYMBOLS[apply(cfg.op, x, y, cfg.p)], meta: { x, y, p: cfg.p } };
}

export const score = exactScore;
/** One fact per cell of the table (of one modulus). */
export const key = (g: Generated) => g.prompt;
/** `x+y mod p` and a one-letter answer. */
export const maxLength = (cfg: TableConfig) => 9 + String(cfg.p).length;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: "an operation table over p letters, x+y mod p etc. (grokking's task)",
    config: TableConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
