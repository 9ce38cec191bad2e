/**
 * icl/rewrite — a hidden string rewrite "replace every u by v" (left to right, non-overlapping), shown by k
 * examples: `abca>dbcd;aab>ddb;cab>` -> `cdb` (u = a, v = d). Every input contains u at least once.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, retry, type Generated, type SplitContext } from '../family.js';
import { registerFamily } from '../registry.js';
import { ICL_CHECK_CONFIGS, generateEpisode, iclFields, ruleKey, type Example, type RuleSpec } from './episode.js';

export const NAME = 'icl/rewrite';

export const RewriteConfig = z
  .object({
    ...iclFields,
    alphabet: z.number().int().min(2).max(26).default(4).describe('letters inputs are made of'),
    patternLength: z.number().int().min(1).max(4).default(1).describe('length of u'),
    maxReplacement: z.number().int().min(0).max(4).default(2).describe('longest v (0 allows deleting u)'),
    inputLength: z.number().int().min(2).max(16).default(4),
  })
  // Room for at least one letter besides u, so deleting u never leaves every answer empty.
  .refine((c) => c.inputLength > c.patternLength, { message: 'must be longer than patternLength', path: ['inputLength'] });
export type RewriteConfig = z.output<typeof RewriteConfig>;

export const LEVELS: Partial<RewriteConfig>[] = [
  { alphabet: 4, patternLength: 1, maxReplacement: 2, inputLength: 3, k: 3 },
  { alphabet: 4, patternLength: 2, maxReplacement: 1, inputLength: 5, k: 4 },
  { alphabet: 5, patternLength: 2, maxReplacement: 2, inputLength: 6, k: 5 },
  { alphabet: 6, patternLength: 3, maxReplacement: 3, inputLength: 8, k: 8 },
];

interface Rewrite {
  from: string;
  to: string;
}

/** Output letters may come from a wider alphabet than inputs, so v can introduce letters u's inputs lack. */
const outputLetters = (cfg: RewriteConfig) => LOWER.slice(0, Math.min(26, cfg.alphabet + 2));

/** An input with u planted at a random place, so every example shows the rule at work, and its rewrite. */
function example(rng: Rng, r: Rewrite, cfg: RewriteConfig): Example {
  return retry(
    NAME,
    () => {
      const at = rng.int(cfg.inputLength - r.from.length + 1);
      const filler = randomString(rng, LOWER.slice(0, cfg.alphabet), cfg.inputLength - r.from.length);
      const input = filler.slice(0, at) + r.from + filler.slice(at);
      const output = input.split(r.from).join(r.to);
      // Deleting u from an input made only of u leaves nothing; an answer is never empty.
      return output === '' ? undefined : { input, output };
    },
    'use more letters or longer inputs',
  );
}

const spec: RuleSpec<Rewrite, RewriteConfig> = {
  family: NAME,
  draw(rng, cfg) {
    const from = randomString(rng, LOWER.slice(0, cfg.alphabet), cfg.patternLength);
    for (;;) {
      const to = randomString(rng, outputLetters(cfg), rng.intBetween(0, cfg.maxReplacement));
      if (to !== from) return { from, to };
    }
  },
  key: (r) => `${r.from}>${r.to}`,
  ruleConfig: (cfg) => [cfg.alphabet, cfg.patternLength, cfg.maxReplacement],
  demos: (rng, r, cfg) => Array.from({ length: cfg.k }, () => example(rng, r, cfg)),
  query: (rng, r, _demos, cfg) => example(rng, r, cfg),
};

export const generate = (rng: Rng, cfg: RewriteConfig, _index: number, split: SplitContext): Generated =>
  generateEpisode(spec, rng, cfg, split);

export const score = exactScore;
export const key = ruleKey;
/** An output is longest when the input is all copies of u, each replaced by a longest v. */
export const maxLength = (cfg: RewriteConfig) => {
  const input = cfg.inputLength;
  const output = Math.ceil(input / cfg.patternLength) * Math.max(cfg.maxReplacement, cfg.patternLength);
  return (cfg.k + 1) * (input + output + 2) + output;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'icl',
    description: 'apply a hidden string rewrite u->v shown by k examples',
    config: RewriteConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
    ruleBreadth: (cfg) => cfg.poolSize,
    checkConfigs: ICL_CHECK_CONFIGS,
  }),
);
