/**
 * `rft`: rejection-sampling fine-tuning (expert iteration). Sample k completions per prompt, keep those the
 * verifier scores at or above the threshold, and train on them with weight 1, as if they were demonstrations.
 */
import { completionText, episodeOf, sampleCompletions, type SampleSettings, type TaskSource } from '../episodes.js';
import { packSequences, type Objective, type StepContext, type StepOutcome } from '../objective.js';
import type { Instance } from '../../tasks/family.js';
import type { TaskEvaluator } from './task-eval.js';

export class RftObjective implements Objective {
  readonly name = 'rft';
  saveState = () => this.source.saveState?.() ?? null;
  loadState = (state: unknown) => this.source.loadState?.(state);

  constructor(
    private readonly source: TaskSource,
    private readonly batchSize: number,
    private readonly samples: number,
    private readonly threshold: number,
    private readonly sampling: SampleSettings,
    readonly evaluate?: TaskEvaluator,
  ) {}

  step(ctx: StepContext): StepOutcome {
    this.source.setStep?.(ctx.stageStep);
    const k = this.samples;
    const instances: Instance[] = Array.from({ length: this.batchSize }, () => this.source.next(ctx.rng));
    const { prompts, completions } = sampleCompletions(ctx.engine, instances, k, this.sampling, this.source.maxAnswerLength(), ctx.sampleRng);
    const scores = completions.map((c, i) => this.source.score(completionText(c), instances[Math.floor(i / k)]));
    scores.forEach((s, i) => this.source.learn?.(instances[Math.floor(i / k)], s));
    const kept = completions.map((_, i) => i).filter((i) => scores[i] >= this.threshold && completions[i].length > 0);
    const scalars: Record<string, number> = {
      'rft/pass_rate': scores.filter((s) => s >= this.threshold).length / scores.length,
      'rft/score_mean': scores.reduce((a, b) => a + b, 0) / scores.length,
      'rft/kept': kept.length,
    };
    if (kept.length === 0) return { scalars, tokens: 0, episodes: this.batchSize };
    const episodes = kept.map((i) => episodeOf(prompts[i], completions[i]));
    const { loss } = ctx.update(packSequences(episodes));
    scalars['train/loss'] = loss;
    const tokens = episodes.reduce((n, e) => n + e.weights.filter((w) => w !== 0).length, 0);
    return { scalars, tokens, episodes: this.batchSize };
  }
}
