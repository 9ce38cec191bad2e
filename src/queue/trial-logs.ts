/**
 * Following running trials' logs (metric batches and stage-end evaluations, one Redis list per job) into the
 * run's store as they grow, so the dashboard's curves move while trials run on other machines. A worker that
 * resumes a trial rewrites its log (what came after the checkpoint goes) and raises the log's generation; a log
 * whose generation changed, or that this coordinator never read (it was started again), is read from its start
 * and replaces the trial's rows.
 */
import type { Redis } from 'ioredis';
import type { EvalRecord } from '../eval/records.js';
import type { MetricPoint, RunStore } from '../store/run-store.js';
import type { LogBatch } from './job.js';
import { trialKeys } from './keys.js';

export interface LogSlice {
  metrics: MetricPoint[];
  evals: EvalRecord[];
  /** The slice is the whole log: it replaces the trial's rows. */
  replace: boolean;
}

export class TrialLogs {
  private readonly seen = new Map<string, { generation: string; cursor: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly store: RunStore,
  ) {}

  /** Writes what the trial logged since the last look into the store. */
  async follow(jobId: string, trialKey: number): Promise<void> {
    const slice = await this.read(jobId);
    if (slice.replace || slice.metrics.length || slice.evals.length) this.store.writeTrialLog(trialKey, slice.metrics, slice.evals, { replace: slice.replace });
  }

  /** What is new in the log: since the last read, or all of it (replace) when unread or rewritten. */
  async read(jobId: string): Promise<LogSlice> {
    const keys = trialKeys(jobId);
    let known = this.seen.get(jobId);
    for (;;) {
      const from = known?.cursor ?? 0;
      // One transaction, so the generation read is the one the entries belong to.
      const replies = (await this.redis.multi().get(keys.logGeneration).lrange(keys.log, from, -1).exec()) ?? [];
      const generation = (replies[0]?.[1] as string | null) ?? '0';
      const entries = (replies[1]?.[1] as string[] | undefined) ?? [];
      if (known && known.generation !== generation) {
        known = undefined; // rewritten since: read it again from the start
        continue;
      }
      this.seen.set(jobId, { generation, cursor: from + entries.length });
      const batches = entries.map((e) => JSON.parse(e) as LogBatch);
      return {
        metrics: batches.flatMap((b) => (b.kind === 'metrics' ? b.points : [])),
        evals: batches.flatMap((b) => (b.kind === 'evals' ? b.rows : [])),
        replace: known === undefined,
      };
    }
  }

  forget(jobId: string): void {
    this.seen.delete(jobId);
  }
}
