/**
 * Rollouts: completions sampled from a model for task instances, scored by the source's verifier. Training
 * (rl, rft) learns from them; evaluation (greedy accuracy, pass@k) counts them. Both stand on this file, so
 * neither imports the other.
 */
import type { Engine } from '../model/engine.js';
import { generate } from '../model/generate.js';
import type { Instance } from '../tasks/family.js';
import { encodePrompt } from '../tasks/sequence.js';
import { EOS } from '../text/vocab.js';
import { Rng } from '../util/rng.js';
import { completionText } from './episodes.js';
import type { TaskSource } from './source.js';

/** How a stage samples completions (the recipe's `sampling:`); maxNewTokens defaults to the longest answer + EOS. */
export interface RolloutSampling {
  temperature: number;
  topK: number;
  maxNewTokens?: number;
}

export interface Rollouts {
  /** One prompt per completion, [N * perPrompt], grouped by instance. */
  prompts: number[][];
  completions: number[][];
  /** The verifier's score of each completion, in [0, 1]. */
  scores: number[];
}

/** Samples `perPrompt` completions for each instance (rows grouped by instance); each stops at EOS. */
export function sampleCompletions(engine: Engine, instances: readonly Instance[], perPrompt: number, sampling: RolloutSampling, maxAnswer: number, rng: Rng): { prompts: number[][]; completions: number[][] } {
  const prompts: number[][] = [];
  for (const inst of instances) {
    const p = encodePrompt(inst);
    for (let g = 0; g < perPrompt; g++) prompts.push(p);
  }
  const maxNewTokens = sampling.maxNewTokens ?? maxAnswer + 1;
  const completions = generate(engine, prompts, { maxNewTokens, temperature: sampling.temperature, topK: sampling.topK, stopToken: EOS }, rng);
  return { prompts, completions };
}

/** Samples `perPrompt` completions for each instance and scores each against its instance. */
export function rollOut(engine: Engine, source: TaskSource, instances: readonly Instance[], perPrompt: number, sampling: RolloutSampling, rng: Rng): Rollouts {
  const { prompts, completions } = sampleCompletions(engine, instances, perPrompt, sampling, source.maxAnswerLength(), rng);
  const scores = completions.map((c, i) => source.score(completionText(c), instances[Math.floor(i / perPrompt)]));
  return { prompts, completions, scores };
}

/** Greedy scores of `instances`, generated in batches of 64 (the longest answer + EOS bounds each completion). */
export function scoreGreedy(engine: Engine, source: TaskSource, instances: readonly Instance[]): number[] {
  const out: number[] = [];
  const chunk = 64;
  for (let i = 0; i < instances.length; i += chunk) {
    const { scores } = rollOut(engine, source, instances.slice(i, i + chunk), 1, { temperature: 0, topK: 0 }, new Rng(0));
    out.push(...scores);
  }
  return out;
}
