/**
 * icl/cipher — a hidden substitution cipher over the first few letters, shown by k word pairs:
 * `ab>ca;ba>ac;aa>` -> `cc`. Every letter of the query occurs in some demonstration, so it is always decodable.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated, type SplitContext } from '../family.js';
import { registerFamily } from '../registry.js';
import { ICL_CHECK_CONFIGS, generateEpisode, iclFields, ruleKey, type Example, type RuleSpec } from './episode.js';

export const NAME = 'icl/cipher';

export const CipherConfig = z.object({
  ...iclFields,
  alphabet: z.number().int().min(2).max(26).default(5).describe('letters the cipher permutes'),
  wordLength: z.number().int().min(1).max(12).default(2),
});
export type CipherConfig = z.output<typeof CipherConfig>;

export const LEVELS: Partial<CipherConfig>[] = [
  { alphabet: 5, wordLength: 2, k: 4 },
  { alphabet: 6, wordLength: 3, k: 5 },
  { alphabet: 8, wordLength: 4, k: 6 },
  { alphabet: 10, wordLength: 5, k: 10 },
];

/** A cipher is the image of each plain letter: `cab` maps a->c, b->a, c->b. */
type Cipher = string;

const example = (cipher: Cipher, word: string): Example => ({
  input: word,
  output: [...word].map((c) => cipher[c.charCodeAt(0) - 97]).join(''),
});

const spec: RuleSpec<Cipher, CipherConfig> = {
  family: NAME,
  draw: (rng, cfg) => rng.shuffle([...LOWER.slice(0, cfg.alphabet)]).join(''),
  key: (cipher) => cipher,
  ruleConfig: (cfg) => [cfg.alphabet],
  demos: (rng, cipher, cfg) =>
    Array.from({ length: cfg.k }, () => example(cipher, randomString(rng, LOWER.slice(0, cfg.alphabet), cfg.wordLength))),
  query(rng, cipher, demos, cfg) {
    // Only letters the demonstrations reveal (any letters when k = 0, to measure the prior).
    const seen = demos.length === 0 ? LOWER.slice(0, cfg.alphabet) : [...new Set(demos.map((d) => d.input).join(''))].join('');
    return example(cipher, randomString(rng, seen, cfg.wordLength));
  },
};

export const generate = (rng: Rng, cfg: CipherConfig, _index: number, split: SplitContext): Generated =>
  generateEpisode(spec, rng, cfg, split);

export const score = exactScore;
export const key = ruleKey;
export const maxLength = (cfg: CipherConfig) => (cfg.k + 1) * (2 * cfg.wordLength + 2) + cfg.wordLength;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'icl',
    description: 'decode with a hidden substitution cipher shown by k examples',
    config: CipherConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
    ruleBreadth: (cfg) => cfg.poolSize,
    checkConfigs: ICL_CHECK_CONFIGS,
  }),
);
