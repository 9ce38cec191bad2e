/**
 * text/case — change letter case: `up:heLLo` -> `HELLO`, `low:`, `swap:` (invert each letter), and `title:`
 * (capitalize each word, lower the rest).
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/case';

const TRANSFORMS = ['up', 'low', 'swap', 'title'] as const;
type Transform = (typeof TRANSFORMS)[number];

export const CaseConfig = z.object({
  minLength: z.number().int().min(1).max(100).default(3),
  maxLength: z.number().int().min(1).max(100).default(6),
  transforms: z.array(z.enum(TRANSFORMS)).min(1).default(['up', 'low']),
});
export type CaseConfig = z.output<typeof CaseConfig>;

export const LEVELS: Partial<CaseConfig>[] = [
  { minLength: 3, maxLength: 6, transforms: ['up', 'low'] },
  { minLength: 6, maxLength: 12, transforms: ['up', 'low', 'swap'] },
  { minLength: 10, maxLength: 20, transforms: [...TRANSFORMS] },
  { minLength: 20, maxLength: 40, transforms: [...TRANSFORMS] },
];

const MIXED = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function transform(text: string, how: Transform): string {
  switch (how) {
    case 'up': return text.toUpperCase();
    case 'low': return text.toLowerCase();
    case 'swap': return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    case 'title': return text.toLowerCase().replace(/(^|\s)([a-z])/g, (_, space: string, c: string) => space + c.toUpperCase());
  }
}

export function generate(rng: Rng, cfg: CaseConfig): Generated {
  const how = rng.pick(cfg.transforms);
  const length = rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength));
  // Title case needs words: spaces between runs of letters, never at the ends.
  let text = randomString(rng, MIXED, length);
  if (how === 'title' && length >= 3) {
    const chars = [...text];
    for (let i = 1; i < length - 1; i++) if (rng.int(5) === 0 && chars[i - 1] !== ' ') chars[i] = ' ';
    text = chars.join('');
  }
  const answer = transform(text, how);
  return { prompt: `${how}:${text}`, answer, meta: { transform: how } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: CaseConfig) => 6 + 2 * Math.max(cfg.minLength, cfg.maxLength);

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: 'change letter case: upper, lower, swap, title',
    config: CaseConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
