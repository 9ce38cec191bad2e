/**
 * Adaptation without new weights, measured two ways on fresh rules of an in-context family (test-split rules
 * under the recipe's salt and test fraction, never in any training pool):
 * - the ICL curve: greedy score against the number of demonstrations k. Each episode index keeps its rule and
 *   the first demonstrations as k grows (icl/episode.ts), so the curve compares like with like;
 * - the answer's loss against k: the same query, later and later in the context as demonstrations are added.
 * k values whose episodes do not fit the model's context are skipped (and so missing from the curves).
 */
import type { Engine } from '../model/engine.js';
import { getFamily } from '../tasks/registry.js';
import { encodeInstance } from '../tasks/sequence.js';
import { scoreGreedy } from '../rollout/sample.js';
import type { TasksSpecLike } from '../rollout/source.js';
import type { EvalRecord } from './records.js';
import { drawInstances, entryName, familySource } from './task-scores.js';
import { mean } from '../stats/stats.js';

type Entry = TasksSpecLike['families'][number];
/** The recipe's split settings: with another salt or test fraction, other rules are test rules. */
export type SplitSettings = Pick<TasksSpecLike, 'testFraction' | 'salt'>;

function withK(entry: Entry, k: number): Entry {
  const e = typeof entry === 'string' ? { family: entry, weight: 1, levels: [1], config: {} } : entry;
  return { ...e, config: { ...e.config, k } };
}

/** `n` test episodes with k demonstrations, under the recipe's split; the same seed gives the same rules at every k. */
export function iclEpisodes(entry: Entry, k: number, n: number, split: SplitSettings, seed: string) {
  return drawInstances(familySource(withK(entry, k), split), 'test', n, seed);
}

export function evaluateIclCurve(engine: Engine, entry: Entry, ks: readonly number[], n: number, step: number, split: SplitSettings = {}): EvalRecord[] {
  const name = entryName(entry);
  const domain = getFamily(name).domain;
  const rows: EvalRecord[] = [];
  for (const k of ks) {
    const source = familySource(withK(entry, k), split);
    // The same seed for every k: instance i has the same rule and demonstration stream at every k.
    const instances = drawInstances(source, 'test', n, `continuum-icl-curve|${name}`);
    if (instances.some((inst) => encodeInstance(inst).tokens.length - 1 > engine.config.contextLength)) continue;
    const scores = scoreGreedy(engine, source, instances);
    const value = mean(scores);
    rows.push({ step, suite: 'iclCurve', split: 'test', stage: null, family: name, domain, metric: 'score', x: k, value, n });
  }
  return rows;
}

/**
 * Mean -log p of the answer's characters (teacher-forced) with k demonstrations before it, for each k. Training
 * puts loss on answers only, so the answer is where a model's use of its context shows: the loss of the same
 * query falling as demonstrations are added (late minus early, iclScore) is in-context learning.
 */
export function evaluateContextLoss(engine: Engine, entry: Entry, ks: readonly number[], n: number, step: number, split: SplitSettings = {}): EvalRecord[] {
  const name = entryName(entry);
  const domain = getFamily(name).domain;
  const rows: EvalRecord[] = [];
  for (const k of ks) {
    const instances = iclEpisodes(entry, k, n, split, `continuum-context-loss|${name}`);
    const sequences = instances.map((inst) => encodeInstance(inst));
    if (sequences.some((seq) => seq.tokens.length - 1 > engine.config.contextLength)) continue;
    let sum = 0;
    let count = 0;
    for (const { tokens, answerStart } of sequences) {
      const logp = engine.logprobs(Int32Array.from(tokens), 1, tokens.length - 1); // [1, T]: log p(tokens[t + 1])
      // Answer characters are tokens answerStart .. length - 2 (the last token is EOS).
      for (let t = answerStart; t < tokens.length - 1; t++) {
        sum -= logp[t - 1];
        count++;
      }
    }
    rows.push({ step, suite: 'contextLoss', split: 'test', stage: null, family: name, domain, metric: 'loss', x: k, value: sum / count, n });
  }
  return rows;
}
