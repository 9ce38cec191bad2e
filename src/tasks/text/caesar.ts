/** text/caesar — shift letters along the alphabet, wrapping: `rot3:xyz` -> `abc`, `rot-1:abc` -> `zab`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/caesar';

export const CaesarConfig = z.object({
  minLength: z.number().int().min(1).max(100).default(3),
  maxLength: z.number().int().min(1).max(100).default(5),
  maxShift: z.number().int().min(1).max(25).default(3),
  negative: z.boolean().default(false).describe('allow backward shifts'),
});
export type CaesarConfig = z.output<typeof CaesarConfig>;

export const LEVELS: Partial<CaesarConfig>[] = [
  { minLength: 3, maxLength: 5, maxShift: 3 },
  { minLength: 5, maxLength: 8, maxShift: 13 },
  { minLength: 8, maxLength: 16, maxShift: 25, negative: true },
  { minLength: 16, maxLength: 32, maxShift: 25, negative: true },
];

export function shift(text: string, by: number): string {
  return text.replace(/[a-z]/g, (c) => LOWER[(((c.charCodeAt(0) - 97 + by) % 26) + 26) % 26]);
}

export function generate(rng: Rng, cfg: CaesarConfig): Generated {
  const text = randomString(rng, LOWER, rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength)));
  const by = rng.intBetween(1, cfg.maxShift) * (cfg.negative && rng.int(2) ? -1 : 1);
  return { prompt: `rot${by}:${text}`, answer: shift(text, by), meta: { shift: by } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: CaesarConfig) => 7 + 2 * Math.max(cfg.minLength, cfg.maxLength);

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: 'Caesar-shift letters by a given amount',
    config: CaesarConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
