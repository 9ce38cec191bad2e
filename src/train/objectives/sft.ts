/**
 * `sft`: supervised fine-tuning on reference answers. Weight 1 on the answer tokens and EOS, 0 on the prompt.
 */
import { demonstration, weightedTokens, type Episode } from '../../rollout/episodes.js';
import type { TaskSource } from '../../rollout/source.js';
import { packSequences, type Objective, type StepContext, type StepOutcome } from '../objective.js';
import type { Rng } from '../../util/rng.js';
import type { TaskEvaluator } from './task-eval.js';

export class SftObjective implements Objective {
  readonly name = 'sft';
  saveState = () => this.source.saveState?.() ?? null;
  loadState = (state: unknown) => this.source.loadState?.(state);

  constructor(
    private readonly source: TaskSource,
    private readonly batchSize: number,
    private readonly contextLength: number,
    readonly evaluate?: TaskEvaluator,
  ) {}

  setStep(step: number): void {
    this.source.setStep?.(step);
  }

  /** `count` demonstrations drawn from the task mix with the stage's data stream. */
  episodes(rng: Rng, count: number): Episode[] {
    return Array.from({ length: count }, () => demonstration(this.source.next(rng), this.contextLength));
  }

  step(ctx: StepContext): StepOutcome {
    this.source.setStep?.(ctx.stageStep);
    const episodes = this.episodes(ctx.rng, this.batchSize);
    const batch = packSequences(episodes);
    const { loss } = ctx.update(batch);
    return { scalars: { 'train/loss': loss }, tokens: weightedTokens(episodes), episodes: episodes.length };
  }
}
