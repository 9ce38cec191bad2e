/**
 * logic/order — transitive ordering: from shuffled facts `b>c,a>b` answer `a?c` -> `>`. The hidden order is a
 * chain; queries ask about any two of its items, in either direction, so the answer is always determined.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'logic/order';

export const OrderConfig = z.object({
  items: z.number().int().min(3).max(12).default(3).describe('items in the hidden chain'),
  minGap: z.number().int().min(1).max(11).default(2).describe('least chain distance between the two queried items'),
});
export type OrderConfig = z.output<typeof OrderConfig>;

export const LEVELS: Partial<OrderConfig>[] = [
  { items: 3, minGap: 2 },
  { items: 5, minGap: 2 },
  { items: 7, minGap: 3 },
  { items: 10, minGap: 4 },
];

const NAMES = 'abcdefghijklmnopqrstuvwxyz';

export function generate(rng: Rng, cfg: OrderConfig): Generated {
  // chain[0] > chain[1] > ... ; facts are adjacent pairs, written either way round and shuffled.
  const chain = rng.shuffle([...NAMES]).slice(0, cfg.items);
  const facts = chain.slice(1).map((low, i) => (rng.int(2) ? `${chain[i]}>${low}` : `${low}<${chain[i]}`));
  const gap = Math.min(cfg.minGap, cfg.items - 1);
  const i = rng.intBetween(0, cfg.items - 1 - gap);
  const j = rng.intBetween(i + gap, cfg.items - 1);
  const [x, y, answer] = rng.int(2) ? [chain[i], chain[j], '>'] : [chain[j], chain[i], '<'];
  return { prompt: `${rng.shuffle(facts).join(',')}:${x}?${y}`, answer, meta: { gap: j - i } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: OrderConfig) => (cfg.items - 1) * 4 + 4 + 1;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'logic',
    description: 'infer a>c from shuffled facts a>b, b>c (transitive ordering)',
    config: OrderConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
