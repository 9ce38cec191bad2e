/**
 * A run's live metrics on the page: follows the server's stream into a SeriesStore and tells the page which
 * tags changed, when trial statuses change, and when the backlog has arrived.
 */
import type { RunInfo, TrialInfo } from '../api/types.js';
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
