/** text/sort — sort a string's characters: `sort:hello` -> `ehllo`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/sort';

export const SortConfig = z.object({
  minLength: z.number().int().min(1).max(100).default(3),
  maxLength: z.number().int().min(1).max(100).default(5),
  descending: z.boolean().default(false).describe('also ask for z-to-a order (`sort-:`)'),
});
export type SortConfig = z.output<typeof SortConfig>;

export const LEVELS: Partial<SortConfig>[] = [
  { minLength: 3, maxLength: 5 },
  { minLength: 6, maxLength: 10 },
  { minLength: 8, maxLength: 16, descending: true },
  { minLength: 17, maxLength: 32, descending: true },
];

export function generate(rng: Rng, cfg: SortConfig): Generated {
  const text = randomString(rng, LOWER, rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength)));
  const down = cfg.descending && rng.int(2) === 1;
  const sorted = [...text].sort();
  if (down) sorted.reverse();
  return { prompt: `sort${down ? '-' : ''}:${text}`, answer: sorted.join(''), meta: { descending: down } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: SortConfig) => 6 + 2 * Math.max(cfg.minLength, cfg.maxLength);

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: "sort a string's characters",
    config: SortConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
