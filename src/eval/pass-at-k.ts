/**
 * pass@k on a fixed set of problems: `samples` answers sampled per problem at a temperature, c of them
 * correct, pass@k by the unbiased estimator (stats.ts passAtK) for each k; and greedy pass@1 beside it, since
 * RL is claimed to sharpen the greedy answer more than it widens what sampling can reach (Yue et al. 2025).
 */
import type { Engine } from '../model/engine.js';
import { rollOut, scoreGreedy } from '../rollout/sample.js';
import type { TaskSource } from '../rollout/source.js';
import type { Instance } from '../tasks/family.js';
import { Rng } from '../util/rng.js';
import { ALL, type EvalRecord } from './records.js';
import { meanPassAtK } from '../stats/stats.js';

export interface PassAtKOptions {
  samples: number;
  ks: readonly number[];
  temperature: number;
  /** Which problems: test-split instances of the training families, or held-out families. */
  split: 'test' | 'heldout';
  step: number;
  seed?: number;
}

export function evaluatePassAtK(engine: Engine, source: TaskSource, problems: Instance[], o: PassAtKOptions): EvalRecord[] {
  const correct: { n: number; c: number }[] = [];
  const chunk = Math.max(1, Math.floor(256 / o.samples)); // bounded generation batches
  const rng = new Rng(o.seed ?? 0);
  for (let i = 0; i < problems.length; i += chunk) {
    const part = problems.slice(i, i + chunk);
    const { scores } = rollOut(engine, source, part, o.samples, { temperature: o.temperature, topK: 0 }, rng);
    part.forEach((_, j) => {
      const c = scores.slice(j * o.samples, (j + 1) * o.samples).filter((s) => s >= 1).length;
      correct.push({ n: o.samples, c });
    });
  }
  const n = problems.length;
  const greedy = scoreGreedy(engine, source, problems).filter((s) => s >= 1).length / n;
  const row = (metric: string, value: number): EvalRecord => ({ step: o.step, suite: 'passAtK', split: o.split, stage: null, family: ALL, domain: ALL, metric, x: null, value, n });
  return [row('greedy_pass@1', greedy), ...o.ks.map((k) => row(`pass@${k}`, meanPassAtK(correct, k)))];
}
