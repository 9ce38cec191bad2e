/**
 * The playground's objectives, built from train/'s own: sft, rl and mix are the trainer's classes as they are;
 * lm is next-token training on the same task text, every token of the demonstration weighted 1 (the prompt too),
 * the one point of the continuum a task stream has no class for (train/'s lm objective reads a corpus).
 */
import type { Objective, StepContext, StepOutcome } from '../train/objective.js';
import { packSequences } from '../train/objective.js';
import { MixObjective } from '../train/objectives/mix.js';
import { RlObjective } from '../train/objectives/rl.js';
import { SftObjective } from '../train/objectives/sft.js';
import { defaultRl } from '../train/recipe.js';
import type { MixSource } from '../rollout/source.js';
import type { ObjectiveName } from './settings.js';

/** Completions per prompt for rl: small, so a batch of 32 sequences is 8 prompts and each step stays short. */
export const GROUP_SIZE = 4;

class DemonstrationLm implements Objective {
  readonly name = 'lm';
  constructor(private readonly sft: SftObjective, private readonly batchSize: number) {}

  step(ctx: StepContext): StepOutcome {
    this.sft.setStep(ctx.stageStep);
    const episodes = this.sft.episodes(ctx.rng, this.batchSize).map((e) => ({ ...e, weights: e.weights.map(() => 1) }));
    const batch = packSequences(episodes);
    const { loss } = ctx.update(batch);
    const tokens = episodes.reduce((n, e) => n + e.weights.length, 0);
    return { scalars: { 'train/loss': loss }, tokens, episodes: episodes.length };
  }
}

/** The objective of a run; `batch` counts sequences, so rl and mix sample batch / GROUP_SIZE prompts. */
export function playgroundObjective(name: ObjectiveName, source: MixSource, batch: number, contextLength: number, rlFraction: number): Objective {
  const sft = new SftObjective(source, batch, contextLength);
  const prompts = Math.max(1, Math.round(batch / GROUP_SIZE));
  const rlSettings = { ...defaultRl, groupSize: GROUP_SIZE };
  const rl = new RlObjective(source, prompts, rlSettings, { temperature: 1, topK: 0 }, null);
  switch (name) {
    case 'lm':
      return new DemonstrationLm(sft, batch);
    case 'sft':
      return sft;
    case 'rl':
      return rl;
    case 'mix':
      // The mix objective's prompts are its batch: rl rows are sampled GROUP_SIZE times each.
      return new MixObjective(new SftObjective(source, prompts, contextLength), rl, rlFraction, Math.max(2, prompts));
  }
}
