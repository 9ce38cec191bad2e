/**
 * What travels in a job and back. A job carries everything a worker on another machine needs to run a trial
 * (its recipe and its part's evaluations); the worker returns the final evaluations and who ran it. Job data is
 * validated before anything runs: a foreign or malformed job is rejected with the reason.
 */
import { z } from 'zod';
import type { EvalRecord } from '../eval/records.js';
import type { MetricPoint } from '../store/run-store.js';
import { EvaluationSchema } from '../study/schema.js';

export const JOB_FORMAT = 'continuum-trial/1';

export const TrialJobSchema = z
  .object({
    format: z.literal(JOB_FORMAT),
    runToken: z.string().min(1),
    trialKey: z.number().int().nonnegative(),
    trialId: z.string().min(1),
    recipe: z.record(z.string(), z.unknown()),
    evaluations: z.array(EvaluationSchema),
  })
  .strict();

export type TrialJob = z.infer<typeof TrialJobSchema>;

export interface TrialResult {
  format: typeof JOB_FORMAT;
  worker: string;
  steps: number;
  evals: EvalRecord[];
}

/** One entry of a trial's log list. */
export type LogBatch = { kind: 'metrics'; points: MetricPoint[] } | { kind: 'evals'; step: number; rows: EvalRecord[] };

/** The job's data as a TrialJob, or a one-line reason it is not one. */
export function readTrialJob(data: unknown): TrialJob | string {
  const parsed = TrialJobSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `not a Continuum trial (${issue.path.join('.') || 'data'}: ${issue.message})`;
}
