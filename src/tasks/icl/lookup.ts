/**
 * icl/lookup — a hidden table from letters to numbers; the demonstrations list k of its entries and the query
 * asks one of them again: `c>7;a>2;d>5;a>` -> `2`. The answer is in the context: this is retrieval, and with a
 * small rule pool it is also memorizable, which is what the pool-size knob probes. Split by the set of entries
 * shown (entriesKey).
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, type Generated, type SplitContext } from '../family.js';
import { registerFamily } from '../registry.js';
import { ICL_CHECK_CONFIGS, generateEpisode, iclFields, ruleKey, type RuleSpec } from './episode.js';

export const NAME = 'icl/lookup';

export const LookupConfig = z.object({
  ...iclFields,
  keys: z.number().int().min(1).max(26).default(4).describe('entries in the table'),
  maxValue: z.number().int().min(1).max(999).default(9),
});
export type LookupConfig = z.output<typeof LookupConfig>;

export const LEVELS: Partial<LookupConfig>[] = [
  { keys: 4, k: 3, maxValue: 9 },
  { keys: 8, k: 6, maxValue: 9 },
  { keys: 12, k: 10, maxValue: 99 },
  { keys: 20, k: 16, maxValue: 99 },
];

/**
 * The entries a prompt shows, as a set: `a>3,c>7`. Two prompts that show the same entries (in any order, any
 * repeats) are the same problem for this key, so a test prompt never equals a training prompt, while every
 * single entry (a key with a value) still appears in training: a new table is a new combination of entries,
 * not a new format (an episode keyed by its first entry would open with a pair training never opens with).
 */
const entriesKey = (entries: { input: string; output: string }[]) =>
  [...new Set(entries.map((e) => `${e.input}>${e.output}`))].sort().join(',');

/** The table's values, one per key a, b, c, ... */
type Table = number[];

const example = (table: Table, i: number) => ({ input: LOWER[i], output: String(table[i]) });

const spec: RuleSpec<Table, LookupConfig> = {
  family: NAME,
  draw: (rng, cfg) => Array.from({ length: cfg.keys }, () => rng.intBetween(0, cfg.maxValue)),
  // A table's key is its entries as a set, the same string as the key of an episode showing every entry, so a
  // test table's full episodes are test episodes.
  key: (table) => entriesKey(table.map((_, i) => example(table, i))),
  ruleConfig: (cfg) => [cfg.keys, cfg.maxValue],
  demos(rng, table, cfg) {
    // Distinct keys while there are enough, then repeats.
    const order = rng.shuffle(Array.from({ length: cfg.keys }, (_, i) => i));
    return Array.from({ length: cfg.k }, (_, i) => example(table, order[i % cfg.keys]));
  },
  query(rng, table, demos, cfg) {
    // A key that was shown; with k = 0 any key, to measure the prior.
    if (demos.length === 0) return example(table, rng.int(cfg.keys));
    return rng.pick(demos);
  },
  shownKey: (demos) => entriesKey(demos),
};

export const generate = (rng: Rng, cfg: LookupConfig, _index: number, split: SplitContext): Generated =>
  generateEpisode(spec, rng, cfg, split);

export const score = exactScore;
export const key = ruleKey;
export const maxLength = (cfg: LookupConfig) => (cfg.k + 1) * (String(cfg.maxValue).length + 3) + String(cfg.maxValue).length;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'icl',
    description: 'recall a value from a hidden table shown by k entries',
    config: LookupConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
    ruleBreadth: (cfg) => cfg.poolSize,
    checkConfigs: ICL_CHECK_CONFIGS,
  }),
);
