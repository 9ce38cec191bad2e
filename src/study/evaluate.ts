/**
 * A part's evaluations on a trial's final model, or on its model at the end of an earlier stage (see schema.ts
 * EvaluationSchema for what each measures). They score the tasks of the recipe's last task stage, whichever
 * model they measure, so the numbers before and after a stage are on the same problems.
 */
import { evaluateContextLoss, evaluateIclCurve, type SplitSettings } from '../eval/icl-curve.js';
import { iclScore } from '../eval/learning-curve.js';
import { evaluateGenreLoss } from '../eval/genre-loss.js';
import { evaluateManyShot } from '../eval/many-shot.js';
import { functionsSpec } from '../text/functions.js';
import { evaluatePassAtK } from '../eval/pass-at-k.js';
import { markovSpec } from '../text/markov.js';
import type { EvalRecord } from '../eval/records.js';
import { drawInstances, evaluateSplits } from '../eval/task-scores.js';
import type { Engine } from '../model/engine.js';
import { TaskMix } from '../tasks/mix.js';
import type { Scalars } from '../train/metrics.js';
import type { FunctionsCorpus, MarkovCorpus, Recipe, TasksSpec } from '../train/recipe.js';
import { MixSource } from '../rollout/source.js';
import type { Evaluation } from './schema.js';

export function lastTasks(recipe: Recipe): TasksSpec | null {
  for (let i = recipe.stages.length - 1; i >= 0; i--) if (recipe.stages[i].tasks) return recipe.stages[i].tasks!;
  return null;
}

/** The final model's evaluations: those without a stage, or whose stage is the last. */
export function runEvaluations(engine: Engine, recipe: Recipe, evaluations: readonly Evaluation[], step: number): EvalRecord[] {
  const last = recipe.stages.length - 1;
  return measure(engine, recipe, evaluations.filter((e) => e.stage === undefined || e.stage === last), step);
}

/**
 * The evaluations of the model at the end of an earlier stage, as the trainer's onStageEnd hook. Their rows
 * carry the stage's name, so they never mix with the final model's.
 */
export function stageEndEvaluations(recipe: Recipe, evaluations: readonly Evaluation[]): (engine: Engine, stage: number, step: number) => EvalRecord[] {
  const last = recipe.stages.length - 1;
  return (engine, stage, step) => {
    if (stage === last) return [];
    const chosen = evaluations.filter((e) => e.stage === stage);
    if (chosen.length === 0) return [];
    const name = recipe.stages[stage].name ?? `stage${stage}`; // numbered from 0, as `stage:` is
    return measure(engine, recipe, chosen, step).map((r) => ({ ...r, stage: name }));
  };
}

function measure(engine: Engine, recipe: Recipe, evaluations: readonly Evaluation[], step: number): EvalRecord[] {
  const tasks = lastTasks(recipe);
  const needTasks = (kind: string): TasksSpec => {
    if (!tasks) throw new Error(`evaluation ${kind} needs a task stage in the recipe`);
    return tasks;
  };
  return evaluations.flatMap((e): EvalRecord[] => {
    switch (e.kind) {
      case 'splits':
        return evaluateSplits(engine, needTasks(e.kind), e.n, step);
      case 'passAtK': {
        const t = needTasks(e.kind);
        const families = e.split === 'test' ? t.families : t.heldOut;
        if (families.length === 0) throw new Error('evaluation passAtK with split heldout needs tasks.heldOut');
        const source = new MixSource(new TaskMix({ families, testFraction: t.testFraction, salt: t.salt }));
        const problems = drawInstances(source, 'test', e.problems, `continuum-pass-at-k|${e.split}`);
        return evaluatePassAtK(engine, source, problems, { samples: e.samples, ks: e.ks, temperature: e.temperature, split: e.split, step });
      }
      case 'iclCurve':
        return evaluateIclCurve(engine, e.family, e.ks, e.n, step, splitSettings(tasks));
      case 'contextLoss':
        return evaluateContextLoss(engine, e.family, e.ks, e.n, step, splitSettings(tasks));
      case 'genreLoss': {
        const { corpus, blockSize } = genreStage(recipe);
        return evaluateGenreLoss(engine, markovSpec(corpus), e.n, blockSize, step);
      }
      case 'manyShot': {
        const { corpus, blockSize } = functionsStage(recipe);
        return evaluateManyShot(engine, functionsSpec(corpus), e.n, blockSize, step);
      }
    }
  });
}

/** The last lm stage on a generated corpus of genres: what genreLoss measures unseen genres of. */
export function genreStage(recipe: Recipe): { corpus: MarkovCorpus; blockSize: number } {
  for (let i = recipe.stages.length - 1; i >= 0; i--) {
    const s = recipe.stages[i];
    if (s.objective === 'lm' && typeof s.corpus === 'object' && s.corpus.kind === 'markov') return { corpus: s.corpus, blockSize: s.blockSize ?? recipe.model.contextLength };
  }
  throw new Error('evaluation genreLoss needs an lm stage with a generated corpus: corpus: { kind: markov, genres: ... }');
}

/** The last lm stage on a generated corpus of functions: what manyShot measures unseen functions of. */
export function functionsStage(recipe: Recipe): { corpus: FunctionsCorpus; blockSize: number } {
  for (let i = recipe.stages.length - 1; i >= 0; i--) {
    const s = recipe.stages[i];
    if (s.objective === 'lm' && typeof s.corpus === 'object' && s.corpus.kind === 'functions') return { corpus: s.corpus, blockSize: s.blockSize ?? recipe.model.contextLength };
  }
  throw new Error('evaluation manyShot needs an lm stage with a generated corpus of functions: corpus: { kind: functions, keys: ..., values: ... }');
}

/** The salt and test fraction of a recipe's task stage, so "fresh" rules are fresh for that recipe. */
export function splitSettings(tasks: TasksSpec | null): SplitSettings {
  return { salt: tasks?.salt, testFraction: tasks?.testFraction };
}

/**
 * The evaluations a part asks for during training (contextLoss with `during: true`), as the trainer's extraEval
 * hook: scalars eval/icl_loss_k<k> for each k that fits the context, and eval/icl_score = loss at the largest
 * such k minus at the smallest (negative once the model learns from its context). Undefined when none asks.
 * `split` is the recipe's (splitSettings(lastTasks(recipe))), as for the final evaluations.
 */
export function duringTrainingEval(evaluations: readonly Evaluation[], split: SplitSettings = {}): ((engine: Engine) => Scalars) | undefined {
  const during = evaluations.flatMap((e) => (e.kind === 'contextLoss' && e.during ? [e] : []));
  if (during.length === 0) return undefined;
  return (engine) => {
    const scalars: Scalars = {};
    during.forEach((e, i) => {
      const suffix = during.length > 1 ? `_${i + 1}` : '';
      const rows = evaluateContextLoss(engine, e.family, e.ks, e.n, /* step, unused here */ 0, split);
      const points = rows.map((r) => ({ k: r.x!, loss: r.value })).sort((a, b) => a.k - b.k);
      if (points.length < 2) {
        throw new Error(
          `contextLoss with during: true needs two numbers of demonstrations that fit the context of ${engine.config.contextLength} tokens; ` +
            `of ks ${e.ks.join(', ')} only ${points.map((p) => p.k).join(', ') || 'none'} fit: give smaller ks or a longer model.contextLength`,
        );
      }
      for (const p of points) scalars[`eval/icl_loss_k${p.k}${suffix}`] = p.loss;
      scalars[`eval/icl_score${suffix}`] = iclScore(points.map((p) => p.loss));
    });
    return scalars;
  };
}