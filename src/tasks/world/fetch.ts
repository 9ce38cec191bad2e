/**
 * world/fetch — pick up the key K, then walk to the goal G, without touching a wall:
 * `S.K./.##./...G` -> `RRDDR`. Checked by simulation; the reference is a shortest path. Same level knobs as
 * world/reach, including numLevels.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, type Generated, type SplitContext } from '../family.js';
import { registerFamily } from '../registry.js';
import { freeCells, generateLevel, scoreMoves, worldFields } from './gridworld.js';

export const NAME = 'world/fetch';

export const FetchConfig = z.object({ ...worldFields });
export type FetchConfig = z.output<typeof FetchConfig>;

export const LEVELS: Partial<FetchConfig>[] = [
  { width: 4, height: 4, walls: 2, minDistance: 3 },
  { width: 5, height: 5, walls: 5, minDistance: 5 },
  { width: 7, height: 7, walls: 12, minDistance: 8 },
  { width: 9, height: 9, walls: 24, minDistance: 10 },
];

export const generate = (rng: Rng, cfg: FetchConfig, _index: number, split: SplitContext): Generated =>
  generateLevel(NAME, rng, cfg, split, ['S', 'G', 'K']);

export const score = (output: string, instance: Generated) => scoreMoves(instance.prompt, output, true);
export const key = (g: Generated) => g.prompt;
/** The grid with separators, and two shortest legs (to K, then to G), each visiting a free cell at most once. */
export const maxLength = (cfg: FetchConfig) => cfg.height * (cfg.width + 1) - 1 + 2 * (freeCells(cfg) - 1);

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'world',
    description: 'fetch the key K, then reach G (moves UDLR); checked by simulation',
    config: FetchConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
    ruleBreadth: (cfg) => cfg.numLevels,
  }),
);
