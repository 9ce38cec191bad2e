/**
 * Loss by position on documents of genres never trained on (text/markov.ts), beside the two reference learners:
 * the Bayes-optimal in-context bigram and the in-context unigram. A model that infers the chain from the document
 * itself follows the Bayes curve down as the position grows; one that only learned its training genres stays
 * flat, and one that only counts letters follows the unigram curve.
 * Rows: suite genreLoss, split unseen, metric loss | bayes | unigram, x = the position of the predicted letter
 * (letters of context before it: 1, 2, 4, ... and T, log-spaced as the plot draws them), and the mean over all
 * positions 1..T with x null; family and domain are `*`.
 */
import type { Engine } from '../model/engine.js';
import { documentTokens, referenceLosses, unseenDocuments, type MarkovSpec } from '../text/markov.js';
import { ALL, type EvalRecord } from './records.js';
import { mean } from '../stats/stats.js';

type Curve = 'loss' | 'bayes' | 'unigram';

/** Per-position loss of the model [T] on `docs`, each scored on its first T + 1 letters. */
function modelLosses(engine: Engine, docs: readonly Uint8Array[], T: number): Float64Array {
  const sums = new Float64Array(T);
  const rowsPerCall = 32;
  for (let first = 0; first < docs.length; first += rowsPerCall) {
    const group = docs.slice(first, first + rowsPerCall);
    const tokens = new Int32Array(group.length * (T + 1)); // [B, T+1]
    group.forEach((doc, b) => tokens.set(documentTokens(doc.subarray(0, T + 1)), b * (T + 1)));
    const lp = engine.logprobs(tokens, group.length, T); // [B, T]: log p(letter t + 1 | letters 0..t)
    for (let b = 0; b < group.length; b++) for (let t = 0; t < T; t++) sums[t] -= lp[b * T + t];
  }
  return sums.map((s) => s / docs.length);
}

/** The same [T] for a reference learner: position t + 1 of each document. */
function referenceCurve(docs: readonly Uint8Array[], T: number, spec: Pick<MarkovSpec, 'alphabet' | 'concentration'>): Record<'bayes' | 'unigram', Float64Array> {
  const bayes = new Float64Array(T);
  const unigram = new Float64Array(T);
  for (const doc of docs) {
    const ref = referenceLosses(doc.subarray(0, T + 1), spec.alphabet, spec.concentration);
    for (let t = 0; t < T; t++) {
      bayes[t] += ref.bayes[t + 1] / docs.length;
      unigram[t] += ref.unigram[t + 1] / docs.length;
    }
  }
  return { bayes, unigram };
}

/** The positions a curve is stored at: powers of two up to T, and T itself. */
export function genrePositions(T: number): number[] {
  const xs: number[] = [];
  for (let x = 1; x < T; x *= 2) xs.push(x);
  return [...xs, T];
}

export function evaluateGenreLoss(engine: Engine, spec: MarkovSpec, n: number, blockSize: number, step: number): EvalRecord[] {
  const T = Math.min(blockSize, spec.documentLength - 1, engine.config.contextLength);
  const docs = unseenDocuments({ ...spec, unseenDocuments: n });
  const curves: Record<Curve, Float64Array> = { loss: modelLosses(engine, docs, T), ...referenceCurve(docs, T, spec) };
  const row = (metric: Curve, x: number | null, value: number): EvalRecord => ({
    step,
    suite: 'genreLoss',
    split: 'unseen',
    stage: null,
    family: ALL,
    domain: ALL,
    metric,
    x,
    value,
    n,
  });
  return (Object.keys(curves) as Curve[]).flatMap((metric) => {
    const c = curves[metric];
    return [row(metric, null, mean(c)), ...genrePositions(T).map((x) => row(metric, x, c[x - 1]))];
  });
}
