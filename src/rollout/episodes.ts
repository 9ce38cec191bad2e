/**
 * Task instances as token sequences with per-token weights: what every task objective (sft, rft, rl, mix)
 * trains on, whether the completion is the reference answer or one the model sampled.
 *
 *   prompt sequence:   BOS prompt SEP
 *   training sequence: BOS prompt SEP answer EOS   (weight on the answer tokens and EOS)
 */
import type { Instance } from '../tasks/family.js';
import { decodeAnswer, encodeInstance } from '../tasks/sequence.js';

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

/** Tokens that carry a weight, over all `episodes`: the loss's normalizer. */
export function weightedTokens(episodes: readonly Episode[]): number {
  return episodes.reduce((n, e) => n + e.weights.filter((w) => w !== 0).length, 0);
}

/** The text of a sampled completion: everything before EOS (a completion cut short has none). */
export const completionText = decodeAnswer;
