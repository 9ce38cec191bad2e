/** text/count — how often a character occurs: `count l:hello` -> `2` (0 when absent). */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/count';

export const CountCharConfig = z.object({
  minLength: z.number().int().min(1).max(100).default(3),
  maxLength: z.number().int().min(1).max(100).default(6),
  alphabet: z.number().int().min(2).max(26).default(4).describe('distinct letters the string uses'),
});
export type CountCharConfig = z.output<typeof CountCharConfig>;

export const LEVELS: Partial<CountCharConfig>[] = [
  { minLength: 3, maxLength: 6, alphabet: 4 },
  { minLength: 7, maxLength: 12, alphabet: 5 },
  { minLength: 13, maxLength: 24, alphabet: 6 },
  { minLength: 25, maxLength: 48, alphabet: 8 },
];

export function generate(rng: Rng, cfg: CountCharConfig): Generated {
  const letters = rng.shuffle([...LOWER]).slice(0, cfg.alphabet).join('');
  const text = randomString(rng, letters, rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength)));
  // One time in five ask for a letter the string does not use (when there is one), so that 0 is a real answer.
  const unused = [...LOWER].filter((c) => !letters.includes(c));
  const target = rng.int(5) === 0 && unused.length ? rng.pick(unused) : rng.pick([...letters]);
  const count = [...text].filter((c) => c === target).length;
  return { prompt: `count ${target}:${text}`, answer: String(count), meta: { target } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: CountCharConfig) => {
  const length = Math.max(cfg.minLength, cfg.maxLength);
  return 8 + length + String(length).length;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: 'count occurrences of a character',
    config: CountCharConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
