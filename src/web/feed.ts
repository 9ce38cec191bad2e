/**
 * A run's live metrics on the page: follows the server's stream into a SeriesStore and tells the page which
 * tags changed, when trial statuses change, and when the backlog has arrived.
 */
import type { RunInfo, TrialInfo } from '../server/api-types.js';
import { followRun } from './api.js';
import { SeriesStore } from './series-store.js';

export interface FeedHandlers {
  metrics(tags: Set<string>): void;
  trials?(trials: TrialInfo[], info: RunInfo): void;
  ready?(): void;
  error?(message: string): void;
}

export class RunFeed {
  readonly store = new SeriesStore();
  private readonly stop: () => void;

  /** `tags` [] or null follows every tag. */
  constructor(runId: string, tags: readonly string[] | null, handlers: FeedHandlers) {
    this.stop = followRun(runId, tags ?? [], (event) => {
      switch (event.type) {
        case 'metrics':
          handlers.metrics(this.store.add(event.rows));
          break;
        case 'reset':
          this.store.clear();
          handlers.metrics(new Set());
          break;
        case 'trials':
          handlers.trials?.(event.trials, event.info);
          break;
        case 'ready':
          handlers.ready?.();
          break;
        case 'error':
          handlers.error?.(event.error);
          break;
      }
    });
  }

  close(): void {
    this.stop();
  }
}

/** The RL stage's lead indicators, in the order the page shows them. */
export const RL_LEADS = ['rl/reward_mean', 'rl/reward_std', 'rl/frac_zero_std_groups', 'rl/kl', 'rl/completion_len'];

/** What a tag's chart is titled. */
export const TAG_TITLES: Record<string, string> = {
  'train/loss': 'training loss',
  'rl/reward_mean': 'reward (mean)',
  'rl/reward_std': 'reward std within groups',
  'rl/frac_zero_std_groups': 'groups with zero reward std',
  'rl/kl': 'KL to the reference',
  'rl/entropy': 'entropy',
  'rl/completion_len': 'completion length',
  'opt/lr': 'learning rate',
  'opt/grad_norm': 'gradient norm',
  'perf/tok_s': 'tokens / s',
  'eval/test_score': 'test score',
  'eval/val_loss': 'validation loss',
};
export const tagTitle = (tag: string): string => (TAG_TITLES[tag] ? `${TAG_TITLES[tag]} (${tag})` : tag);

/** RL leads first, then training, evaluation, optimizer and the rest, each alphabetical. */
export function orderTags(tags: Iterable<string>): string[] {
  const rank = (t: string) => {
    const lead = RL_LEADS.indexOf(t);
    if (lead >= 0) return lead;
    const prefix = ['train/', 'eval/', 'rl/', 'opt/', 'perf/'].findIndex((p) => t.startsWith(p));
    return 10 + (prefix < 0 ? 9 : prefix);
  };
  return [...new Set(tags)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
