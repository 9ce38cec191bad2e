/** Small helpers for the family tests. */
import '../../src/tasks/index.js';
import type { Config, Instance, Split } from '../../src/tasks/family.js';
import { getFamily } from '../../src/tasks/registry.js';
import { makeInstance, resolveConfig } from '../../src/tasks/split.js';

/** `n` instances of a family at a difficulty level (or with config overrides on top of it). */
export function sample(name: string, difficulty: number, n: number, overrides: Config = {}, split: Split = 'train', seed = 0): Instance[] {
  const family = getFamily(name);
  const config = resolveConfig(family, difficulty, overrides);
  return Array.from({ length: n }, (_, index) => makeInstance(family, { config, split, seed, index }));
}

/** The family's score of `output` on `instance`. */
export function score(instance: Instance, output: string): number {
  return getFamily(instance.family).score(output, instance);
}

/** Share of items for which `pred` holds. */
export function share<T>(items: T[], pred: (item: T) => boolean): number {
  return items.filter(pred).length / items.length;
}
