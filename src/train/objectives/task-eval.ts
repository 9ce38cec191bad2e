/**
 * Periodic evaluation of a task stage: greedy answers on a fixed set of instances from the training split
 * and the test split of the stage's families (new instances), and from its held-out families (transfer).
 * The instance sets are drawn once from a fixed seed, so every evaluation of a run scores the same problems.
 */
import type { Engine } from '../../model/engine.js';
import { scoreGreedy } from '../../rollout/sample.js';
import type { MixSource } from '../../rollout/source.js';
import type { Instance } from '../../tasks/family.js';
import { Rng } from '../../util/rng.js';
import type { Scalars } from '../metrics.js';
import { mean } from '../../stats/stats.js';

export type TaskEvaluator = (engine: Engine, rng: Rng) => Scalars;

export interface EvalSet {
  name: string; // train | test | heldout
  source: MixSource;
  instances: Instance[];
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
      scalars[`eval/${set.name}_score`] = mean(scores);
      scalars[`eval/${set.name}_acc`] = scores.filter((s) => s >= 1).length / scores.length;
    }
    return scalars;
  };
}
