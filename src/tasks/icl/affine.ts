/**
 * icl/affine — a hidden affine map y = (a*x + b) mod p, shown by k pairs: `3>1;4>0;2>` -> `4` (p = 5).
 * Queries are inputs not among the demonstrations, so copying cannot answer them; two demonstrations determine
 * the rule.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated, type SplitContext } from '../family.js';
import { registerFamily } from '../registry.js';
import { ICL_CHECK_CONFIGS, generateEpisode, iclFields, ruleKey, type RuleSpec } from './episode.js';

export const NAME = 'icl/affine';

const PRIMES = [5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

export const AffineConfig = z.object({
  ...iclFields,
  modulus: z
    .number()
    .int()
    .refine((p) => PRIMES.includes(p), { message: `must be a prime from ${PRIMES.join(', ')}` })
    .default(11),
});
export type AffineConfig = z.output<typeof AffineConfig>;

export const LEVELS: Partial<AffineConfig>[] = [
  { modulus: 11, k: 3 },
  { modulus: 13, k: 4 },
  { modulus: 23, k: 6 },
  { modulus: 97, k: 8 },
];

interface Affine {
  a: number;
  b: number;
  p: number;
}

const example = (r: Affine, x: number) => ({ input: String(x), output: String((r.a * x + r.b) % r.p) });

const spec: RuleSpec<Affine, AffineConfig> = {
  family: NAME,
  draw: (rng, cfg) => ({ a: rng.intBetween(1, cfg.modulus - 1), b: rng.int(cfg.modulus), p: cfg.modulus }),
  key: (r) => `${r.a},${r.b},${r.p}`,
  ruleConfig: (cfg) => [cfg.modulus],
  demos(rng, r, cfg) {
    // Distinct inputs while there are enough (they repeat only when k >= p); the query picks one not shown.
    const xs = rng.shuffle(Array.from({ length: r.p }, (_, x) => x));
    return Array.from({ length: cfg.k }, (_, i) => example(r, xs[i % (r.p - 1)]));
  },
  query(rng, r, demos) {
    const shown = new Set(demos.map((d) => Number(d.input)));
    const unseen = Array.from({ length: r.p }, (_, x) => x).filter((x) => !shown.has(x));
    return example(r, rng.pick(unseen));
  },
};

export const generate = (rng: Rng, cfg: AffineConfig, _index: number, split: SplitContext): Generated =>
  generateEpisode(spec, rng, cfg, split);

export const score = exactScore;
export const key = ruleKey;
export const maxLength = (cfg: AffineConfig) => (cfg.k + 1) * (2 * String(cfg.modulus).length + 2) + String(cfg.modulus).length;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'icl',
    description: 'apply a hidden affine map mod p shown by k examples',
    config: AffineConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
    ruleBreadth: (cfg) => cfg.poolSize,
    checkConfigs: ICL_CHECK_CONFIGS,
  }),
);
