/**
 * `lm`: pre-training. Random windows of a corpus, weight 1 on every next token (nanoGPT's get_batch), or on
 * the answers only for a corpus of demonstrations that asks for it (functions with `loss: answers`).
 */
import type { Engine } from '../../model/engine.js';
import { corpusWindow, targetWeights, type Corpus, type CorpusSplit } from '../../text/corpus.js';
import type { Rng } from '../../util/rng.js';
import type { Scalars } from '../metrics.js';
import type { Objective, StepContext, StepOutcome, WeightedBatch } from '../objective.js';

export class LmObjective implements Objective {
  readonly name = 'lm';

  constructor(
    private readonly corpus: Corpus,
    private readonly batchSize: number,
    private readonly blockSize: number,
    private readonly evalIters: number,
  ) {}

  /** B windows of blockSize + 1 tokens: tokens [B, T+1], weights [B, T] (all 1, or 1 on answers only: text/corpus.ts targetWeights). */
  private batch(split: CorpusSplit, rng: Rng): WeightedBatch {
    const B = this.batchSize;
    const T = this.blockSize;
    const tokens = new Int32Array(B * (T + 1));
    for (let b = 0; b < B; b++) tokens.set(corpusWindow(this.corpus, split, T, rng), b * (T + 1));
    const row = targetWeights(this.corpus, T);
    const weights = new Float32Array(B * T);
    for (let b = 0; b < B; b++) weights.set(row, b * T);
    return { tokens, weights, B, T };
  }

  step(ctx: StepContext): StepOutcome {
    const batch = this.batch('train', ctx.rng);
    const { loss } = ctx.update(batch);
    return { scalars: { 'train/loss': loss }, tokens: batch.B * batch.T, episodes: batch.B };
  }

  /** Mean loss over evalIters batches of each split (nanoGPT's estimate_loss); unseen genres too where the corpus has them. */
  evaluate(engine: Engine, rng: Rng): Scalars {
    const out: Scalars = {};
    for (const split of ['train', 'val'] as const) out[`eval/${split}_loss`] = this.estimateLoss(engine, split, rng);
    if (this.corpus.unseen) out['eval/unseen_loss'] = this.estimateLoss(engine, 'unseen', rng);
    return out;
  }

  /** One split's estimate: the mean of evalIters random batches' mean loss. */
  estimateLoss(engine: Engine, split: CorpusSplit, rng: Rng): number {
    let sum = 0;
    for (let i = 0; i < this.evalIters; i++) {
      const { tokens, weights, B, T } = this.batch(split, rng);
      const lp = engine.logprobs(tokens, B, T); // [B, T]
      let s = 0;
      let w = 0;
      for (let j = 0; j < lp.length; j++) {
        s -= weights[j] * lp[j];
        w += weights[j];
      }
      sum += s / w;
    }
    return sum / this.evalIters;
  }
}

/**
 * The mean loss over a whole split, with no sampling noise: the split cut into consecutive windows of
 * `blockSize` targets (every token but the first is predicted once, from up to blockSize tokens of context).
 * nanoGPT's estimate averages `evalIters` random batches instead; at 20 batches its standard deviation on
 * Shakespeare is about 0.015 nats, so two runs can differ by more than any engine difference.
 */
export function splitLoss(engine: Engine, corpus: Corpus, split: CorpusSplit, blockSize: number, rowsPerCall = 32): number {
  const data = corpus[split];
  if (!data) throw new Error(`corpus ${corpus.name} has no ${split} split`);
  if (corpus.documentLength) return documentsLoss(engine, data, corpus.documentLength, blockSize, rowsPerCall);
  const T = blockSize;
  let sum = 0;
  let count = 0;
  for (let start = 0; start + 1 < data.length; start += T * rowsPerCall) {
    // Rows of T + 1 tokens overlapping by one, [B, T+1]; the last row may be shorter and is scored alone.
    const rows: Uint8Array[] = [];
    for (let r = start; r + 1 < data.length && rows.length < rowsPerCall; r += T) rows.push(data.subarray(r, Math.min(r + T + 1, data.length)));
    const full = rows.filter((row) => row.length === T + 1);
    for (const group of [full, rows.filter((row) => row.length < T + 1)]) {
      if (group.length === 0) continue;
      const t = group[0].length - 1;
      const tokens = new Int32Array(group.length * (t + 1));
      group.forEach((row, b) => tokens.set(row, b * (t + 1)));
      const lp = engine.logprobs(tokens, group.length, t);
      for (let i = 0; i < lp.length; i++) sum -= lp[i];
      count += lp.length;
    }
  }
  return sum / count;
}
/** A corpus of documents: every document's first window of blockSize targets, as training sees them. */
function documentsLoss(engine: Engine, data: Uint8Array, documentLength: number, blockSize: number, rowsPerCall: number): number {
  const T = Math.min(blockSize, documentLength - 1);
  const documents = data.length / documentLength;
  let sum = 0;
  for (let first = 0; first < documents; first += rowsPerCall) {
    const B = Math.min(rowsPerCall, documents - first);
    const tokens = new Int32Array(B * (T + 1)); // [B, T+1]
    for (let b = 0; b < B; b++) tokens.set(data.subarray((first + b) * documentLength, (first + b) * documentLength + T + 1), b * (T + 1));
    const lp = engine.logprobs(tokens, B, T); // [B, T]
    for (let i = 0; i < lp.length; i++) sum -= lp[i];
  }
  return sum / (documents * T);
}
