/** text/reverse — reverse a string: `rev:hello` -> `olleh`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/reverse';

export const ReverseConfig = z.object({
  minLength: z.number().int().min(1).max(100).default(3),
  maxLength: z.number().int().min(1).max(100).default(5),
});
export type ReverseConfig = z.output<typeof ReverseConfig>;

export const LEVELS: Partial<ReverseConfig>[] = [
  { minLength: 3, maxLength: 5 },
  { minLength: 6, maxLength: 10 },
  { minLength: 11, maxLength: 20 },
  { minLength: 21, maxLength: 40 },
];

export function generate(rng: Rng, cfg: ReverseConfig): Generated {
  const text = randomString(rng, LOWER, rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength)));
  return { prompt: `rev:${text}`, answer: [...text].reverse().join(''), meta: { length: text.length } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: ReverseConfig) => 4 + 2 * Math.max(cfg.minLength, cfg.maxLength);

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: 'reverse a string',
    config: ReverseConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
