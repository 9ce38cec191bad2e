/** text/dedup — keep the first occurrence of each character: `dedup:abacb` -> `abc`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/dedup';

export const DedupConfig = z.object({
  minLength: z.number().int().min(1).max(100).default(4),
  maxLength: z.number().int().min(1).max(100).default(6),
  alphabet: z.number().int().min(2).max(26).default(4).describe('distinct letters drawn from: fewer means more repeats'),
});
export type DedupConfig = z.output<typeof DedupConfig>;

export const LEVELS: Partial<DedupConfig>[] = [
  { minLength: 4, maxLength: 6, alphabet: 4 },
  { minLength: 7, maxLength: 12, alphabet: 6 },
  { minLength: 13, maxLength: 24, alphabet: 10 },
  { minLength: 25, maxLength: 40, alphabet: 16 },
];

export function generate(rng: Rng, cfg: DedupConfig): Generated {
  const letters = rng.shuffle([...LOWER]).slice(0, cfg.alphabet).join('');
  const text = randomString(rng, letters, rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength)));
  return { prompt: `dedup:${text}`, answer: [...new Set(text)].join(''), meta: { length: text.length } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: DedupConfig) => 6 + Math.max(cfg.minLength, cfg.maxLength) + cfg.alphabet;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: 'remove repeated characters, keeping first occurrences',
    config: DedupConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
