/**
 * What a study file may ask of its report: claims (arm b against arm a of one axis, on one measure) and
 * learning-curve plots. The study schema (src/study/schema.ts) takes these as they are; the report
 * (build.ts) judges and draws them.
 */
import { z } from 'zod';
import { fromPackedColumns, type EvalKey } from '../measure/evals.js';
import { IdealSchema } from './ideal.js';

/**
 * An `eval` measure's row: split names as study files write them (`heldout`, `test@warm-start`,
 * `pass@k:test`), read into the row's columns; explicit suite, stage and x win.
 */
function evalSelector(e: { split: string; metric: string; family: string; domain: string; suite?: EvalKey['suite']; stage?: string | null; x?: number | null }): EvalKey {
  const packed = fromPackedColumns(e.split, e.metric);
  // Without a suite, pass@k metrics can only come from passAtK rows.
  const inferred = /^(greedy_)?pass@\d+$/.test(packed.metric) && packed.suite === 'splits' ? 'passAtK' : packed.suite;
  return {
    suite: e.suite ?? inferred,
    split: packed.split,
    stage: e.stage ?? packed.stage,
    family: e.family,
    domain: e.domain,
    metric: packed.metric,
    x: e.x ?? packed.x,
  };
}

/** A stage of the recipe: 0, 1, ... from the first, -1 for the last. */
const stageIndex = z.number().int();

/**
 * What a number in the report is, read from a trial: a final evaluation row, the last or the mean value of a
 * logged metric (mean = area under the learning curve), or the training examples needed to reach a threshold.
 */
export const MeasureSchema = z.union([
  z
    .object({
      eval: z
        .object({
          split: z.string().describe('train | test | heldout; `test@warm-start` or `pass@k:test` also name the stage and suite'),
          metric: z.string(),
          family: z.string().default('*'),
          domain: z.string().default('*'),
          suite: z.enum(['splits', 'passAtK', 'iclCurve', 'contextLoss', 'genreLoss', 'manyShot']).optional(),
          /** The earlier stage whose model was measured (its name); default (null): the final model. */
          stage: z.string().nullable().optional(),
          /** A point of a curve, e.g. the number of demonstrations of an iclCurve; null: not a curve. */
          x: z.number().nullable().optional(),
        })
        .strict()
        .transform(evalSelector),
    })
    .strict(),
  z.object({ last: z.string().describe('a logged metric, e.g. eval/test_acc') }).strict(),
  z.object({ mean: z.string(), stage: stageIndex.optional() }).strict(),
  z
    .object({
      examplesTo: z.object({ tag: z.string(), threshold: z.number(), stage: stageIndex.default(0) }).strict(),
    })
    .strict(),
  z
    .object({
      /** Demonstrations needed to reach the threshold on new rules, from the iclCurve evaluation of `family`. */
      demonstrationsTo: z.object({ family: z.string(), threshold: z.number() }).strict(),
    })
    .strict(),
]);
export type Measure = z.output<typeof MeasureSchema>;

/**
 * An arm a claim's range is read from: the finished trials of `part` (default: the claim's) whose axes have the
 * values `where` names (axis name -> value; {} is every trial of the part), on `measure` (default: the claim's).
 */
export const ReferenceArmSchema = z
  .object({
    part: z.string().optional(),
    where: z.record(z.string(), z.unknown()).default({}),
    measure: MeasureSchema.optional(),
    /** What the reference is called in findings and on the plot, e.g. "trained on the held-out family". */
    label: z.string().min(1).optional(),
    /**
     * For a ceiling whose measure is a count (examples to a threshold): a rate the positive control must also
     * reach 0.8 on, e.g. its final accuracy { last: eval/test_acc }; reaching a 50% threshold alone is a weak check.
     */
    check: MeasureSchema.optional(),
  })
  .strict();
export type ReferenceArm = z.output<typeof ReferenceArmSchema>;

/**
 * The floor of a claim's range: what the measure is without the mechanism. A number in the measure's units
 * (chance), a number with its label, or a measured arm (the best score without the mechanism).
 */
export const FloorSchema = z.union([
  z.number(),
  z.object({ value: z.number(), label: z.string().min(1) }).strict(),
  ReferenceArmSchema,
]);
export type Floor = z.output<typeof FloorSchema>;

