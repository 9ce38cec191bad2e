/**
 * Builds a stage's objective: the one place that maps `objective: lm | sft | rft | rl | mix` to code.
 */
import type { GPTConfig } from '../../model/config.js';
import type { Engine } from '../../model/engine.js';
import { loadCorpus } from '../../text/corpus-file.js';
import type { Objective } from '../objective.js';
import type { Stage } from '../recipe.js';
import { LmObjective } from './lm.js';

export interface ObjectiveContext {
  config: GPTConfig;
  /** The frozen model of a KL penalty, when the stage has one. */
  reference: Engine | null;
}

export function makeObjective(stage: Stage, ctx: ObjectiveContext): Objective {
  switch (stage.objective) {
    case 'lm':
      return new LmObjective(loadCorpus(stage.corpus!), stage.batchSize, stage.blockSize ?? ctx.config.contextLength, stage.eval.iters);
    default:
      throw new Error(`objective ${stage.objective} is not available yet`);
  }
}
