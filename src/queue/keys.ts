/**
 * The queue's name and every Redis key Continuum writes beside BullMQ's own. A job's id is
 * `<run token>.<trial key>`: deterministic, so enqueuing a run again (a resumed coordinator) adds nothing that is
 * already there.
 */
export const QUEUE_NAME = 'continuum-trials';
const PREFIX = 'continuum';

export const jobIdOf = (runToken: string, trialKey: number): string => `${runToken}.${trialKey}`;

export const trialKeys = (jobId: string) => ({
  /** A list of JSON batches: metric points and stage-end evaluation rows, in the order the trial made them. */
  log: `${PREFIX}:${jobId}:log`,
  /** A counter raised each time a worker rewrites the log (resuming from a checkpoint drops what came after). */
  logGeneration: `${PREFIX}:${jobId}:log-generation`,
  /** A hash: the latest checkpoint's files (name -> bytes) and its `.name` and `.step`. */
  checkpoint: `${PREFIX}:${jobId}:checkpoint`,
  /** A hash: the final model's files (model.safetensors, config.json). */
  model: `${PREFIX}:${jobId}:model`,
});

/** A sorted set of live workers (id -> last heartbeat, ms), for `continuum queue status`. */
export const WORKERS_KEY = `${PREFIX}:workers`;
