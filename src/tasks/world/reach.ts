/**
 * world/reach — walk from S to G in a seeded grid world without touching a wall:
 * `S.#./..#./...G/....` -> `DDRRR` (any wall-free path that ends on G scores 1; the reference is a shortest one).
 * `numLevels` is procgen's num_levels: training sees that many distinct levels, test levels are never among them.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, type Generated, type SplitContext } from '../family.js';
import { registerFamily } from '../registry.js';
import { freeCells, generateLevel, scoreMoves, worldFields } from './gridworld.js';

export const NAME = 'world/reach';

export const ReachConfig = z.object({ ...worldFields });
export type ReachConfig = z.output<typeof ReachConfig>;

export const LEVELS: Partial<ReachConfig>[] = [
  { width: 4, height: 4, walls: 2, minDistance: 2 },
  { width: 5, height: 5, walls: 5, minDistance: 4 },
  { width: 7, height: 7, walls: 12, minDistance: 6 },
  { width: 9, height: 9, walls: 24, minDistance: 8 },
];

export const generate = (rng: Rng, cfg: ReachConfig, _index: number, split: SplitContext): Generated =>
  generateLevel(NAME, rng, cfg, split, ['S', 'G']);

export const score = (output: string, instance: Generated) => scoreMoves(instance.prompt, output, false);
/** A level is its grid. */
export const key = (g: Generated) => g.prompt;
/** The grid with separators, and a shortest path, which visits each free cell at most once. */
export const maxLength = (cfg: ReachConfig) => cfg.height * (cfg.width + 1) - 1 + freeCells(cfg) - 1;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'world',
    description: 'give moves (UDLR) from S to G around walls; checked by simulation',
    config: ReachConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
    ruleBreadth: (cfg) => cfg.numLevels,
  }),
);
