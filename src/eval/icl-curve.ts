/**
 * Adaptation without new weights, measured two ways on fresh rules of an in-context family (test-split rules,
 * never in any training pool):
 * - the ICL curve: greedy score against the number of demonstrations k. Each episode index keeps its rule and
 *   the first demonstrations as k grows (icl/episode.ts), so the curve compares like with like;
 * - loss by context position: the mean loss of each demonstration's output tokens, by demonstration index. A
 *   model that learns in context predicts later demonstrations better than earlier ones.
 * k values whose episodes do not fit the model's context are skipped (and so missing from the curve).
 */
import type { Engine } from '../model/engine.js';
import { getFamily } from '../tasks/registry.js';
import { encodeInstance } from '../tasks/sequence.js';
import { scoreGreedy } from '../train/objectives/task-eval.js';
import type { TasksSpec } from '../train/recipe.js';
import { curveMetric, type EvalRecord } from './records.js';
import { drawInstances, entryName, familySource } from './task-scores.js';

type Entry = TasksSpec['families'][number];

function withK(entry: Entry, k: number): Entry {
  const e = typeof entry === 'string' ? { family: entry, weight: 1, levels: [1], config: {} } : entry;
  return { ...e, config: { ...e.config, k } };
}

export function evaluateIclCurve(engine: Engine, entry: Entry, ks: readonly number[], n: number, step: number): EvalRecord[] {
  const name = entryName(entry);
  const domain = getFamily(name).domain;
  const rows: EvalRecord[] = [];
  for (const k of ks) {
    const source = familySource(withK(entry, k), {});
    // The same seed for every k: instance i has the same rule and demonstration stream at every k.
    const instances = drawInstances(source, 'test', n, `continuum-icl-curve|${name}`);
    if (instances.some((inst) => encodeInstance(inst).tokens.length - 1 > engine.config.contextLength)) continue;
    const scores = scoreGreedy(engine, source, instances);
    const value = scores.reduce((a, b) => a + b, 0) / n;
    rows.push({ step, split: 'icl-curve', family: name, domain, metric: curveMetric('score', 'k', k), value, n });
  }
  return rows;
}

/** Mean -log p of the output characters of demonstration j (j = 0, 1, ...), over n fresh-rule episodes. */
export function evaluateContextLoss(engine: Engine, entry: Entry, n: number, step: number): EvalRecord[] {
  const name = entryName(entry);
  const source = familySource(entry, {});
  const instances = drawInstances(source, 'test', n, `continuum-context-loss|${name}`);
  const sums: number[] = [];
  const counts: number[] = [];
  for (const inst of instances) {
    const { tokens } = encodeInstance(inst);
    if (tokens.length - 1 > engine.config.contextLength) {
      throw new Error(`contextLoss: ${name} episodes need ${tokens.length - 1} tokens, the model has ${engine.config.contextLength}`);
    }
    const logp = engine.logprobs(Int32Array.from(tokens), 1, tokens.length - 1); // [1, T]: log p(tokens[t + 1])
    // Demonstrations are `input>output` joined by `;`; token t + 1 is prompt character t (after BOS).
    let demo = 0;
    let inOutput = false;
    for (let c = 0; c < inst.prompt.length; c++) {
      const ch = inst.prompt[c];
      if (ch === '>') inOutput = c < inst.prompt.length - 1; // the query's `>` ends the prompt
      else if (ch === ';') {
        inOutput = false;
        demo++;
      } else if (inOutput) {
        sums[demo] = (sums[demo] ?? 0) - logp[c];
        counts[demo] = (counts[demo] ?? 0) + 1;
      }
    }
  }
  const domain = getFamily(name).domain;
  return sums.map((s, j) => ({ step, split: 'context-loss', family: name, domain, metric: curveMetric('loss', 'demo', j), value: s / counts[j], n: counts[j] }));
}
