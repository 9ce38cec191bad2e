/**
 * Run directories for the dashboard's tests, written the way the real writers write them: a study run through
 * the run store's own API (store.sqlite + summary.json), a `continuum train` run as recipe.json +
 * metrics.jsonl lines, and runs that cannot be read.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRunStore } from '../../src/store/run-store.js';
import type { MetricsRecord } from '../../src/train/metrics.js';

export const STUDY_TRIALS = ['M=1/seed=1', 'M=4/seed=1', 'M=16/seed=1'];

/** A finished study run: three trials with train/loss, rl/* and eval/test_score at 21 steps, evals, a summary. */
export function writeStudyRun(runsDir: string, id: string): string {
  const dir = join(runsDir, id);
  mkdirSync(join(dir, 'trials'), { recursive: true });
  const store = openRunStore(join(dir, 'store.sqlite'));
  store.createRun({ id, study: 'demo', spec: { name: 'demo' } });
  store.setRunStatus(id, 'running');
  const trials = store.addTrials(
    id,
    STUDY_TRIALS.map((tid, i) => ({ id: tid, config: {}, axes: { part: 'main', M: [1, 4, 16][i] }, seed: 1 })),
  );
  trials.forEach((t, i) => {
    store.claimNextTrial(id);
    const points = [];
    for (let step = 0; step <= 20; step++) {
      points.push({ step, tag: 'train/loss', value: 3 - step * 0.05 * (i + 1) });
      points.push({ step, tag: 'rl/reward_mean', value: step * 0.01 * (i + 1) });
      points.push({ step, tag: 'rl/kl', value: step * 0.001 });
    }
    points.push({ step: 20, tag: 'eval/test_score', value: 0.2 * (i + 1) });
    store.logMetrics(t.key, points);
    store.logEval(t.key, [
      { step: 20, suite: 'splits', split: 'test', stage: null, x: null, family: '*', domain: '*', metric: 'score', value: 0.25 * (i + 1), n: 16 },
      { step: 20, suite: 'splits', split: 'heldout', stage: null, x: null, family: '*', domain: '*', metric: 'score', value: 0.1 * (i + 1), n: 16 },
    ]);
    store.markTrialDone(t.key);
  });
  store.setRunStatus(id, 'done', 'held');
  store.close();
  const summary = {
    format: 'continuum-summary/1',
    study: 'demo',
    title: 'Demo study',
    claim: 'A larger rule pool lifts the score on new rules.',
    verdict: 'held',
    finding: 'test score at M = 16 is 0.750 against 0.250 at M = 1 -> held.',
    arms: [
      { arm: '1', metric: 'test score', n: 1, mean: 0.25, lo: null, hi: null },
      { arm: '16', metric: 'test score', n: 1, mean: 0.75, lo: null, hi: null },
    ],
    comparisons: [
      {
        metric: 'test score',
        a: '1',
        b: '16',
        verdict: 'inconclusive',
        difference: { mean: 0.5, lo: null, hi: null },
        floor: { value: 0.1, label: 'chance' },
        ceiling: { value: 0.7, label: 'M = 16' },
        share: 0.8333,
        miscalibration: 'mis-calibrated: the positive control (M = 16) reached only 0.700 (< 0.8)',
      },
    ],
    notes: ['One seed per arm: no intervals.'],
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  return dir;
}

export const trainRecord = (step: number, loss: number): MetricsRecord => ({
  step,
  stage: 0,
  time: Date.now(),
  scalars: { 'train/loss': loss, 'opt/lr': 0.001, 'perf/tok_s': 1000 },
});

/** A `continuum train` run with `steps` metric lines and, when finished, a model/config.json. */
export function writeTrainRun(runsDir: string, id: string, steps: number, finished = true): string {
  const dir = join(runsDir, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify({ name: 'tiny-recipe', seed: 7, stages: [] }));
  for (let step = 1; step <= steps; step++) appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(trainRecord(step, 4 / step)) + '\n');
  if (finished) {
    mkdirSync(join(dir, 'model'), { recursive: true });
    writeFileSync(join(dir, 'model', 'config.json'), '{}');
  }
  return dir;
}

/** A directory whose store.sqlite is not a database, and one whose recipe.json is not JSON. */
export function writeBrokenRuns(runsDir: string): void {
  mkdirSync(join(runsDir, 'broken-store'), { recursive: true });
  writeFileSync(join(runsDir, 'broken-store', 'store.sqlite'), 'this is not an SQLite file, it is long enough to have a header'.repeat(4));
  mkdirSync(join(runsDir, 'broken-recipe'), { recursive: true });
  writeFileSync(join(runsDir, 'broken-recipe', 'recipe.json'), '{ not json');
}
