/**
 * What a recipe will cost before it starts: parameters, memory and floating-point work, from the model's shape
 * and each stage's batch. A run that cannot fit this machine is refused with the figures and the field to
 * change, instead of failing later as `Invalid typed array length` or an out-of-memory kill.
 *
 * The figures are estimates, on the safe side:
 *   memory = 20 B per parameter (weights, gradients, AdamW's two moments, and one copy for checkpoints or the
 *            KL reference) + the engine's activation arena for (rows, T), as native/gpt.cpp lays it out
 *   work   = 6 FLOPs per parameter per trained token (forward and backward), + 2 per sampled token (rl, rft, mix)
 *   time   = work / assumedFlops(config)
 */
import type { GPTConfig } from '../model/config.js';
import type { Recipe, Stage } from './recipe.js';

/** Bytes per parameter: weights, gradients, AdamW m and v (4 B each), and one more copy. */
export const BYTES_PER_PARAM = 20;
/** The longest typed array V8 allocates (Node 20): 2^32 elements. */
export const MAX_ARRAY_LENGTH = 2 ** 32;
/**
 * FLOP/s one trial (one core) is assumed to sustain, for time estimates: 1 GFLOP/s per unit of dModel, at most
 * 60 GFLOP/s. Measured here (2 cores, native engine, two trials at once): the breadth study's quick mode, d 64,
 * sustained ~100 GFLOP/s of 6-FLOPs-per-parameter-token arithmetic per trial (36 trials, 7.3e13 FLOPs, 6m14s),
 * `continuum bench`'s R1 (d 128) ~40 GFLOP/s per core; a 20,000-layer d 16 model only 2.2 GFLOP/s, where
 * per-layer overhead dominates. It counts the training arithmetic only; evaluations add to it.
 */
export function assumedFlops(config: GPTConfig): number {
  return Math.min(60e9, 1e9 * config.dModel);
}

export interface Footprint {
  params: number;
  /** Peak bytes of the stage that needs the most. */
  bytes: number;
  /** The stage that needs the most memory (index into recipe.stages). */
  peakStage: number;
  /** The longest single array, in floats: the parameter buffer or the logits of a batch. */
  largestArray: number;
  /** Floating-point operations of the whole recipe. */
  flops: number;
  /** flops at assumedFlops: seconds of training arithmetic on one core. */
  seconds: number;
}

/** paramLayout(config).total (tested), without building a layout whose loop over layers is itself slow when huge. */
export function parameterCount(config: GPTConfig): number {
  const C = config.dModel;
  const F = config.mlpRatio * C;
  const perLayer = 4 * C + 3 * C * C + 3 * C + C * C + C + F * C + F + C * F + C;
  return config.vocabSize * C + config.contextLength * C + config.nLayers * perLayer + 2 * C;
}

/** Rows and their length in one forward/backward pass of a stage: rl and rft sample groups per prompt. */
function passShape(stage: Stage, config: GPTConfig): { rows: number; T: number } {
  const T = stage.objective === 'lm' ? (stage.blockSize ?? config.contextLength) : config.contextLength;
  const per = stage.objective === 'rl' || stage.objective === 'mix' ? (stage.rl?.groupSize ?? 8) : stage.objective === 'rft' ? (stage.rft?.samples ?? 8) : 1;
  return { rows: stage.batchSize * per, T };
}

/** Native attention's kFlashFrom threshold (native/attention.h): longer contexts run tiled attention. */
export const TILED_ATTENTION_FROM = 512;

/**
 * Floats attention keeps per (row, head) for the backward pass: the probabilities [T, Tp] (Tp: T rounded up to
 * 16) up to TILED_ATTENTION_FROM, past it each row's log-sum-exp [T] (O(T), not O(T^2)).
 */
export function attentionSavedFloats(T: number): number {
  return T > TILED_ATTENTION_FROM ? T : T * Math.ceil(T / 16) * 16;
}

/** Floats of the native engine's activation arena for B rows of T tokens (see GPT::prepare in native/gpt.cpp). */
export function activationFloats(config: GPTConfig, B: number, T: number): number {
  const N = B * T;
  const { dModel: C, nLayers: L, nHeads: H, vocabSize: V } = config;
  const F = config.mlpRatio * C;
  const perLayer = N * (2 * C + C + 2 + 3 * C + C + C + 2 + 2 * F) + B * H * attentionSavedFloats(T);
  return L * perLayer + N * (C + 2 + 2 * V + C + C + 3 * C + C + F) + N * C;
}

function stageSteps(stage: Stage, rows: number, T: number): number {
  const b = stage.budget;
  if (b.steps) return b.steps;
  if (b.episodes) return Math.ceil(b.episodes / stage.batchSize);
  return Math.ceil(b.tokens! / (rows * T));
}

export function recipeFootprint(recipe: Recipe, config: GPTConfig): Footprint {
  const params = parameterCount(config);
  let bytes = 0;
  let peakStage = 0;
  let largestArray = params;
  let flops = 0;
  recipe.stages.forEach((stage, i) => {
    const { rows, T } = passShape(stage, config);
    const stageBytes = params * BYTES_PER_PARAM + activationFloats(config, rows, T) * 4;
    if (stageBytes > bytes) [bytes, peakStage] = [stageBytes, i];
    largestArray = Math.max(largestArray, rows * T * config.vocabSize);
    const sampled = stage.objective === 'lm' || stage.objective === 'sft' ? 0 : 2;
    flops += stageSteps(stage, rows, T) * rows * T * params * (6 + sampled);
  });
  return { params, bytes, peakStage, largestArray, flops, seconds: flops / assumedFlops(config) };
}

/**
 * Why a recipe cannot run on a machine with `memoryBytes` of memory, one line per problem naming the fields to
 * change; empty when it can. `where` prefixes the field paths (e.g. `recipe` or a trial id).
 */
export function footprintProblems(recipe: Recipe, config: GPTConfig, memoryBytes: number, where = 'recipe'): string[] {
  const f = recipeFootprint(recipe, config);
  const m = recipe.model;
  const shape = `${where}.model (nLayers ${m.nLayers}, dModel ${m.dModel}, contextLength ${m.contextLength})`;
  const problems: string[] = [];
  if (f.params > MAX_ARRAY_LENGTH) {
    problems.push(`${shape} has ${formatCount(f.params)} parameters; one buffer holds at most ${formatCount(MAX_ARRAY_LENGTH)}: lower dModel or nLayers`);
  } else if (f.largestArray > MAX_ARRAY_LENGTH) {
    problems.push(`${where}.stages: a batch's logits take ${formatCount(f.largestArray)} floats; one array holds at most ${formatCount(MAX_ARRAY_LENGTH)}: lower batchSize (or model.contextLength)`);
  }
  if (f.bytes > memoryBytes) {
    problems.push(
      `${shape} with stages[${f.peakStage}].batchSize ${recipe.stages[f.peakStage].batchSize} needs about ${formatBytes(f.bytes)} ` +
        `(${formatCount(f.params)} parameters × ${BYTES_PER_PARAM} B + activations); this machine has ${formatBytes(memoryBytes)}: lower dModel, nLayers, contextLength or batchSize`,
    );
  }
  return problems;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) [value, unit] = [value / 1024, unit + 1];
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 51549241344 -> `5.2e10`; small counts as they are. */
export function formatCount(n: number): string {
  return n < 1e6 ? String(n) : n.toExponential(1).replace('e+', 'e');
}
