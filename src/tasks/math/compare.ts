/** math/compare — which number is larger: `347?85` -> `>`, with ties (`=`) and, later, negatives and shared prefixes. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, randomDigits, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/compare';

export const CompareConfig = z.object({
  digits: z.number().int().min(1).max(12).default(2).describe('most digits in a number'),
  negative: z.boolean().default(false).describe('allow negative numbers'),
  tieRate: z.number().min(0).max(1).default(0.2).describe('share of pairs that are equal'),
  closeRate: z.number().min(0).max(1).default(0).describe('share of pairs that differ only in their last digits'),
});
export type CompareConfig = z.output<typeof CompareConfig>;

export const LEVELS: Partial<CompareConfig>[] = [
  { digits: 1 },
  { digits: 3 },
  { digits: 4, negative: true },
  { digits: 8, negative: true, closeRate: 0.5 },
];

export function generate(rng: Rng, cfg: CompareConfig): Generated {
  const number = () => randomDigits(rng, rng.intBetween(1, cfg.digits)) * (cfg.negative && rng.int(2) ? -1 : 1);
  const a = number();
  let b: number;
  const r = rng.uniform();
  if (r < cfg.tieRate) b = a;
  else if (r < cfg.tieRate + cfg.closeRate && Math.abs(a) >= 10) b = a + rng.intBetween(-9, 9);
  else b = number();
  const answer = a < b ? '<' : a > b ? '>' : '=';
  return { prompt: `${a}?${b}`, answer, meta: { a, b } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/** Two signed numbers, '?' and a one-character answer; a close pair may gain a digit. */
export const maxLength = (cfg: CompareConfig) => 2 * (cfg.digits + 2) + 2;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'compare two numbers: <, > or = (ties, negatives)',
    config: CompareConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
