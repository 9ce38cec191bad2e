/** math/count — how many numbers in a list exceed a threshold: `>4:3,8,1,9` -> `2`. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/count';

export const CountConfig = z.object({
  length: z.number().int().min(1).max(40).default(4).describe('numbers in the list'),
  maxNumber: z.number().int().min(1).max(999).default(9),
  relations: z.array(z.enum(['>', '<', '='])).min(1).default(['>']).describe('the relation counted'),
});
export type CountConfig = z.output<typeof CountConfig>;

export const LEVELS: Partial<CountConfig>[] = [
  { length: 4, maxNumber: 9, relations: ['>'] },
  { length: 8, maxNumber: 9, relations: ['>', '<', '='] },
  { length: 12, maxNumber: 99, relations: ['>', '<', '='] },
  { length: 20, maxNumber: 99, relations: ['>', '<', '='] },
];

export function generate(rng: Rng, cfg: CountConfig): Generated {
  const list = Array.from({ length: cfg.length }, () => rng.intBetween(0, cfg.maxNumber));
  const relation = rng.pick(cfg.relations);
  // For '=' pick the threshold from the list most of the time, so counts of 0 are not the rule.
  const t = relation === '=' && rng.int(4) > 0 ? rng.pick(list) : rng.intBetween(0, cfg.maxNumber);
  const count = list.filter((v) => (relation === '>' ? v > t : relation === '<' ? v < t : v === t)).length;
  return { prompt: `${relation}${t}:${list.join(',')}`, answer: String(count), meta: { relation, t } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: CountConfig) => {
  const width = String(cfg.maxNumber).length;
  return 2 + width + cfg.length * (width + 1) + String(cfg.length).length;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'count the numbers in a list above, below or equal to a threshold',
    config: CountConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
