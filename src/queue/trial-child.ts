/**
 * One queued trial in its own process, forked by a worker (worker.ts) so training, which blocks the event loop,
 * never stops the worker from renewing its job's lock. The worker sends one `start` message; the child trains
 * in the given folder (resuming from the checkpoint the worker put there), and sends back its metrics, every new
 * checkpoint's files, and at the end the final model and evaluations, or the reason it failed. It writes nothing
 * to Redis itself: a child whose worker died can change nothing, and stops at its next step.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EvalRecord } from '../eval/records.js';
import type { Engine } from '../model/engine.js';
import { prepareEngine } from '../model/engines.js';
import type { MetricPoint } from '../store/run-store.js';
import { duringTrainingEval, lastTasks, runEvaluations, splitSettings, stageEndEvaluations } from '../study/evaluate.js';
import { latestCheckpoint } from '../train/checkpoint.js';
import type { MetricsRecord } from '../train/metrics.js';
import { parseRecipe } from '../train/recipe.js';
import { train, type StepInfo } from '../train/trainer.js';
import type { LogBatch, TrialJob } from './job.js';

/** As the local pool's worker: scalars at evaluation steps, at a stage's end and every LOG_EVERY steps. */
const LOG_EVERY = 10;

export interface StartMessage {
  type: 'start';
  job: TrialJob;
  dir: string;
  resume: boolean;
  /** Send each new checkpoint's files (false when checkpoints live in a shared directory). */
  sendCheckpoints: boolean;
  maxCheckpointBytes: number;
  /** Send a checkpoint at most this often (seconds; 0: every one), to spare Redis at scale. */
  checkpointSeconds: number;
}

export type ChildMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'log'; batch: LogBatch }
  /**
   * A new checkpoint. With a shared directory its files stay on this machine, in the folder `path`: the worker
   * publishes it there once everything logged before it has reached Redis.
   */
  | { type: 'checkpoint'; name: string; step: number; files: Record<string, Uint8Array>; path?: string }
  | { type: 'done'; steps: number; evals: EvalRecord[]; model: Record<string, Uint8Array> }
  | { type: 'failed'; reason: string };

const send = (m: ChildMessage) => process.send!(m);

/** Every file of a folder, by name. */
function readFolder(dir: string): Record<string, Uint8Array> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
}

/** Sends the checkpoint the trainer last wrote, once; too big for Redis is an error that names the way out. */
function checkpointSender(start: StartMessage): () => void {
  let sent = start.resume ? latestCheckpoint(start.dir) : null;
  let sentAt = 0;
  return () => {
    const dir = latestCheckpoint(start.dir);
    if (!dir || dir === sent) return;
    if (!start.sendCheckpoints) {
      // For a shared directory: say where it is; the worker copies it there.
      sent = dir;
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { globalStep: number };
      return send({ type: 'checkpoint', name: basename(dir), step: state.globalStep, files: {}, path: dir });
    }
    // An older checkpoint in Redis is still a correct resume point, just further back.
    if (sent !== null && Date.now() - sentAt < start.checkpointSeconds * 1000) return;
    sent = dir;
    sentAt = Date.now();
    const files = readFolder(dir);
    const bytes = Object.values(files).reduce((a, f) => a + f.byteLength, 0);
    if (bytes > start.maxCheckpointBytes) {
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
      throw new Error(
        `a checkpoint of this model is ${mib(bytes)}, over the ${mib(start.maxCheckpointBytes)} a checkpoint may take in Redis; ` +
          'start the workers with --checkpoints DIR on a directory they all share, or raise --max-checkpoint-mb',
      );
    }
    const state = JSON.parse(Buffer.from(files['state.json']).toString('utf8')) as { globalStep: number };
    send({ type: 'checkpoint', name: basename(dir), step: state.globalStep, files });
  };
}

async function runTrial(start: StartMessage): Promise<void> {
  const { job, dir } = start;
  const recipe = parseRecipe(job.recipe, `trial ${job.trialId}`);
  const evaluations = job.evaluations;
  await prepareEngine(recipe.engine ?? 'native');
  const parent = process.ppid;
  const pending: MetricPoint[] = [];
  let lastSent = 0;
  const flush = () => pending.length && send({ type: 'log', batch: { kind: 'metrics', points: pending.splice(0) } });
  const sendCheckpoint = checkpointSender(start);
  const onStep = (record: MetricsRecord, info: StepInfo) => {
    // A worker killed outright cannot stop its children: a new parent process id says it is gone.
    if (process.ppid !== parent) process.exit(130);
    const hasEval = Object.keys(record.scalars).some((k) => k.startsWith('eval/'));
    if (hasEval || info.progress >= 1 || record.step % LOG_EVERY === 0) {
      for (const [tag, value] of Object.entries(record.scalars)) {
        if (!Number.isNaN(value)) pending.push({ step: record.step, tag, value, wallTime: record.time / 1000 });
      }
    }
    // Metrics up to the checkpoint, this step's included, reach the worker before the checkpoint does, whichever
    // of the two the trainer writes first: a trial resumed from it never lacks a step it logged.
    flush();
    sendCheckpoint();
    if (Date.now() - lastSent > 500) {
      lastSent = Date.now();
      flush();
      send({ type: 'progress', fraction: Math.min(1, (info.stage + info.progress) / info.stages) });
    }
  };
  const atStageEnd = stageEndEvaluations(recipe, evaluations);
  const onStageEnd = (engine: Engine, stage: number, step: number) => {
    flush();
    sendCheckpoint();
    const rows = atStageEnd(engine, stage, step);
    if (rows.length) send({ type: 'log', batch: { kind: 'evals', step, rows } });
  };
  const extraEval = duringTrainingEval(evaluations, splitSettings(lastTasks(recipe)));
  // The worker's log says where a resumed trial picked up.
  const onEvent = (message: string) => message.startsWith('resuming') && process.stdout.write(`  ${job.trialId}: ${message}\n`);
  const result = train(recipe, { outDir: dir, resume: start.resume, onStep, onStageEnd, extraEval, onEvent });
  flush();
  const evals = runEvaluations(result.engine, recipe, evaluations, result.steps);
  result.engine.dispose();
  const modelDir = join(dir, 'model');
  send({ type: 'done', steps: result.steps, evals, model: existsSync(modelDir) ? readFolder(modelDir) : {} });
}

process.once('message', async (m: StartMessage) => {
  try {
    await runTrial(m);
  } catch (err) {
    const e = err as Error;
    send({ type: 'failed', reason: `${e.name}: ${e.message}` });
  }
});
// The worker disconnects once it has the last message, or died: either way this process is done.
process.on('disconnect', () => process.exit(0));
