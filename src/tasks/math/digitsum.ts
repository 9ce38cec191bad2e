/** math/digitsum — sum of a number's digits: `ds(4721)` -> `14`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/digitsum';

export const DigitSumConfig = z.object({
  minDigits: z.number().int().min(1).max(40).default(2),
  maxDigits: z.number().int().min(1).max(40).default(4),
});
export type DigitSumConfig = z.output<typeof DigitSumConfig>;

export const LEVELS: Partial<DigitSumConfig>[] = [
  { minDigits: 2, maxDigits: 4 },
  { minDigits: 5, maxDigits: 8 },
  { minDigits: 9, maxDigits: 16 },
  { minDigits: 17, maxDigits: 30 },
];

export function generate(rng: Rng, cfg: DigitSumConfig): Generated {
  const length = rng.intBetween(cfg.minDigits, Math.max(cfg.minDigits, cfg.maxDigits));
  // Kept as a string: 30-digit numbers are past exact doubles, and a leading zero is fine for digit sums.
  const digits = String(rng.intBetween(1, 9)) + randomString(rng, '0123456789', length - 1);
  const sum = [...digits].reduce((s, d) => s + Number(d), 0);
  return { prompt: `ds(${digits})`, answer: String(sum), meta: { digits: length } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: DigitSumConfig) => Math.max(cfg.minDigits, cfg.maxDigits) + 4 + 3;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: "sum of a number's digits",
    config: DigitSumConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
