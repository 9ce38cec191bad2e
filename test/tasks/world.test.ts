/** world families: simulation-verified move strings, and the num_levels knob. */
import { describe, expect, it } from 'vitest';
import { getFamily } from '../../src/tasks/registry.js';
import type { Instance } from '../../src/tasks/family.js';
import { parseLevel, shortestPath, simulate } from '../../src/tasks/world/gridworld.js';
import { sample, score } from './helpers.js';

const level = (name: string, grid: string): Instance => ({
  family: name, prompt: grid, answer: '', meta: {}, key: grid, split: 'train', difficulty: null,
});

describe('world/reach', () => {
  const grid = level('world/reach', 'S..G/..../.#..');
  it('accepts any wall-free path that ends on G, not only the shortest', () => {
    expect(score(grid, 'RRR')).toBe(1);
    expect(score(grid, 'DRRRU')).toBe(1);
    expect(score(grid, 'RRRDU')).toBe(1);
  });
  it('rejects paths that end elsewhere, leave the grid, hit a wall or use other letters', () => {
    expect(score(grid, 'RR')).toBe(0);
    expect(score(grid, 'RRRL')).toBe(0);
    expect(score(grid, 'URRR')).toBe(0);
    expect(score(grid, 'DDRRRUU')).toBe(0); // (1,2) is a wall
    expect(score(grid, 'rrr')).toBe(0);
    expect(score(grid, 'R'.repeat(5000))).toBe(0);
  });
  it('references are shortest paths, checked by simulation', () => {
    for (const i of sample('world/reach', 4, 100)) {
      const lv = parseLevel(i.prompt);
      const end = simulate(lv, i.answer)!;
      expect(lv.cells[end.at]).toBe('G');
      expect(i.answer.length).toBe(shortestPath(lv, false)!.length);
      expect(i.answer.length).toBeGreaterThanOrEqual(8);
    }
  });
});

describe('world/fetch', () => {
  const grid = level('world/fetch', 'S..G/.K../....');
  it('needs the key before the goal', () => {
    expect(score(grid, 'RRR')).toBe(0);
    expect(score(grid, 'DRURR')).toBe(1);
    expect(score(grid, 'DRRRU')).toBe(1);
  });
  it('references pick up the key and end on G', () => {
    for (const i of sample('world/fetch', 3, 100)) {
      const lv = parseLevel(i.prompt);
      const end = simulate(lv, i.answer)!;
      expect(end.hasKey).toBe(true);
      expect(lv.cells[end.at]).toBe('G');
    }
  });
});

describe('numLevels', () => {
  it('trains on exactly numLevels distinct levels; test levels are never among them', () => {
    const train = new Set(sample('world/reach', 2, 400, { numLevels: 5 }).map((i) => i.prompt));
    expect(train.size).toBe(5);
    const fresh = new Set(sample('world/reach', 2, 200).map((i) => i.prompt));
    expect(fresh.size).toBeGreaterThan(150);
    for (const i of sample('world/reach', 2, 100, { numLevels: 5 }, 'test')) expect(train.has(i.prompt)).toBe(false);
  });
  it('explains impossible worlds instead of looping', () => {
    expect(() => sample('world/reach', 1, 1, { width: 3, height: 3, walls: 6, minDistance: 8 })).toThrow('world/reach: no solvable 3x3 level with 6 walls needing 8+ moves; lower walls or minDistance');
    expect(getFamily('world/fetch').ruleBreadth!({ numLevels: 200 } as never)).toBe(200);
  });
});
