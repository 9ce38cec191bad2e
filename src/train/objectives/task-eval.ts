/**
 * Periodic evaluation of a task stage: greedy answers on a fixed set of instances from the training split
 * and the test split of the stage's families (new instances), and from its held-out families (transfer).
 * The instance sets are drawn once from a fixed seed, so every evaluation of a run scores the same problems.
 */
import type { Engine } from '../../model/engine.js';
import type { Instance } from '../../tasks/family.js';
import { Rng } from '../../util/rng.js';
import { completionText, sampleCompletions } from '../episodes.js';
import type { Scalars } from '../metrics.js';
import type { MixSource } from '../task-source.js';

export type TaskEvaluator = (engine: Engine, rng: Rng) => Scalars;

export interface EvalSet {
  name: string; // train | test | heldout
  source: MixSource;
  instances: Instance[];
}

/** Greedy scores of `instances` (batched generation); `maxAnswer` bounds the completion. */
export function scoreGreedy(engine: Engine, source: MixSource, instances: Instance[]): number[] {
  const out: number[] = [];
  const chunk = 64;
  for (let i = 0; i < instances.length; i += chunk) {
    const part = instances.slice(i, i + chunk);
    const { completions } = sampleCompletions(engine, part, 1, { temperature: 0, topK: 0 }, source.maxAnswerLength(), new Rng(0));
    completions.forEach((c, j) => out.push(source.score(completionText(c), part[j])));
  }
  return out;
}

export function makeTaskEvaluator(train: MixSource, heldOut: MixSource | null, perSet: number): TaskEvaluator {
  const rng = new Rng('continuum-eval-set');
  const sets: EvalSet[] = [
    { name: 'train', source: train, instances: Array.from({ length: perSet }, () => train.draw(rng, 'train')) },
    { name: 'test', source: train, instances: Array.from({ length: perSet }, () => train.draw(rng, 'test')) },
  ];
  if (heldOut) sets.push({ name: 'heldout', source: heldOut, instances: Array.from({ length: perSet }, () => heldOut.draw(rng, 'test')) });
  return (engine) => {
    const scalars: Scalars = {};
    for (const set of sets) {
      const scores = scoreGreedy(engine, set.source, set.instances);
      scalars[`eval/${set.name}_score`] = scores.reduce((a, b) => a + b, 0) / scores.length;
      scalars[`eval/${set.name}_acc`] = scores.filter((s) => s >= 1).length / scores.length;
    }
    return scalars;
  };
}
