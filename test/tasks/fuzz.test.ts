/**
 * "You can't break it": random configs within each schema's own bounds either are rejected with an error that
 * names the family and field, or generate instances whose reference scores 1 within the declared length; a
 * generator may also refuse an impossible combination, naming the family. It never hangs or crashes.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { listFamilies } from '../../src/tasks/index.js';
import { makeInstance, resolveConfig } from '../../src/tasks/split.js';
import { Rng } from '../../src/util/rng.js';

type AnySchema = z.ZodType & { def: { type: string; innerType?: AnySchema; in?: AnySchema; element?: AnySchema; entries?: Record<string, string> }; minValue?: number | null; maxValue?: number | null };

/** A random value for a config field, drawn within its schema's bounds; undefined for kinds left at default. */
function randomValue(schema: AnySchema, rng: Rng): unknown {
  let s = schema;
  while (['default', 'optional', 'pipe'].includes(s.def.type)) s = (s.def.innerType ?? s.def.in)!;
  switch (s.def.type) {
    case 'number':
      return rng.intBetween(Math.ceil(s.minValue ?? 0), Math.floor(Math.min(s.maxValue ?? 100, 1000)));
    case 'boolean':
      return rng.int(2) === 1;
    case 'union': // pool sizes
      return rng.int(2) ? 'infinity' : rng.intBetween(1, 50);
    case 'array': {
      const options = Object.values(s.def.element!.def.entries ?? {});
      return options.length ? rng.shuffle([...options]).slice(0, 1 + rng.int(options.length)) : undefined;
    }
    default:
      return undefined;
  }
}

describe('random configs', () => {
  for (const family of listFamilies().filter((f) => !f.name.startsWith('user/'))) {
    it(`${family.name} handles any config its schema allows`, () => {
      const shape = (family.config as unknown as { shape: Record<string, AnySchema> }).shape;
      const rng = new Rng(`fuzz|${family.name}`);
      for (let trial = 0; trial < 12; trial++) {
        const overrides: Record<string, unknown> = {};
        for (const [field, schema] of Object.entries(shape)) {
          const value = rng.int(2) ? randomValue(schema, rng) : undefined;
          if (value !== undefined) overrides[field] = value;
        }
        const level = 1 + rng.int(family.levels.length);
        let config;
        try {
          config = resolveConfig(family, level, overrides);
        } catch (err) {
          expect((err as Error).message).toMatch(new RegExp(`^${family.name} config: \\w+: `));
          continue;
        }
        try {
          for (let index = 0; index < 4; index++) {
            for (const split of ['train', 'test'] as const) {
              const inst = makeInstance(family, { split, seed: trial, index, config });
              expect(family.score(inst.answer, inst), JSON.stringify(overrides)).toBe(1);
              expect(inst.prompt.length + inst.answer.length).toBeLessThanOrEqual(family.maxLength(config));
            }
          }
        } catch (err) {
          expect((err as Error).message, JSON.stringify(overrides)).toMatch(new RegExp(`^${family.name}: `));
        }
      }
    });
  }
});
