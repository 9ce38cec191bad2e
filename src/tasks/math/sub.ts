/** math/sub — difference of multi-digit numbers, e.g. `85-347` -> `-262`; borrows and negative results. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, randomDigits, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/sub';

export const SubConfig = z.object({
  digits: z.number().int().min(1).max(12).default(2).describe('digits in each operand'),
  negative: z.boolean().default(false).describe('allow a negative result (else the larger number comes first)'),
});
export type SubConfig = z.output<typeof SubConfig>;

export const LEVELS: Partial<SubConfig>[] = [
  { digits: 1 },
  { digits: 2 },
  { digits: 3, negative: true },
  { digits: 5, negative: true },
  { digits: 8, negative: true },
];

export function generate(rng: Rng, cfg: SubConfig): Generated {
  let a = randomDigits(rng, cfg.digits);
  let b = randomDigits(rng, cfg.digits - (cfg.digits > 1 ? rng.int(2) : 0));
  if (!cfg.negative && a < b) [a, b] = [b, a];
  return { prompt: `${a}-${b}`, answer: String(a - b), meta: { a, b } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: SubConfig) => 3 * cfg.digits + 2;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'subtract multi-digit numbers (borrows, negative results)',
    config: SubConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
