/**
 * From instances to token sequences, the one place where tasks meet the vocabulary:
 *   training sequence  BOS prompt SEP answer EOS   (SFT puts weight on answer tokens and EOS)
 *   sampling prompt    BOS prompt SEP              (the model continues with its answer, then EOS)
 */
import { BOS, EOS, SEP, decode, encode } from '../text/vocab.js';
import type { Generated } from './family.js';

export interface TrainingSequence {
  tokens: number[];
  /** Index in `tokens` of the first answer token; positions answerStart..tokens.length-1 are answer + EOS. */
  answerStart: number;
}

/** BOS + prompt + SEP + answer + EOS, and where the answer starts. */
export function encodeInstance(instance: Pick<Generated, 'prompt' | 'answer'>): TrainingSequence {
  const prompt = encodePrompt(instance);
  return { tokens: [...prompt, ...encode(instance.answer, 'answer'), EOS], answerStart: prompt.length };
}

/** BOS + prompt + SEP: what the model is given when it must produce the answer itself. */
export function encodePrompt(instance: Pick<Generated, 'prompt'>): number[] {
  return [BOS, ...encode(instance.prompt, 'prompt'), SEP];
}

/**
 * Per-position loss weights for next-token training on `tokens[0..n-2] -> tokens[1..n-1]`: weight[t] is the
 * weight of predicting tokens[t + 1], 1 for answer tokens and EOS, 0 for the prompt.
 */
export function answerWeights(sequence: TrainingSequence): Float32Array {
  const weights = new Float32Array(sequence.tokens.length - 1);
  weights.fill(1, sequence.answerStart - 1);
  return weights;
}

/** The answer text in sampled tokens (those after SEP): everything before the first EOS. */
export function decodeAnswer(sampled: ArrayLike<number>): string {
  const ids = Array.from(sampled);
  const end = ids.indexOf(EOS);
  return decode(end < 0 ? ids : ids.slice(0, end));
}

/** Tokens a family needs for its longest instance: prompt + answer chars plus BOS, SEP and EOS. */
export function sequenceLength(maxChars: number): number {
  return maxChars + 3;
}
