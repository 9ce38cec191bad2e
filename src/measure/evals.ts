/**
 * What an evaluation produces: one row per number, with real columns for what the number is about, so no
 * reader takes a string apart.
 *
 *   suite   which evaluation made it: splits | passAtK | iclCurve | contextLoss | genreLoss | manyShot (a study file's `kind`)
 *   split   which instances: train | test | heldout (held-out families)
 *   stage   the earlier stage whose model was measured (`stage: N` in the study file); null: the final model
 *   family, domain   per family, with `*` aggregates (all families of a domain; every domain)
 *   metric  score | exact | pass@k | greedy_pass@1 | loss
 *   x       the knob of a curve (the number of demonstrations k); null for a single value
 *
 * Pure: no Node imports, so the dashboard can read rows in the browser.
 */

export type Suite = 'splits' | 'passAtK' | 'iclCurve' | 'contextLoss' | 'genreLoss' | 'manyShot';

export interface EvalRecord {
  step: number;
  suite: Suite;
  split: string;
  stage: string | null;
  family: string;
  domain: string;
  metric: string;
  x: number | null;
  value: number;
  /** Instances the value averages over. */
  n: number;
}

export const ALL = '*';

/** The columns that say what a row measures; two rows with the same key at one step measure the same thing. */
export type EvalKey = Pick<EvalRecord, 'suite' | 'split' | 'stage' | 'family' | 'domain' | 'metric' | 'x'>;

/**
 * Reads the packed strings that run stores of schema 1 (and study files written for them) used for these
 * columns: split `pass@k:test@warm-start` is suite passAtK, split test, stage warm-start; split `icl-curve`
 * with metric `score|k=4` is suite iclCurve on test-split rules, metric score, x 4. The one place that knows
 * the old format: the store's migration and the study schema (for `measure: { eval: { split } }`) call it.
 */
export function fromPackedColumns(packedSplit: string, packedMetric: string): Pick<EvalRecord, 'suite' | 'split' | 'stage' | 'metric' | 'x'> {
  const at = packedSplit.indexOf('@', packedSplit.startsWith('pass@k:') ? 'pass@k:'.length : 0);
  const stage = at < 0 ? null : packedSplit.slice(at + 1);
  const head = at < 0 ? packedSplit : packedSplit.slice(0, at);
  const curve = /^(.+)\|(\w+)=(-?[\d.e+]+)$/.exec(packedMetric);
  const metric = curve ? curve[1] : packedMetric;
  const x = curve ? Number(curve[3]) : null;
  if (head.startsWith('pass@k:')) return { suite: 'passAtK', split: head.slice('pass@k:'.length), stage, metric, x };
  if (head === 'icl-curve') return { suite: 'iclCurve', split: 'test', stage, metric, x };
  if (head === 'context-loss') return { suite: 'contextLoss', split: 'test', stage, metric, x };
  if (head === 'genre-loss') return { suite: 'genreLoss', split: 'unseen', stage, metric, x };
  if (head === 'many-shot') return { suite: 'manyShot', split: 'unseen', stage, metric, x };
  return { suite: 'splits', split: head, stage, metric, x };
}

/** The inverse of fromPackedColumns: a row's columns as study files may name them (`pass@k:test@warm-start`, `score|k=4`). */
export function toPackedColumns(key: Pick<EvalRecord, 'suite' | 'split' | 'stage' | 'metric' | 'x'>): { split: string; metric: string } {
  const head = { splits: key.split, passAtK: `pass@k:${key.split}`, iclCurve: 'icl-curve', contextLoss: 'context-loss', genreLoss: 'genre-loss', manyShot: 'many-shot' }[key.suite];
  return { split: key.stage === null ? head : `${head}@${key.stage}`, metric: key.x === null ? key.metric : `${key.metric}|k=${key.x}` };
}
