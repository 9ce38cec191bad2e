/**
 * What every in-context family shares: an episode draws a hidden rule, shows k demonstrations `input>output`
 * separated by `;`, then a query `input>` whose output is the answer: `ab>ba;cd>dc;ef>` -> `fe`.
 *
 * Two knobs make these families the instruments of claims 3 and 4:
 * - `poolSize` (M): training episodes draw their rule from a pool of M training rules (Raventos et al. 2023's
 *   task diversity); Infinity draws a fresh training rule every episode. Test episodes always draw fresh rules
 *   whose keys hash into test, so they were never in any pool.
 * - `k`: demonstrations per episode, so the same family measures accuracy against the number of examples.
 * A rule is a train rule or a test rule, never both. But an episode shows only part of its rule (k entries of a
 * table, the letters its words use), so a test rule's episode can be an episode of some training rule too. The
 * split must hold for what the model sees: an episode's canonical key is its first demonstration, so a test
 * episode opens with a demonstration no training episode opens with, and no test prompt is ever a training
 * prompt. The first demonstration is the same at every k, so curves over k still compare like with like. With
 * k = 0 nothing is shown and the key is the rule's. A family whose prompt is just a set of entries (icl/lookup)
 * keys an episode by that set instead (RuleSpec.shownKey): keyed by its opening, a small table's test episodes
 * would all open with an entry training never opens with, a change of format rather than a new rule. Its
 * curves over k then draw each k's test episodes afresh.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { retry, type Generated, type SplitContext } from '../family.js';
import { drawItem, poolSizeSchema } from '../pool.js';

/** Config fields every icl family has; spread into each family's schema. */
export const iclFields = {
  k: z.number().int().min(0).max(64).default(4).describe('demonstrations shown before the query'),
  poolSize: poolSizeSchema.default(Infinity).describe('distinct training rules (Infinity: a fresh rule each episode)'),
  poolSeed: z.number().int().min(0).default(0).describe('which rules make up the pool'),
};
/**
 * Configs the universal split check covers beyond the levels: one and two demonstrations, where an episode shows
 * least of its rule (the context study trains with k = 1).
 */
export const ICL_CHECK_CONFIGS = [{ k: 1 }, { k: 2 }] as const;

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
  /**
   * Optional: the canonical key of an episode from what its demonstrations show, for families whose shown
   * entries are the whole of what a prompt reveals (a lookup shows a set of entries, in an order that the key
   * ignores). Without it the key is the first demonstration.
   */
  shownKey?(demos: Example[]): string;
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
      draw: (r) => drawRuleOf(spec, r, cfg, split),
      keyOf: spec.key,
    },
    ruleRng,
    split,
  );
  const demos = spec.demos(demoRng, rule, cfg);
  const query = spec.query(queryRng, rule, demos, cfg);
  const opening = demos.length ? `${demos[0].input}>${demos[0].output}` : null;
  const shown = demos.length && spec.shownKey ? spec.shownKey(demos) : null;
  return { prompt: formatEpisode(demos, query), answer: query.output, meta: { rule: spec.key(rule), opening, shown, k: demos.length } };
}

/** A fresh rule of the wanted split (test episodes never draw a training rule, nor training episodes a test rule). */
function drawRuleOf<R, C extends IclConfig>(spec: RuleSpec<R, C>, rng: Rng, cfg: C, split: SplitContext): R {
  return retry(
    spec.family,
    () => {
      const rule = spec.draw(rng, cfg);
      return split.of(spec.key(rule)) === split.want ? rule : undefined;
    },
    'allow more rules (a larger alphabet, more keys or values) or raise the test fraction',
  );
}

/**
 * The canonical key of an episode, from meta recorded by generateEpisode: what its demonstrations show (for a
 * family with shownKey), else its first demonstration (what every k >= 1 shows), or with no demonstration its
 * rule's own key, which the rule was drawn to hash into the split.
 */
export const ruleKey = (g: Generated) => {
  if (g.meta.shown) return String(g.meta.shown);
  return g.meta.opening ? `shows ${String(g.meta.opening)}` : String(g.meta.rule);
};
