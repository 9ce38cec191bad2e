/**
 * What a task family is. Every family file (src/tasks/<domain>/<name>.ts) reads in the same order:
 * name, config schema with defaults, difficulty levels, generate, score, canonical key, max length, registration.
 */
import type { z } from 'zod';
import type { Rng } from '../util/rng.js';

export const DOMAINS = ['math', 'code', 'logic', 'text', 'icl', 'world', 'user'] as const;
export type Domain = (typeof DOMAINS)[number];

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/** What a generator returns: the text the model sees, the reference answer, and facts for analysis. */
export interface Generated {
  prompt: string;
  answer: string;
  meta: Record<string, unknown>;
}

/** One generated problem, with where it came from and which split its canonical key puts it in. */
export interface Instance extends Generated {
  family: string;
  /** Canonical key: two instances with the same key are the same problem, whatever their seeds. */
  key: string;
  split: Split;
  /** The difficulty level it was generated at (1 = easiest), or null for an explicit config. */
  difficulty: number | null;
}

export type Config = Record<string, unknown>;

/** What a generator may know about the split being sampled. */
export interface SplitContext {
  /** The split wanted. */
  want: Split;
  /** The split a canonical key falls in, under the caller's salt and test fraction. */
  of(key: string): Split;
  /** Identifies the salt and test fraction, for caching pools built with `of`. */
  id: string;
}

/**
 * A task family. Methods (not function-valued fields) so a TaskFamily<AddConfig> is usable where a
 * TaskFamily<Config> is expected, as in the registry.
 */
export interface TaskFamily<C extends Config = Config> {
  readonly name: string;
  readonly domain: Domain;
  /** One line for `tasks list`. */
  readonly description: string;
  /** Zod schema: parses overrides into a full config, filling defaults. */
  readonly config: z.ZodType<C, any>;
  /** Difficulty levels 1..n, easiest first, as overrides of the config defaults. */
  readonly levels: readonly Partial<C>[];
  /**
   * One instance, deterministic in (rng, config, index, split). Most families ignore `split`: the caller draws
   * until the key hashes into the wanted split. Families that train on a finite pool of rules or levels
   * (icl, world) use it to draw training items from the pool and test items fresh.
   */
  generate(rng: Rng, config: C, index: number, split: SplitContext): Generated;
  /** Reward in [0, 1] for a model's answer text. Must never throw, whatever `output` is. */
  score(output: string, instance: Generated): number;
  /** Canonical key of a generated instance; the split is a hash of it. */
  key(instance: Generated): string;
  /** The most characters prompt + answer can have under `config`. */
  maxLength(config: C): number;
  /** For icl and world families: how many distinct rules or levels training can see (Infinity = unbounded). */
  ruleBreadth?(config: C): number;
  /**
   * Configs beyond the levels (overrides on level 1) that the universal split check also covers: the corners
   * where a leak would hide, e.g. an in-context family with a single demonstration.
   */
  readonly checkConfigs?: readonly Partial<C>[];
}

/** Checks what every family shares (3+ levels) and infers the config type, so a family file states it once. */
export function defineFamily<C extends Config>(family: TaskFamily<C>): TaskFamily<C> {
  if (family.levels.length < 3) throw new Error(`${family.name}: needs at least 3 difficulty levels`);
  return family;
}

// ---- scoring helpers shared by families -------------------------------------------------------------

/** Answers are compared without surrounding whitespace; inside an answer every character counts. */
export function normalize(output: string): string {
  return output.trim();
}

/** 1 when the output is exactly the reference answer (ignoring surrounding whitespace), else 0. */
export function exactScore(output: string, instance: Generated): number {
  return normalize(output) === instance.answer ? 1 : 0;
}

/** Most draws a generator makes before deciding that its config cannot produce an instance. */
export const MAX_TRIES = 10_000;

/**
 * Calls `attempt` until it returns an instance. Generators draw and reject (an ambiguous program, a long answer);
 * when a config makes every draw fail, this says which family and what to change instead of looping forever.
 */
export function retry<T>(family: string, attempt: () => T | undefined, fix: string): T {
  for (let i = 0; i < MAX_TRIES; i++) {
    const result = attempt();
    if (result !== undefined) return result;
  }
  throw new Error(`${family}: no acceptable instance in ${MAX_TRIES} draws with this config; ${fix}`);
}

// ---- small generators shared by families ------------------------------------------------------------

/** A uniform integer with exactly `digits` digits (0..9 for one digit). */
export function randomDigits(rng: Rng, digits: number): number {
  if (digits <= 1) return rng.int(10);
  return rng.intBetween(10 ** (digits - 1), 10 ** digits - 1);
}

/** A random string of `length` characters drawn from `alphabet`. */
export function randomString(rng: Rng, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
