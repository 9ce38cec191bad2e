/**
 * The grid world both world families play in. A level is a grid written row by row, rows separated by '/':
 * `S.#./..#./....` with S the start, G the goal, K a key, # walls and . floor. A move string of U D L R is
 * simulated from S: stepping into a wall or off the grid ends the episode as a failure.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import type { Generated, SplitContext } from '../family.js';
import { drawItem, poolSizeSchema } from '../pool.js';

export const MOVES = { U: [0, -1], D: [0, 1], L: [-1, 0], R: [1, 0] } as const;
type Move = keyof typeof MOVES;
const MOVE_ORDER = Object.keys(MOVES) as Move[];

/** Config fields both world families share; spread into each family's schema. */
export const worldFields = {
  width: z.number().int().min(2).max(12).default(4),
  height: z.number().int().min(2).max(12).default(4),
  walls: z.number().int().min(0).max(100).default(2).describe('wall cells'),
  minDistance: z.number().int().min(1).max(40).default(2).describe('least number of moves a level needs'),
  numLevels: poolSizeSchema.default(Infinity).describe('distinct training levels (Infinity: a fresh level each episode)'),
  levelSeed: z.number().int().min(0).default(0).describe('which levels make up the training set'),
};
export interface WorldConfig {
  width: number;
  height: number;
  walls: number;
  minDistance: number;
  numLevels: number;
  levelSeed: number;
}

export interface Level {
  width: number;
  height: number;
  /** Row-major cells: '.', '#', 'S', 'G' or 'K'. */
  cells: string[];
}

export const levelText = (level: Level): string =>
  Array.from({ length: level.height }, (_, y) => level.cells.slice(y * level.width, (y + 1) * level.width).join('')).join('/');

export function parseLevel(text: string): Level {
  const rows = text.split('/');
  return { width: rows[0].length, height: rows.length, cells: [...rows.join('')] };
}

/** At least the cells that are not walls: randomLevel keeps every special cell (2 or 3 of them) free. */
export const freeCells = (cfg: WorldConfig) => cfg.width * cfg.height - Math.min(cfg.walls, cfg.width * cfg.height - 3);

/** A random level with the given special cells placed on distinct floor cells. */
export function randomLevel(rng: Rng, cfg: WorldConfig, specials: string[]): Level {
  const size = cfg.width * cfg.height;
  const walls = Math.min(cfg.walls, size - specials.length);
  const order = rng.shuffle(Array.from({ length: size }, (_, i) => i));
  const cells = new Array<string>(size).fill('.');
  specials.forEach((c, i) => (cells[order[i]] = c));
  for (let i = 0; i < walls; i++) cells[order[specials.length + i]] = '#';
  return { width: cfg.width, height: cfg.height, cells };
}

/** Where the moves lead from S, collecting K on the way; null as soon as a move hits a wall or leaves the grid. */
export function simulate(level: Level, moves: string): { at: number; hasKey: boolean } | null {
  let at = level.cells.indexOf('S');
  let hasKey = false;
  if (moves.length > 4 * level.cells.length) return null; // no sensible path is this long
  for (const m of moves) {
    const step = MOVES[m as Move];
    if (!step) return null;
    const x = (at % level.width) + step[0];
    const y = Math.floor(at / level.width) + step[1];
    if (x < 0 || y < 0 || x >= level.width || y >= level.height) return null;
    at = y * level.width + x;
    if (level.cells[at] === '#') return null;
    if (level.cells[at] === 'K') hasKey = true;
  }
  return { at, hasKey };
}

/**
 * A shortest move string from S that ends on G (after visiting K first when `needKey`), or null if none.
 * Breadth-first over (cell, has key) with moves tried in the order U D L R, so the answer is deterministic.
 */
export function shortestPath(level: Level, needKey: boolean): string | null {
  const n = level.cells.length;
  const start = level.cells.indexOf('S');
  const goal = level.cells.indexOf('G');
  const state = (cell: number, key: boolean) => cell + (key ? n : 0);
  const from = new Map<number, [number, Move]>([[state(start, !needKey), [-1, 'U']]]);
  const queue = [state(start, !needKey)];
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi];
    const cell = s % n;
    const key = s >= n;
    if (cell === goal && key) {
      let path = '';
      for (let cur = s; from.get(cur)![0] >= 0; cur = from.get(cur)![0]) path = from.get(cur)![1] + path;
      return path;
    }
    for (const m of MOVE_ORDER) {
      const x = (cell % level.width) + MOVES[m][0];
      const y = Math.floor(cell / level.width) + MOVES[m][1];
      if (x < 0 || y < 0 || x >= level.width || y >= level.height) continue;
      const next = y * level.width + x;
      if (level.cells[next] === '#') continue;
      const ns = state(next, key || level.cells[next] === 'K');
      if (!from.has(ns)) {
        from.set(ns, [s, m]);
        queue.push(ns);
      }
    }
  }
  return null;
}

/** A level the agent can solve in at least `minDistance` moves, with its shortest solution. */
export function solvableLevel(family: string, rng: Rng, cfg: WorldConfig, specials: string[]): { level: Level; path: string } {
  const needKey = specials.includes('K');
  for (let tries = 0; ; tries++) {
    const level = randomLevel(rng, cfg, specials);
    const path = shortestPath(level, needKey);
    if (path !== null && path.length >= cfg.minDistance) return { level, path };
    if (tries > 1000) {
      throw new Error(
        `${family}: no solvable ${cfg.width}x${cfg.height} level with ${cfg.walls} walls needing ${cfg.minDistance}+ moves; ` +
          `lower walls or minDistance`,
      );
    }
  }
}

/**
 * One instance of a grid-world family: a training level from the family's pool of `numLevels` (or a fresh one
 * when unbounded), a test level never in any pool; prompt = the grid, answer = a shortest solution.
 */
export function generateLevel(family: string, rng: Rng, cfg: WorldConfig, split: SplitContext, specials: string[]): Generated {
  const { level, path } = drawItem(
    {
      family,
      size: cfg.numLevels,
      poolSeed: cfg.levelSeed,
      configKey: JSON.stringify([cfg.width, cfg.height, cfg.walls, cfg.minDistance]),
      draw: (r) => solvableLevel(family, r, cfg, specials),
      keyOf: (item) => levelText(item.level),
    },
    rng,
    split,
  );
  return { prompt: levelText(level), answer: path, meta: { moves: path.length } };
}

/** Score of a move string: 1 when it ends on G (holding the key when one is needed), else 0. */
export function scoreMoves(levelString: string, output: string, needKey: boolean): number {
  const level = parseLevel(levelString);
  const end = simulate(level, output.trim());
  return end !== null && level.cells[end.at] === 'G' && (end.hasKey || !needKey) ? 1 : 0;
}
