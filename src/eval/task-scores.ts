/**
 * Generalization at three distances, per family and per domain: greedy answers to training-split instances of
 * the training families (fit), to their test-split instances (new instances of known families) and to held-out
 * families no stage trained on (transfer). Every trial draws the same instances (a fixed seed per family), so
 * arms are compared on the same problems.
 */
import type { Engine } from '../model/engine.js';
import type { Split } from '../tasks/family.js';
import { TaskMix } from '../tasks/mix.js';
import { getFamily } from '../tasks/registry.js';
import { scoreGreedy } from '../rollout/sample.js';
import { MixSource, type TasksSpecLike } from '../rollout/source.js';
import { Rng } from '../util/rng.js';
import { withAggregates, type EvalRecord } from './records.js';
import { mean } from '../stats/stats.js';

type Entry = TasksSpecLike['families'][number];

export const entryName = (e: Entry): string => (typeof e === 'string' ? e : e.family);

/** A one-family source with the stage's split settings, so test instances here are test instances in training. */
export function familySource(entry: Entry, tasks: Pick<TasksSpecLike, 'testFraction' | 'salt'>): MixSource {
  return new MixSource(new TaskMix({ families: [entry], testFraction: tasks.testFraction, salt: tasks.salt }));
}

export function drawInstances(source: MixSource, split: Split, n: number, seed: string) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => source.draw(rng, split));
}

function scoreRows(engine: Engine, entry: Entry, tasks: TasksSpecLike, split: Split, label: string, n: number, step: number): EvalRecord[] {
  const name = entryName(entry);
  const source = familySource(entry, tasks);
  const scores = scoreGreedy(engine, source, drawInstances(source, split, n, `continuum-study-eval|${name}|${split}`));
  const domain = getFamily(name).domain;
  const row = { step, suite: 'splits' as const, split: label, stage: null, family: name, domain, x: null, n };
  return [
    { ...row, metric: 'score', value: mean(scores) },
    { ...row, metric: 'exact', value: mean(scores.map((s) => (s >= 1 ? 1 : 0))) },
  ];
}

/** train / test / heldout rows for every family of `tasks`, with per-domain and overall aggregates. */
export function evaluateSplits(engine: Engine, tasks: TasksSpecLike, n: number, step: number): EvalRecord[] {
  const rows: EvalRecord[] = [];
  for (const entry of tasks.families) {
    rows.push(...scoreRows(engine, entry, tasks, 'train', 'train', n, step));
    rows.push(...scoreRows(engine, entry, tasks, 'test', 'test', n, step));
  }
  // A held-out family was never trained on: either split is unseen; test keeps it comparable with training's.
  for (const entry of tasks.heldOut) rows.push(...scoreRows(engine, entry, tasks, 'test', 'heldout', n, step));
  return withAggregates(rows);
}
