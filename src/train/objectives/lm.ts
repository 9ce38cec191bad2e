/**
 * `lm`: pre-training. Random windows of a corpus, weight 1 on every next token (nanoGPT's get_batch).
 */
import type { Engine } from '../../model/engine.js';
import { corpusWindow, type Corpus } from '../../text/corpus.js';
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

  /** B windows of blockSize + 1 tokens: tokens [B, T+1], weights [B, T] all 1. */
  private batch(split: 'train' | 'val', rng: Rng): WeightedBatch {
    const B = this.batchSize;
    const T = this.blockSize;
    const tokens = new Int32Array(B * (T + 1));
    for (let b = 0; b < B; b++) tokens.set(corpusWindow(this.corpus, split, T, rng), b * (T + 1));
    return { tokens, weights: new Float32Array(B * T).fill(1), B, T };
  }

  step(ctx: StepContext): StepOutcome {
    const batch = this.batch('train', ctx.rng);
    const { loss } = ctx.update(batch);
    return { scalars: { 'train/loss': loss }, tokens: batch.B * batch.T, episodes: batch.B };
  }

  /** Mean loss over evalIters batches of each split (nanoGPT's estimate_loss). */
  evaluate(engine: Engine, rng: Rng): Scalars {
    const out: Scalars = {};
    for (const split of ['train', 'val'] as const) {
      let sum = 0;
      for (let i = 0; i < this.evalIters; i++) {
        const { tokens, B, T } = this.batch(split, rng);
        const lp = engine.logprobs(tokens, B, T);
        let s = 0;
        for (let j = 0; j < lp.length; j++) s -= lp[j];
        sum += s / lp.length;
      }
      out[`eval/${split}_loss`] = sum / this.evalIters;
    }
    return out;
  }
}
