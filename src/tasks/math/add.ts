/** math/add — sum of multi-digit numbers, e.g. `347+85` -> `432`; carries are what make it hard. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, randomDigits, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/add';

export const AddConfig = z.object({
  digits: z.number().int().min(1).max(12).default(2).describe('digits in each operand'),
  operands: z.number().int().min(2).max(5).default(2).describe('numbers to add'),
});
export type AddConfig = z.output<typeof AddConfig>;

export const LEVELS: Partial<AddConfig>[] = [
  { digits: 1 },
  { digits: 2 },
  { digits: 3 },
  { digits: 5 },
  { digits: 4, operands: 3 },
];

export function generate(rng: Rng, cfg: AddConfig): Generated {
  const terms = Array.from({ length: cfg.operands }, () => randomDigits(rng, cfg.digits));
  const sum = terms.reduce((a, b) => a + b, 0);
  return { prompt: terms.join('+'), answer: String(sum), meta: { terms } };
}

export const score = exactScore;

/** Addition commutes, but `3+4` and `4+3` are different strings to a model: the key is the prompt. */
export const key = (g: Generated) => g.prompt;

export const maxLength = (cfg: AddConfig) => cfg.operands * (cfg.digits + 1) + cfg.digits + 1;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'add multi-digit numbers (carries)',
    config: AddConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
