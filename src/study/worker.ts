/**
 * One trial in its own process: `node worker.js RUN_DIR TRIAL_KEY`. Trains the trial's recipe in
 * RUN_DIR/trials/<id>/ (resuming from its latest checkpoint when there is one), streams its metrics to the run
 * store, runs the part's evaluations on the final model, and marks the trial done, or failed with the reason
 * (a diverged run, a bad config) so the study can go on without it. Progress goes to the parent over IPC.
 */
import type { Engine } from '../model/engine.js';
import { prepareEngine } from '../model/engines.js';
import { latestCheckpoint } from '../train/checkpoint.js';
import type { MetricsRecord } from '../train/metrics.js';
import { train, type StepInfo } from '../train/trainer.js';
import type { MetricPoint } from '../store/run-store.js';
import { duringTrainingEval, lastTasks, runEvaluations, splitSettings, stageEndEvaluations } from './evaluate.js';
import { openRunDir, trialDir, trialPart, trialRecipe } from './run-dir.js';
import { COORDINATOR_ENV } from './trial-processes.js';

/** Every scalar is stored at evaluation steps, at the last step and every LOG_EVERY steps in between. */
const LOG_EVERY = 10;

export interface WorkerMessage {
  type: 'progress';
  trialKey: number;
  /** Fraction of the trial's training done, in [0, 1]. */
  fraction: number;
}

/**
 * Whether the study that started this worker is gone. A study killed outright (SIGKILL) cannot stop its trials,
 * and training blocks the event loop, so no 'disconnect' event arrives; the parent process id, read at every
 * step (a cheap getppid), changes instead. The pool names its PID, so even a worker that starts after the
 * study died knows.
 */
function orphanCheck(): () => boolean {
  const parent = Number(process.env[COORDINATOR_ENV]) || process.ppid;
  return () => process.ppid !== parent;
}

async function runTrial(runDir: string, trialKey: number): Promise<void> {
  const { store, study } = openRunDir(runDir);
  const trial = store.getTrial(trialKey);
  try {
    const recipe = trialRecipe(trial);
    await prepareEngine(recipe.engine ?? 'native');
    const part = trialPart(study, trial);
    const dir = trialDir(runDir, trial.id);
    const orphaned = orphanCheck();
    const pending: MetricPoint[] = [];
    let lastFlush = Date.now();
    let lastSent = 0;
    const flush = () => {
      if (pending.length) store.logMetrics(trialKey, pending.splice(0));
      lastFlush = Date.now();
    };
    const onStep = (record: MetricsRecord, info: StepInfo) => {
      // Stopping here leaves the trial 'running' in the store, and `study resume` continues it from its checkpoint.
      if (orphaned()) process.exit(130);
      const hasEval = Object.keys(record.scalars).some((k) => k.startsWith('eval/'));
      const stageEnd = info.progress >= 1;
      if (hasEval || stageEnd || record.step % LOG_EVERY === 0) {
        for (const [tag, value] of Object.entries(record.scalars)) {
          if (!Number.isNaN(value)) pending.push({ step: record.step, tag, value, wallTime: record.time / 1000 });
        }
      }
      if (Date.now() - lastFlush > 2000 || hasEval) flush();
      if (process.send && Date.now() - lastSent > 500) {
        lastSent = Date.now();
        const message: WorkerMessage = { type: 'progress', trialKey, fraction: Math.min(1, (info.stage + info.progress) / info.stages) };
        process.send(message);
      }
    };
    const resume = latestCheckpoint(dir) !== null;
    const atStageEnd = stageEndEvaluations(recipe, part.evaluations);
    const onStageEnd = (engine: Engine, stage: number, step: number) => {
      const rows = atStageEnd(engine, stage, step);
      if (rows.length) store.logEval(trialKey, rows);
    };
    const extraEval = duringTrainingEval(part.evaluations, splitSettings(lastTasks(recipe)));
    const result = train(recipe, { outDir: dir, resume, onStep, onStageEnd, extraEval });
    flush();
    store.logEval(trialKey, runEvaluations(result.engine, recipe, part.evaluations, result.steps));
    result.engine.dispose();
    store.markTrialDone(trialKey);
  } catch (err) {
    const e = err as Error;
    store.markTrialFailed(trialKey, `${e.name}: ${e.message}`);
    process.exitCode = 3; // failed, and the reason is in the store
  } finally {
    store.close();
  }
}

const [runDir, key] = process.argv.slice(2);
if (!runDir || !/^\d+$/.test(key ?? '')) {
  process.stderr.write('usage: worker RUN_DIR TRIAL_KEY\n');
  process.exit(2);
}
await runTrial(runDir, Number(key));
