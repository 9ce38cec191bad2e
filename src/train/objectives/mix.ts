/**
 * `mix`: the continuum knob. A fraction rlFraction of each step's prompts trains with `rl`, the rest with
 * `sft` on the same task mix: loss = (1 - f) * sft loss + f * rl loss, each part normalised by its own
 * tokens. At f = 0 and f = 1 it is exactly `sft` and exactly `rl` (it delegates, consuming the random
 * streams the same way), so the endpoints of the continuum are the objectives themselves.
 */
import { weightedTokens } from '../../rollout/episodes.js';
import { packSequences, stackBatches, type Objective, type StepContext, type StepOutcome } from '../objective.js';
import type { RlObjective } from './rl.js';
import type { SftObjective } from './sft.js';
import type { TaskEvaluator } from './task-eval.js';

export class MixObjective implements Objective {
  readonly name = 'mix';
  saveState = () => this.sft.saveState();
  loadState = (state: unknown) => this.sft.loadState(state);

  constructor(
    private readonly sft: SftObjective,
    private readonly rl: RlObjective,
    private readonly rlFraction: number,
    private readonly batchSize: number,
    readonly evaluate?: TaskEvaluator,
  ) {}

  step(ctx: StepContext): StepOutcome {
    const f = this.rlFraction;
    if (f <= 0) return this.sft.step(ctx);
    if (f >= 1) return this.rl.step(ctx);
    this.sft.setStep(ctx.stageStep);
    const rlPrompts = Math.max(1, Math.min(this.batchSize - 1, Math.round(this.batchSize * f)));
    const sftCount = this.batchSize - rlPrompts;
    const sftEpisodes = this.sft.episodes(ctx.rng, sftCount);
    const sftBatch = packSequences(sftEpisodes);
    const sftTokens = weightedTokens(sftEpisodes);
    // Scale the sft part so it contributes (1 - f) * its mean token loss.
    const scaled = { ...sftBatch, weights: sftBatch.weights.map((w) => (w * (1 - f)) / sftTokens) };
    const rollout = this.rl.rollout(ctx.engine, ctx.rng, ctx.sampleRng, rlPrompts);
    if (!rollout) {
      const { loss } = ctx.update({ ...scaled, normalizer: 1 });
      return { scalars: { ...this.rl.emptyScalars(), 'train/loss': loss, 'mix/rl_fraction': f }, tokens: sftTokens, episodes: this.batchSize };
    }
    const rlScale = f / rollout.completionTokens;
    const packing = { pack: (rlWeights: Float32Array) => stackBatches(scaled, rollout.batch, rlWeights, rlScale), rowsBefore: scaled.B };
    const scalars = this.rl.train(ctx, rollout, packing);
    return {
      scalars: { ...rollout.scalars, ...scalars, 'mix/rl_fraction': f },
      tokens: sftTokens + rollout.completionTokens,
      episodes: this.batchSize,
    };
  }
}
