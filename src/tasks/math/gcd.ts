/** math/gcd — greatest common divisor: `gcd(84,36)` -> `12`. Pairs share a factor more often than chance. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/gcd';

export const GcdConfig = z.object({
  maxFactor: z.number().int().min(2).max(999).default(12).describe('largest common factor planted in both numbers'),
  maxCofactor: z.number().int().min(2).max(999).default(9).describe('largest remaining factor of each number'),
});
export type GcdConfig = z.output<typeof GcdConfig>;

export const LEVELS: Partial<GcdConfig>[] = [
  { maxFactor: 9, maxCofactor: 9 },
  { maxFactor: 20, maxCofactor: 20 },
  { maxFactor: 99, maxCofactor: 50 },
  { maxFactor: 999, maxCofactor: 200 },
];

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function generate(rng: Rng, cfg: GcdConfig): Generated {
  // Plant a common factor g; the cofactors may share more, so the answer is computed, not assumed to be g.
  const g = rng.intBetween(1, cfg.maxFactor);
  const a = g * rng.intBetween(1, cfg.maxCofactor);
  const b = g * rng.intBetween(1, cfg.maxCofactor);
  return { prompt: `gcd(${a},${b})`, answer: String(gcd(a, b)), meta: { a, b } };
}

export const score = exactScore;
/** gcd is symmetric, but the order is part of what the model reads: the key is the prompt. */
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: GcdConfig) => {
  const n = String(cfg.maxFactor * cfg.maxCofactor).length;
  return 3 * n + 6;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'greatest common divisor of two numbers',
    config: GcdConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
