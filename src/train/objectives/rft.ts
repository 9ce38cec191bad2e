/**
 * `rft`: rejection-sampling fine-tuning (expert iteration). Sample k completions per prompt, keep those the
 * verifier scores at or above the threshold, and train on them with weight 1, as if they were demonstrations.
 */
import { episodeOf, weightedTokens } from '../../rollout/episodes.js';
import { rollOut, type RolloutSampling } from '../../rollout/sample.js';
import type { TaskSource } from '../../rollout/source.js';
import type { Instance } from '../../tasks/family.js';
import { packSequences, type Objective, type StepContext, type StepOutcome } from '../objective.js';
import type { TaskEvaluator } from './task-eval.js';
import { mean } from '../../stats/stats.js';

export class RftObjective implements Objective {
  readonly name = 'rft';
  saveState = () => this.source.saveState?.() ?? null;
  loadState = (state: unknown) => this.source.loadState?.(state);

  constructor(
    private readonly source: TaskSource,
    private readonly batchSize: number,
    private readonly samples: number,
    private readonly threshold: number,
    private readonly sampling: RolloutSampling,
    readonly evaluate?: TaskEvaluator,
  ) {}

  step(ctx: StepContext): StepOutcome {
    this.source.setStep?.(ctx.stageStep);
    const k = this.samples;
    const instances: Instance[] = Array.from({ length: this.batchSize }, () => this.source.next(ctx.rng));
    const { prompts, completions, scores } = rollOut(ctx.engine, this.source, instances, k, this.sampling, ctx.sampleRng);
    scores.forEach((s, i) => this.source.learn?.(instances[Math.floor(i / k)], s));
    const kept = completions.map((_, i) => i).filter((i) => scores[i] >= this.threshold && completions[i].length > 0);
    const scalars: Record<string, number> = {
      'rft/pass_rate': scores.filter((s) => s >= this.threshold).length / scores.length,
      'rft/score_mean': mean(scores),
      'rft/kept': kept.length,
    };
    if (kept.length === 0) return { scalars, tokens: 0, episodes: this.batchSize };
    const episodes = kept.map((i) => episodeOf(prompts[i], completions[i]));
    const { loss } = ctx.update(packSequences(episodes));
    scalars['train/loss'] = loss;
    return { scalars, tokens: weightedTokens(episodes), episodes: this.batchSize };
  }
}
