/**
 * Task instances as token sequences, and the sampling of completions: the pieces every task objective
 * (sft, rft, rl, mix) and the evaluation share.
 *
 *   prompt sequence:   BOS prompt SEP
 *   training sequence: BOS prompt SEP answer EOS   (weight on the answer tokens and EOS)
 */
import type { Engine } from '../model/engine.js';
import { generate } from '../model/generate.js';
import type { Instance, Split } from '../tasks/family.js';
import { decodeAnswer, encodeInstance, encodePrompt } from '../tasks/sequence.js';
import { EOS } from '../text/vocab.js';
import type { Rng } from '../util/rng.js';

/** Where task instances come from and how they are scored: a task mix, seen by the trainer. */
export interface TaskSource {
  /** The next training instance, drawn with `rng`. */
  next(rng: Rng): Instance;
  /** An instance of the given split, for evaluation. */
  draw(rng: Rng, split: Split): Instance;
  /** The verifier's reward in [0, 1]. */
  score(output: string, instance: Instance): number;
  /** The longest answer (in characters) any instance of this source can have. */
  maxAnswerLength(): number;
  /** Training feedback: the score of a sampled answer to a training instance (drives an accuracy curriculum). */
  learn?(instance: Instance, score: number): void;
  /** Tells the source the stage's step (drives a step curriculum). */
  setStep?(step: number): void;
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** A sequence with weight 1 on the completion (answer and EOS) and 0 on the prompt. */
export interface Episode {
  tokens: number[];
  /** weights[t] scores tokens[t + 1]; length tokens.length - 1. */
  weights: number[];
  /** Index in tokens of the first completion token. */
  completionStart: number;
}

export function episodeOf(prompt: number[], completion: number[]): Episode {
  const tokens = [...prompt, ...completion];
  const weights = tokens.slice(1).map((_, t) => (t + 1 >= prompt.length ? 1 : 0));
  return { tokens, weights, completionStart: prompt.length };
}

/** The reference demonstration of an instance: BOS prompt SEP answer EOS. */
export function demonstration(instance: Instance, contextLength: number): Episode {
  const { tokens, answerStart } = encodeInstance(instance);
  const ep = episodeOf(tokens.slice(0, answerStart), tokens.slice(answerStart));
  if (ep.tokens.length > contextLength + 1) {
    throw new Error(
      `${instance.family}: an instance needs ${ep.tokens.length - 1} tokens of context, the model has ${contextLength}: ` +
        `raise model.contextLength or lower the difficulty`,
    );
  }
  return ep;
}

/** The text of a sampled completion: everything before EOS (a completion cut short has none). */
export const completionText = decodeAnswer;

export interface SampleSettings {
  temperature: number;
  topK: number;
  maxNewTokens?: number;
}

/** Samples `perPrompt` completions for each instance (rows grouped by instance); stops at EOS. */
export function sampleCompletions(engine: Engine, instances: Instance[], perPrompt: number, sampling: SampleSettings, maxAnswer: number, rng: Rng): { prompts: number[][]; completions: number[][] } {
  const prompts: number[][] = [];
  for (const inst of instances) {
    const p = encodePrompt(inst);
    for (let g = 0; g < perPrompt; g++) prompts.push(p);
  }
  // Room for the longest answer and its EOS, unless the stage says otherwise.
  const maxNewTokens = sampling.maxNewTokens ?? maxAnswer + 1;
  const completions = generate(engine, prompts, { maxNewTokens, temperature: sampling.temperature, topK: sampling.topK, stopToken: EOS }, rng);
  return { prompts, completions };
}
