/**
 * Every metric tag a run logs, declared once: its name, a label for charts, its unit, whether it is a rate in
 * [0, 1], and which way is better. Objectives write these tags into metrics.jsonl and the store; the dashboard
 * titles, orders and picks headline tags from this table, and reports decide from it which axes are [0, 1].
 * A tag an objective logs that is not declared here fails test/measure/tags.test.ts.
 *
 * Fixed tags are listed by name. Families of tags that carry a name inside them (one per evaluation set, per
 * number of demonstrations) are patterns, matched after the fixed names.
 * Pure data: no Node imports, so the dashboard runs it in the browser.
 */

export type Better = 'higher' | 'lower' | null;

export interface TagInfo {
  /** The tag as logged, e.g. `rl/reward_mean`. */
  tag: string;
  /** What a chart of it is titled. */
  label: string;
  unit: string;
  /** A proportion in [0, 1] (accuracies, verifier scores): drawn on a [0, 1] axis, intervals clipped to it. */
  rate: boolean;
  better: Better;
  /** Shown in the trials table beside each trial's status. */
  headline?: boolean;
}

type Declared = Omit<TagInfo, 'tag'>;

const FIXED: Record<string, Declared> = {
  'train/loss': { label: 'training loss', unit: 'nats per weighted token', rate: false, better: 'lower', headline: true },
  'rl/reward_mean': { label: 'reward (mean)', unit: 'reward', rate: false, better: 'higher', headline: true },
  'rl/reward_std': { label: 'reward std within groups', unit: 'reward', rate: false, better: null },
  'rl/score_mean': { label: 'verifier score (mean)', unit: 'score', rate: true, better: 'higher' },
  'rl/frac_zero_std_groups': { label: 'groups with zero reward std', unit: 'share of groups', rate: true, better: 'lower' },
  'rl/kl': { label: 'KL to the reference', unit: 'nats per token', rate: false, better: null },
  'rl/entropy': { label: 'entropy', unit: 'nats per token', rate: false, better: null },
  'rl/completion_len': { label: 'completion length', unit: 'tokens', rate: false, better: null },
  'rft/pass_rate': { label: 'samples passing the threshold', unit: 'share of samples', rate: true, better: 'higher' },
  'rft/score_mean': { label: 'verifier score (mean)', unit: 'score', rate: true, better: 'higher' },
  'rft/kept': { label: 'samples kept', unit: 'samples', rate: false, better: 'higher' },
  'mix/rl_fraction': { label: 'share of prompts trained by RL', unit: 'share of prompts', rate: true, better: null },
  'opt/lr': { label: 'learning rate', unit: 'learning rate', rate: false, better: null },
  'opt/grad_norm': { label: 'gradient norm', unit: 'norm', rate: false, better: null },
  'perf/tok_s': { label: 'tokens / s', unit: 'tokens per second', rate: false, better: 'higher' },
  'perf/step_s': { label: 'seconds per step', unit: 'seconds', rate: false, better: 'lower' },
  'perf/generate_s': { label: 'sampling time per step', unit: 'seconds', rate: false, better: 'lower' },
  'perf/update_s': { label: 'update time per step', unit: 'seconds', rate: false, better: 'lower' },
  'eval/test_score': { label: 'test score', unit: 'score', rate: true, better: 'higher', headline: true },
  'eval/val_loss': { label: 'validation loss', unit: 'nats per token', rate: false, better: 'lower', headline: true },
  'eval/unseen_loss': { label: 'loss on unseen genres', unit: 'nats per token', rate: false, better: 'lower', headline: true },
};

/** Tags with a name inside: `eval/<set>_acc` for each evaluation set (train, test, heldout), and so on. */
const PATTERNS: { match: RegExp; info: (m: RegExpExecArray) => Declared }[] = [
  // The ICL score (Olsson et al.): answer loss with the most demonstrations minus with the fewest. A loss
  // difference, negative once the model learns from its context: never a rate, though its name ends in _score.
  {
    match: /^eval\/icl_score(_\d+)?$/,
    info: () => ({ label: 'ICL score (late minus early answer loss)', unit: 'nats per character', rate: false, better: 'lower', headline: true }),
  },
  {
    match: /^eval\/icl_loss_k(\d+)(_\d+)?$/,
    info: (m) => ({ label: `answer loss with ${m[1]} demonstrations`, unit: 'nats per character', rate: false, better: 'lower', headline: true }),
  },
  { match: /^eval\/(\w+)_acc$/, info: (m) => ({ label: `${m[1]} accuracy`, unit: 'exact-match accuracy', rate: true, better: 'higher', headline: true }) },
  { match: /^eval\/(\w+)_score$/, info: (m) => ({ label: `${m[1]} score`, unit: 'score', rate: true, better: 'higher', headline: true }) },
  { match: /^eval\/(\w+)_loss$/, info: (m) => ({ label: `${m[1]} loss`, unit: 'nats per token', rate: false, better: 'lower', headline: true }) },
];

/** What a tag is; null for a tag no part of Continuum logs (a user's own, say). */
export function tagInfo(tag: string): TagInfo | null {
  const fixed = FIXED[tag];
  if (fixed) return { tag, ...fixed };
  for (const p of PATTERNS) {
    const m = p.match.exec(tag);
    if (m) return { tag, ...p.info(m) };
  }
  return null;
}

/** Accuracies and verifier scores: values in [0, 1]. */
export const isRateTag = (tag: string): boolean => tagInfo(tag)?.rate ?? false;

/** Shown in the trials table: every evaluation, the training loss and the mean reward. */
export const isHeadlineTag = (tag: string): boolean => tag.startsWith('eval/') || (tagInfo(tag)?.headline ?? false);

/** A chart title: the label with the tag beside it, or the tag alone when it is not declared. */
export function tagTitle(tag: string): string {
  const info = tagInfo(tag);
  return info && FIXED[tag] ? `${info.label} (${tag})` : tag;
}

/** The RL stage's lead indicators, in the order the dashboard shows them. */
export const RL_LEADS: readonly string[] = ['rl/reward_mean', 'rl/reward_std', 'rl/frac_zero_std_groups', 'rl/kl', 'rl/completion_len'];

/** RL leads first, then training, evaluation, rl, optimizer, perf and the rest, each alphabetical. */
export function orderTags(tags: Iterable<string>): string[] {
  const rank = (t: string) => {
    const lead = RL_LEADS.indexOf(t);
    if (lead >= 0) return lead;
    const prefix = ['train/', 'eval/', 'rl/', 'opt/', 'perf/'].findIndex((p) => t.startsWith(p));
    return 10 + (prefix < 0 ? 9 : prefix);
  };
  return [...new Set(tags)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
