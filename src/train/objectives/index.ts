/**
 * Builds a stage's objective: the one place that maps `objective: lm | sft | rft | rl | mix` to code.
 */
import type { GPTConfig } from '../../model/config.js';
import type { Engine } from '../../model/engine.js';
import { loadCorpusSpec } from '../../text/corpus-file.js';
import type { Objective } from '../objective.js';
import { defaultRl, type Stage } from '../recipe.js';
import { MixSource } from '../../rollout/source.js';
import { LmObjective } from './lm.js';
import { MixObjective } from './mix.js';
import { RftObjective } from './rft.js';
import { RlObjective } from './rl.js';
import { SftObjective } from './sft.js';
import { makeTaskEvaluator } from './task-eval.js';

export interface ObjectiveContext {
  config: GPTConfig;
  /** The frozen model of a KL penalty, when the stage has one. */
  reference: Engine | null;
}

export function makeObjective(stage: Stage, ctx: ObjectiveContext): Objective {
  if (stage.objective === 'lm') {
    return new LmObjective(loadCorpusSpec(stage.corpus!), stage.batchSize, stage.blockSize ?? ctx.config.contextLength, stage.eval.iters);
  }
  const tasks = stage.tasks!;
  const source = MixSource.fromSpec(tasks, 'train')!;
  const heldOut = MixSource.fromSpec(tasks, 'heldOut');
  const evaluate = makeTaskEvaluator(source, heldOut, stage.eval.iters);
  const sampling = stage.sampling;
  const rl = () => new RlObjective(source, stage.batchSize, stage.rl ?? defaultRl, sampling, ctx.reference);
  switch (stage.objective) {
    case 'sft':
      return new SftObjective(source, stage.batchSize, ctx.config.contextLength, evaluate);
    case 'rl':
      return new RlObjective(source, stage.batchSize, stage.rl ?? defaultRl, sampling, ctx.reference, evaluate);
    case 'rft':
      return new RftObjective(source, stage.batchSize, stage.rft?.samples ?? 8, stage.rft?.threshold ?? 1, sampling, evaluate);
    case 'mix':
      return new MixObjective(new SftObjective(source, stage.batchSize, ctx.config.contextLength), rl(), stage.rlFraction!, stage.batchSize, evaluate);
  }
}