/**
 * Another effect a claim compares its own with: arm `b` against arm `a` of `axis`, on the claim's measure. Its
 * size counts whichever way it goes, e.g. the label effect (RL against SFT) beside the breadth effect.
 */
export const OtherEffectSchema = z
  .object({
    axis: z.string(),
    a: z.unknown(),
    b: z.unknown(),
    where: z.record(z.string(), z.unknown()).default({}),
    /** What the effect is called in findings, e.g. "the label effect (RL - SFT)". */
    label: z.string().min(1),
  })
  .strict();
export type OtherEffect = z.output<typeof OtherEffectSchema>;

/**
 * A claim the report gives a verdict on: arm `b` against arm `a` of one axis, on one measure, in the direction
 * the claim predicts. The verdict comes from the confidence interval of the difference over seeds.
 */
export const ClaimSchema = z
  .object({
    part: z.string().default('main'),
    text: z.string().min(1),
    measure: MeasureSchema,
    /** What the measure is called in tables and plots. */
    label: z.string().min(1),
    /** The axis whose values are the arms. */
    axis: z.string(),
    a: z.unknown(),
    b: z.unknown(),
    /** Other axes held at one value (axis name -> value); trials elsewhere on them are left out. */
    where: z.record(z.string(), z.unknown()).default({}),
    /** Measure arm a or b differently (e.g. the same arm at two numbers of demonstrations). */
    measureA: MeasureSchema.optional(),
    measureB: MeasureSchema.optional(),
    direction: z.enum(['increase', 'decrease']),
    minEffect: z.number().min(0).default(0),
    /** What a reader needs to read the numbers, e.g. the chance level; appended to the finding. */
    context: z.string().optional(),
    /** The measure without the mechanism (chance, or an arm without it); the bottom of the claim's range. */
    floor: FloorSchema.optional(),
    /**
     * The positive control: an arm trained directly on the target with the same budget, the top of the claim's
     * range. A rate below 0.8 there (or a count never reached) means the instrument cannot show the effect: the
     * claim is then inconclusive, whatever its difference says.
     */
    ceiling: ReferenceArmSchema.optional(),
    /**
     * For a count (examples or demonstrations to a threshold): what an ideal learner needs on the same task, one
     * for every arm or one per arm (`arms: { label: { value, label } }`); the report prints each arm's count as a
     * ratio of it (report/ideal.ts).
     */
    ideal: IdealSchema.optional(),
    /**
     * Make the claim a contrast of two effects: this claim's own effect (b - a on its axis, in its direction,
     * averaged over the axes `where` leaves free) must be larger than the size |b - a| of this other one. Both are
     * taken per seed, so the verdict rests on the interval of the per-seed contrast (report/contrast.ts).
     */
    than: OtherEffectSchema.optional(),
  })
  .strict();
export type Claim = z.output<typeof ClaimSchema>;

/** A learning-curve plot: a logged metric against training examples, one line per arm. */
export const CurvePlotSchema = z
  .object({
    part: z.string().default('main'),
    tag: z.string(),
    axis: z.string(),
    label: z.string(),
    stage: stageIndex.default(0),
    where: z.record(z.string(), z.unknown()).default({}),
    threshold: z.number().optional(),
  })
  .strict();

export type CurvePlot = z.output<typeof CurvePlotSchema>;

/** An axis value as it names an arm: in trial ids, the store, tables, legends, and a claim's `a`, `b` and `where`. */
export function valueLabel(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Lists of families read as their names: [math/add, code/trace] -> math/add+code/trace.
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === 'object' && 'family' in v ? String((v as { family: unknown }).family) : valueLabel(v))).join('+');
  return JSON.stringify(value);
}

/** What a report needs to know of its study; src/study/schema.ts's Study is one. */
export interface ReportedStudy {
  name: string;
  title?: string;
  claim?: string;
  mode?: 'quick' | 'full';
  seeds: number[];
  /** The seeds the study was tuned on, kept apart from those its modes run on. */
  calibrationSeeds?: number[];
  claims: Claim[];
  curves: CurvePlot[];
  parts: { name: string; description?: string; sweep: { axes: Record<string, unknown[] | { values: unknown[] }> } }[];
}
