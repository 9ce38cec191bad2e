/** math/mul — product of two numbers, e.g. `34*7` -> `238`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, randomDigits, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/mul';

export const MulConfig = z.object({
  digitsA: z.number().int().min(1).max(6).default(2).describe('digits of the first factor'),
  digitsB: z.number().int().min(1).max(6).default(1).describe('digits of the second factor'),
});
export type MulConfig = z.output<typeof MulConfig>;

export const LEVELS: Partial<MulConfig>[] = [
  { digitsA: 1, digitsB: 1 },
  { digitsA: 2, digitsB: 1 },
  { digitsA: 2, digitsB: 2 },
  { digitsA: 3, digitsB: 3 },
  { digitsA: 5, digitsB: 4 },
];

export function generate(rng: Rng, cfg: MulConfig): Generated {
  const a = randomDigits(rng, cfg.digitsA);
  const b = randomDigits(rng, cfg.digitsB);
  return { prompt: `${a}*${b}`, answer: String(a * b), meta: { a, b } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: MulConfig) => 2 * (cfg.digitsA + cfg.digitsB) + 1;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'multiply two numbers',
    config: MulConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
