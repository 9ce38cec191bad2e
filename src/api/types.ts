/**
 * The dashboard's JSON API, as types shared by the server and the page (type-only imports on both sides).
 * Every route is a GET except POST /api/sample:
 *   GET  /api/runs                         RunInfo[]                 every run under the runs directory
 *   GET  /api/runs/:id                     RunDetail                 one run: summary, trials, tags
 *   GET  /api/runs/:id/plots               PlotsResponse             the report's Vega-Lite specs, built now
 *   GET  /api/runs/:id/metrics?tag=T       SeriesResponse            one tag of every trial (a snapshot)
 *   GET  /api/runs/:id/stream?tags=a,b     text/event-stream         StreamEvents, backlog first, then live
 *   GET  /api/runs/:id/checkpoints         CheckpointInfo[]          models that can be sampled
 *   POST /api/sample                       SampleRequest -> SampleResponse
 * Errors are { error: string } with a 4xx/5xx status.
 */

export type RunKind = 'study' | 'train';

export interface TrialCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
}

/** One row of the runs page. `error` is set (and the rest mostly empty) when the run cannot be read. */
export interface RunInfo {
  id: string;
  kind: RunKind;
  /** The study's name, or the recipe's for a `continuum train` run. */
  name: string;
  /** created | running | done | failed | interrupted; a train run is running until its model/ is written. */
  status: string;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  trials: TrialCounts;
  verdict: string | null;
  error?: string;
}

export interface TrialInfo {
  id: string;
  /** Sweep axes' values (empty for a train run). */
  axes: Record<string, unknown>;
  seed: number | null;
  status: string;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The queue worker that ran it (host:pid), for a run on a queue (`study run --queue`). */
  worker?: string | null;
  /** Last logged value of the headline tags, and the final overall evaluations ("test score", ...). */
  final: Record<string, number>;
}

/** summary.json as the report wrote it (see src/report/model.ts summaryJson); only what the page reads. */
export interface RunSummaryJson {
  study: string;
  title: string;
  claim: string;
  verdict: string;
  verdictRule?: string;
  finding: string;
  arms: { arm: string; metric: string; n: number; mean: number | null; lo: number | null; hi: number | null }[];
  comparisons: {
    metric: string;
    a: string;
    b: string;
    verdict: string;
    difference: { mean: number | null; lo: number | null; hi: number | null };
    /** The claim's floor and ceiling, the difference as a share of their range, and why it is mis-calibrated (newer reports). */
    floor?: { value: number; label: string } | null;
    ceiling?: { value: number; label: string } | null;
    share?: number | null;
    miscalibration?: string | null;
  }[];
  notes: string[];
}

export interface RunDetail {
  info: RunInfo;
  summary: RunSummaryJson | null;
  /** Why summary.json could not be read, when it exists but is broken. */
  summaryError: string | null;
  trials: TrialInfo[];
  /** Every metric tag logged so far. */
  tags: string[];
}

export interface PlotInfo {
  name: string;
  title: string;
  caption: string | null;
  spec: unknown;
}

export interface PlotsResponse {
  plots: PlotInfo[];
  /** Why no report could be built (e.g. a train run, or a study with nothing finished). */
  note: string | null;
}

/** [trial id, step, tag, value]: compact, since a backlog can hold many thousands. */
export type MetricTuple = [string, number, string, number];

export interface SeriesResponse {
  tag: string;
  series: { trial: string; points: [number, number][] }[];
}

/**
 * Server-sent events of /stream. `metrics` carries new rows (backlog first, in batches); `trials` the trial
 * list and run info whenever a status changes (statuses only: `final` is left empty); `reset` tells the page to drop what it has (the file was cut back by a
 * resume); `ready` marks the end of the backlog; `error` a problem reading the run.
 */
export type StreamEvent =
  | { type: 'metrics'; rows: MetricTuple[] }
  | { type: 'trials'; trials: TrialInfo[]; info: RunInfo }
  | { type: 'reset' }
  | { type: 'ready' }
  | { type: 'error'; error: string };

export interface CheckpointInfo {
  /** Relative to the run directory, e.g. model, checkpoints/step-0000100, trials/M=1__seed=1/model. */
  path: string;
  /** The trial it belongs to (study runs), or null. */
  trial: string | null;
  step: number | null;
}

/** A task instance named by how to regenerate it, so the server can score against its reference answer. */
export interface InstanceRef {
  family: string;
  difficulty: number;
  split: 'train' | 'test';
  seed: number;
  index: number;
}

export interface SampleRequest {
  run: string;
  checkpoint: string;
  /** Free text to continue; ignored when `instance` is given (its prompt is used, framed as a task). */
  prompt?: string;
  /** Frame `prompt` as a task (BOS prompt SEP) and stop at EOS. */
  task?: boolean;
  instance?: InstanceRef;
  maxNewTokens?: number;
  temperature?: number;
  seed?: number;
}

export interface SampleResponse {
  prompt: string;
  completion: string;
  /** With an instance: its reference answer and the verifier's score of the completion. */
  answer: string | null;
  score: number | null;
  ms: number;
}
