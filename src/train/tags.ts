/**
 * The metric tags a stage logs (metrics.jsonl, the run store): what a study's claims and curves may name.
 * Kept beside the objectives it describes; test/train/tags.test.ts trains every objective and holds this list
 * to what they really log.
 */
import type { Stage } from './recipe.js';

/** Logged by the loop at every step, whatever the objective. */
const LOOP_TAGS = ['opt/lr', 'opt/grad_norm', 'perf/tok_s', 'perf/step_s', 'train/loss'];
const RL_TAGS = ['rl/reward_mean', 'rl/reward_std', 'rl/score_mean', 'rl/frac_zero_std_groups', 'rl/completion_len', 'rl/entropy', 'perf/generate_s', 'perf/update_s'];
const RFT_TAGS = ['rft/pass_rate', 'rft/score_mean', 'rft/kept'];

/** The periodic evaluation's tags: losses on the corpus splits, or scores on the task sets. */
function evalTags(stage: Stage): string[] {
  if (stage.objective === 'lm') return ['eval/train_loss', 'eval/val_loss', ...(typeof stage.corpus === 'object' ? ['eval/unseen_loss'] : [])];
  const sets = ['train', 'test', ...((stage.tasks?.heldOut.length ?? 0) > 0 ? ['heldout'] : [])];
  return sets.flatMap((set) => [`eval/${set}_score`, `eval/${set}_acc`]);
}

export function stageTags(stage: Stage): string[] {
  const rl = [...RL_TAGS, ...((stage.rl?.klBeta ?? 0) > 0 ? ['rl/kl'] : [])];
  const byObjective: Record<Stage['objective'], string[]> = { lm: [], sft: [], rft: RFT_TAGS, rl, mix: [...rl, 'mix/rl_fraction'] };
  return [...LOOP_TAGS, ...byObjective[stage.objective], ...evalTags(stage)];
}
