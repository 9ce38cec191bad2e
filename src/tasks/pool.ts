/**
 * Finite pools of training rules or levels: the diversity knob of in-context families (Raventos et al. 2023's
 * pool size M) and of the grid world (procgen's num_levels). Training draws from a pool of `size` train-split
 * items fixed by `poolSeed`; test draws fresh items whose keys hash into test, so they are never in any pool.
 * With size = Infinity every training episode draws a fresh item.
 */
import { z } from 'zod';
import { Rng } from '../util/rng.js';
import type { SplitContext } from './family.js';

/** A pool size in a config: a positive integer, or Infinity / "infinity" for a fresh item every episode. */
export const poolSizeSchema = z
  .union([z.number().int().min(1), z.literal(Infinity), z.literal('infinity')])
  .transform((v) => (v === 'infinity' ? Infinity : v));

export interface PoolSpec<T> {
  family: string;
  size: number;
  poolSeed: number;
  /** Everything in the config that changes which items exist, for caching. */
  configKey: string;
  draw(rng: Rng): T;
  keyOf(item: T): string;
}

const pools = new Map<string, unknown[]>();
/** Pools kept in memory at once; they are rebuilt deterministically when evicted. */
const MAX_CACHED_POOLS = 64;

/** The first `size` distinct train-split items drawn from Rng(poolSeed). */
function buildPool<T>(spec: PoolSpec<T>, split: SplitContext): T[] {
  const rng = new Rng(`${spec.family}|pool|${spec.poolSeed}`);
  const seen = new Set<string>();
  const items: T[] = [];
  let misses = 0;
  while (items.length < spec.size) {
    const item = spec.draw(rng);
    const key = spec.keyOf(item);
    if (seen.has(key) || split.of(key) !== 'train') {
      // The item space is smaller than the pool asked for: say so instead of looping forever.
      if (++misses > 200 + 20 * spec.size) {
        throw new Error(
          `${spec.family}: found only ${items.length} distinct training items, fewer than the pool size ${spec.size}; ` +
            `lower the pool size or raise the difficulty`,
        );
      }
      continue;
    }
    seen.add(key);
    items.push(item);
  }
  return items;
}

/** One item for an episode: from the pool when training on a finite pool, otherwise fresh. */
export function drawItem<T>(spec: PoolSpec<T>, rng: Rng, split: SplitContext): T {
  if (split.want === 'test' || spec.size === Infinity) return spec.draw(rng);
  const cacheKey = `${spec.family}|${spec.configKey}|${spec.size}|${spec.poolSeed}|${split.id}`;
  let pool = pools.get(cacheKey) as T[] | undefined;
  if (!pool) {
    pool = buildPool(spec, split);
    if (pools.size >= MAX_CACHED_POOLS) pools.delete(pools.keys().next().value!);
    pools.set(cacheKey, pool);
  }
  return pool[rng.int(pool.length)];
}
