/**
 * What every in-context family shares: an episode draws a hidden rule, shows k demonstrations `input>output`
 * separated by `;`, then a query `input>` whose output is the answer: `ab>ba;cd>dc;ef>` -> `fe`.
 *
 * Two knobs make these families the instruments of claims 3 and 4:
 * - `poolSize` (M): training episodes draw their rule from a pool of M training rules (Raventos et al. 2023's
 *   task diversity); Infinity draws a fresh rule every episode. Test episodes always draw fresh rules whose keys
 *   hash into test, so they were never in any pool.
 * - `k`: demonstrations per episode, so the same family measures accuracy against the number of examples.
 * An instance's canonical key is its rule's key: a rule is a train rule or a test rule, never both.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import type { Generated, SplitContext } from '../family.js';
import { drawItem, poolSizeSchema } from '../pool.js';

/** Config fields every icl family has; spread into each family's schema. */
export const iclFields = {
  k: z.number().int().min(0).max(64).default(4).describe('demonstrations shown before the query'),
  poolSize: poolSizeSchema.default(Infinity).describe('distinct training rules (Infinity: a fresh rule each episode)'),
  poolSeed: z.number().int().min(0).default(0).describe('which rules make up the pool'),
};
export interface IclConfig {
  k: number;
  poolSize: number;
  poolSeed: number;
}

export interface Example {
  input: string;
  output: string;
}

/** One in-context family's rules: how to draw one, name it, and show it. */
export interface RuleSpec<R, C extends IclConfig> {
  family: string;
  draw(rng: Rng, cfg: C): R;
  key(rule: R): string;
  /** k demonstrations, drawn one after another so that fewer demonstrations are a prefix of more. */
  demos(rng: Rng, rule: R, cfg: C): Example[];
  /** The query; each family decides what makes it answerable from the demonstrations. */
  query(rng: Rng, rule: R, demos: Example[], cfg: C): Example;
  /** The config fields that change which rules exist (not k or the pool), for caching pools. */
  ruleConfig(cfg: C): unknown;
}

export const DEMO_SEPARATOR = ';';

export function formatEpisode(demos: Example[], query: Example): Generated['prompt'] {
  return [...demos.map((d) => `${d.input}>${d.output}`), `${query.input}>`].join(DEMO_SEPARATOR);
}

/**
 * An episode: a rule from the pool (or fresh), its demonstrations and the query. The rule, the demonstrations
 * and the query each get their own fork of `rng` (a fixed 4 draws each), so for one (seed, index) changing k keeps
 * the rule and the first demonstrations: accuracy-against-k curves compare like with like.
 */
export function generateEpisode<R, C extends IclConfig>(spec: RuleSpec<R, C>, rng: Rng, cfg: C, split: SplitContext): Generated {
  const [ruleRng, demoRng, queryRng] = [rng.fork(), rng.fork(), rng.fork()];
  const rule = drawItem(
    {
      family: spec.family,
      size: cfg.poolSize,
      poolSeed: cfg.poolSeed,
      configKey: JSON.stringify(spec.ruleConfig(cfg)),
      draw: (r) => spec.draw(r, cfg),
      keyOf: spec.key,
    },
    ruleRng,
    split,
  );
  const demos = spec.demos(demoRng, rule, cfg);
  const query = spec.query(queryRng, rule, demos, cfg);
  return { prompt: formatEpisode(demos, query), answer: query.output, meta: { rule: spec.key(rule), k: demos.length } };
}

/** The canonical key of an episode is its rule's key, recorded in meta by generateEpisode. */
export const ruleKey = (g: Generated) => String(g.meta.rule);
