/**
 * Instances and the split that cannot leak. An instance's split is a hash of (salt, family, canonical key),
 * never of the seed, so a test problem is a test problem whatever seeds or runs produced it.
 */
import { Rng, hashString } from '../util/rng.js';
import { checkConfigKeys } from './config-keys.js';
import type { Config, Generated, Instance, Split, SplitContext, TaskFamily } from './family.js';

export const DEFAULT_SALT = 'continuum-split-v1';
export const DEFAULT_TEST_FRACTION = 0.1;
/** Draws allowed to find an instance of the wanted split before the family is declared too small. */
export const MAX_SPLIT_DRAWS = 2000;

export interface SplitOptions {
  /** Changing the salt reshuffles which problems are test problems. */
  salt?: string;
  /** Share of the problem space held out for test, in (0, 1). */
  testFraction?: number;
}

/** murmur3's finalizer: spreads FNV-1a's bits so the top bits of near-identical keys are unrelated. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The split of a canonical key: test when its hash falls in the lowest `testFraction` of the 32-bit range. */
export function splitOf(family: string, key: string, options: SplitOptions = {}): Split {
  const fraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${fraction}`);
  const h = mix32(hashString(`${options.salt ?? DEFAULT_SALT}\u0000${family}\u0000${key}`));
  return h / 4294967296 < fraction ? 'test' : 'train';
}

/** The split context handed to a family's generator. */
export function splitContext(family: string, want: Split, options: SplitOptions = {}): SplitContext {
  return {
    want,
    of: (key) => splitOf(family, key, options),
    id: `${options.salt ?? DEFAULT_SALT}|${options.testFraction ?? DEFAULT_TEST_FRACTION}`,
  };
}

/**
 * A family's full config at a difficulty level (1 = easiest) with overrides on top, validated.
 * Errors name the family, the field and what it accepts.
 */
export function resolveConfig(family: TaskFamily, difficulty: number | null = 1, overrides: Config = {}): Config {
  let base: Config = {};
  if (difficulty !== null) {
    if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > family.levels.length) {
      throw new Error(`${family.name}: difficulty must be an integer from 1 to ${family.levels.length}, got ${difficulty}`);
    }
    base = family.levels[difficulty - 1];
  }
  checkConfigKeys(family, overrides);
  const result = family.config.safeParse({ ...base, ...overrides });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${family.name} config: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

export interface InstanceRequest extends SplitOptions {
  split: Split;
  seed: number;
  index: number;
  /** 1 = easiest; ignored when `config` is given. */
  difficulty?: number;
  /** A full config (from resolveConfig); otherwise the difficulty level's. */
  config?: Config;
}

/**
 * The `index`-th instance of `split` for `seed`: deterministic in (family, config, seed, index, split, salt).
 * Draws until the canonical key hashes into the wanted split.
 */
export function makeInstance(family: TaskFamily, request: InstanceRequest): Instance {
  const difficulty = request.config ? null : (request.difficulty ?? 1);
  const config = request.config ?? resolveConfig(family, difficulty);
  const rng = new Rng(`${family.name}|${request.seed}|${request.index}|${request.split}`);
  const context = splitContext(family.name, request.split, request);
  for (let draw = 0; draw < MAX_SPLIT_DRAWS; draw++) {
    const generated = family.generate(rng, config, request.index, context);
    const key = family.key(generated);
    if (splitOf(family.name, key, request) === request.split) {
      return { family: family.name, ...generated, key, split: request.split, difficulty };
    }
  }
  throw new Error(
    `${family.name}: no ${request.split} instance in ${MAX_SPLIT_DRAWS} draws` +
      (difficulty ? ` at difficulty ${difficulty}` : '') +
      `; its problem space is too small for this test fraction: raise the difficulty or the test fraction`,
  );
}

/** Recomputes an instance's key and split, e.g. to check that stored data did not leak. */
export function splitOfInstance(family: TaskFamily, generated: Generated, options: SplitOptions = {}): Split {
  return splitOf(family.name, family.key(generated), options);
}
