/**
 * A trial process for the concurrency test: claims trials from the store until none is left, and for each logs
 * `batches` batches of `batchSize` metric rows, one eval and an artifact, then marks it done.
 * Usage: node --import tsx writer-child.ts STORE RUN BATCHES BATCH_SIZE. Prints "ready" once loaded, waits for a
 * line on stdin (so that all writers open the store and write together), then prints the trial ids it claimed,
 * as JSON.
 */
import { once } from 'node:events';
import { openRunStore } from '../../src/store/run-store.js';

const [storePath, runId, batchesArg, batchSizeArg] = process.argv.slice(2);
const batches = Number(batchesArg);
const batchSize = Number(batchSizeArg);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
const store = openRunStore(storePath);
const claimed: string[] = [];
for (let trial = store.claimNextTrial(runId); trial; trial = store.claimNextTrial(runId)) {
  claimed.push(trial.id);
  for (let b = 0; b < batches; b++) {
    const points = [];
    for (let i = 0; i < batchSize; i++) {
      const step = b * batchSize + i;
      points.push({ step, tag: 'train/loss', value: 1 / (step + 1) });
    }
    store.logMetrics(trial.key, points);
  }
  store.logEval(trial.key, { step: batches * batchSize, suite: 'splits', split: 'test', stage: null, x: null, family: 'math/add', domain: 'math', metric: 'score', value: 0.5, n: 64 });
  store.addArtifact({ run: runId, trialKey: trial.key, kind: 'checkpoint', path: `checkpoints/${trial.id}` });
  store.markTrialDone(trial.key);
}
store.close();
process.stdout.write(JSON.stringify(claimed) + '\n');
