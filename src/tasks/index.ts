/**
 * src/tasks: the task universe. Importing this module registers every built-in family. Browser-safe; the
 * Node-only JSONL loader is user-file.ts.
 *
 * Families and the registry
 *   listFamilies(domains?) -> TaskFamily[]        getFamily(name) -> TaskFamily       DOMAINS
 *   family.generate / score / key / maxLength / levels / config (zod, with defaults)
 * Instances and splits (a split is a hash of the canonical key, never of the seed)
 *   resolveConfig(family, difficulty, overrides) -> Config
 *   makeInstance(family, { split, seed, index, difficulty? | config?, salt?, testFraction? }) -> Instance
 *   splitOf(familyName, key, { salt?, testFraction? }) -> 'train' | 'test'
 * Sequences for the trainer
 *   encodeInstance(inst) -> { tokens: BOS prompt SEP answer EOS, answerStart }
 *   encodePrompt(inst) -> BOS prompt SEP          decodeAnswer(sampledIds) -> text before EOS
 *   answerWeights(seq) -> per-target weights      sequenceLength(maxChars) -> tokens
 * Diversity knobs (config overrides)
 *   icl/*:   k (demonstrations), poolSize (M rules; Infinity or "infinity" = a fresh rule each episode), poolSeed
 *   world/*: numLevels (procgen's num_levels), levelSeed
 *   The train split draws from the pool; the test split draws rules/levels that hash to test, never in a pool.
 * Mixes, selection, curricula
 *   new TaskMix({ families: [name | { family, weight, levels, config }], seed, salt, testFraction })
 *     .sample(rng, split?, curriculum?) -> Instance   .breadth()   .maxLength()   .families()
 *   chooseFamilies({ k, seed, domains?, exclude? })  selectFamilies({ names?, domains? })
 *   splitFamilies(heldOut, trainDomains?) -> { train, heldOut }
 *   new Curriculum({ kind: 'fixed' | 'steps' | 'accuracy', ... })
 * User tasks and checks
 *   registerUserTasks(jsonlText, defaultFamily) -> TaskFamily[]     checkFamily(family) -> CheckResult[]
 */
import './catalog.js';

export {
  DOMAINS,
  SPLITS,
  exactScore,
  normalize,
  type Config,
  type Domain,
  type Generated,
  type Instance,
  type Split,
  type SplitContext,
  type TaskFamily,
} from './family.js';
export { getFamily, hasFamily, listFamilies, parseDomain, registerFamily, unregisterFamily } from './registry.js';
export {
  DEFAULT_SALT,
  DEFAULT_TEST_FRACTION,
  makeInstance,
  resolveConfig,
  splitContext,
  splitOf,
  splitOfInstance,
  type InstanceRequest,
  type SplitOptions,
} from './split.js';
export { answerWeights, decodeAnswer, encodeInstance, encodePrompt, sequenceLength, type TrainingSequence } from './sequence.js';
export { TaskMix, MixEntrySchema, type Breadth, type MixEntryInput, type TaskMixSpec } from './mix.js';
export { chooseFamilies, selectFamilies, splitFamilies, type FamilyFilter } from './select.js';
export { Curriculum, CurriculumSchema, type CurriculumSpec, type CurriculumState } from './curriculum.js';
export { poolSizeSchema } from './pool.js';
export { parseUserTasks, registerUserTasks, numericMatch, type UserTask, type LineProblem } from './user.js';
export { CHECKS, MAX_FAMILY_LENGTH, checkFamily, corruptions, type CheckName, type CheckResult } from './checks.js';
export { SandboxError, parseProgram, runProgram, runStack, tryRun } from './code/interpreter.js';
