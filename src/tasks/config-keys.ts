/**
 * The keys a family's config accepts. Family schemas are plain zod objects, which drop keys they do not know:
 * a misspelled `poolsize` would run with the default poolSize, silently, in every arm of a sweep on it. Overrides
 * are checked here first, and an unknown key is an error that names the family, the key and its known keys.
 */
import { z } from 'zod';
import { closestName } from '../util/names.js';
import type { Config, TaskFamily } from './family.js';

/** The keys of a family's config schema, in the order it declares them; null if the schema is not an object. */
export function configKeys(family: TaskFamily): string[] | null {
  const schema = family.config as unknown;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
}

/** One line per key of `overrides` the family does not have, with a did-you-mean and the keys it has. */
export function unknownConfigKeys(family: TaskFamily, overrides: Config): { key: string; message: string }[] {
  const known = configKeys(family);
  if (!known) return [];
  return Object.keys(overrides)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const near = closestName(key, known);
      const list = known.length ? known.join(', ') : '(none: it takes no config)';
      const message = near
        ? `${family.name} has no config key "${key}": did you mean ${near}? Its keys: ${list}`
        : `${family.name} has no config key "${key}"; its keys: ${list}`;
      return { key, message };
    });
}

/** Throws on the first unknown key (for callers without a field path of their own). */
export function checkConfigKeys(family: TaskFamily, overrides: Config): void {
  const [first] = unknownConfigKeys(family, overrides);
  if (first) throw new Error(first.message);
}
