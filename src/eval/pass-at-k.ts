/**
 * pass@k on a fixed set of problems: `samples` answers sampled per problem at a temperature, c of them
 * correct, pass@k by the unbiased estimator (stats.ts passAtK) for each k; and greedy pass@1 beside it, since
 * RL is claimed to sharpen the greedy answer more than it widens what sampling can reach (Yue et al. 2025).
 */
import type { Engine } from '../model/engine.js';
import type { Instance } from '../tasks/family.js';
import { completionText, sampleCompletions } from '../train/episodes.js';
import { scoreGreedy } from '../train/objectives/task-eval.js';
import type { MixSource } from '../train/task-source.js';
import { Rng } from '../util/rng.js';
import { ALL, type EvalRecord } from './records.js';
import { meanPassAtK } from './stats.js';

export interface PassAtKOptions {
  samples: number;
  ks: readonly number[];
  temperature: number;
  /** The split label the rows are stored under (test or heldout). */
  label: string;
  step: number;
  seed?: number;
}

export function evaluatePassAtK(engine: Engine, source: MixSource, problems: Instance[], o: PassAtKOptions): EvalRecord[] {
  const correct: { n: number; c: number }[] = [];
  const chunk = Math.max(1, Math.floor(256 / o.samples)); // bounded generation batches
  const rng = new Rng(o.seed ?? 0);
  for (let i = 0; i < problems.length; i += chunk) {
    const part = problems.slice(i, i + chunk);
    const { completions } = sampleCompletions(engine, part, o.samples, { temperature: o.temperature, topK: 0 }, source.maxAnswerLength(), rng);
    part.forEach((inst, j) => {
      let c = 0;
      for (let s = 0; s < o.samples; s++) if (source.score(completionText(completions[j * o.samples + s]), inst) >= 1) c++;
      correct.push({ n: o.samples, c });
    });
  }
  const n = problems.length;
  const greedy = scoreGreedy(engine, source, problems).filter((s) => s >= 1).length / n;
  const row = (metric: string, value: number): EvalRecord => ({ step: o.step, split: o.label, family: ALL, domain: ALL, metric, value, n });
  return [row('greedy_pass@1', greedy), ...o.ks.map((k) => row(`pass@${k}`, meanPassAtK(correct, k)))];
}
