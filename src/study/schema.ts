/**
 * A study file: one or more parts, each a recipe with sweep axes, plus seeds, evaluations, the claims the
 * report gives verdicts on, and the overrides of its quick mode. It expands into trials (one training run each:
 * expand.ts) and ends in a report (src/report/build.ts; claims and curves are src/report/spec.ts's).
 *
 *   name: breadth
 *   calibrationSeeds: [1, 2, 3]        # the seeds it was tuned on: no mode may run on them
 *   seeds: [21, 22, 23]                # or a count: 3 means seeds 1, 2, 3
 *   seedPaths: [seed]                  # recipe fields set to the trial's seed
 *   recipe: { model: ..., stages: [...] }
 *   sweep:
 *     mode: grid                       # or random, with samples: N
 *     axes:
 *       stages[0].tasks.families[0].config.poolSize: { name: M, values: [1, 4, 16, 64, 256, infinity] }
 *   evaluations: [{ kind: splits, n: 256 }]
 *   quick: { seeds: 3, set: { stages[0].budget.steps: 600 }, axes: { ...: [1, 16, infinity] } }
 *
 * Several parts share one seed list and analysis: `parts: [{ name, recipe, sweep, evaluations, quick }]`
 * instead of the top-level recipe (YAML anchors and `<<:` merges let parts share a base recipe).
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ClaimSchema, CurvePlotSchema } from '../report/spec.js';
import { MixEntrySchema } from '../train/recipe.js';
import { parseOrThrow, ValidationError } from '../util/validation.js';

/** Sweep values may be any YAML value; `infinity` (any case, or .inf) stands for an unbounded pool. */
const AxisValue = z.unknown();

export const AxisSchema = z.union([
  z.array(AxisValue).min(1, 'an axis needs at least one value'),
  z
    .object({
      /** Short label for trial ids, tables and legends, e.g. M; default: the path's last field. */
      name: z.string().regex(/^[A-Za-z][\w-]*$/, 'an axis name is letters, digits, - and _').optional(),
      values: z.array(AxisValue).min(1, 'an axis needs at least one value'),
      /**
       * What each value is called in ids, the store and reports, e.g. 1, 2, 4 for lists of 1, 2, 4 families.
       * Claims (a, b) and `where` then name arms by label.
       */
      labels: z.array(z.string().regex(/^[\w.+-]+$/, 'a label is letters, digits and . + - _')).optional(),
    })
    .strict()
    .refine((a) => !a.labels || a.labels.length === a.values.length, { message: 'give one label per value', path: ['labels'] }),
]);

export const SweepSchema = z
  .object({
    /** grid: every combination; random: `samples` distinct combinations drawn with `seed`. */
    mode: z.enum(['grid', 'random']).default('grid'),
    samples: z.number().int().min(1).optional(),
    seed: z.number().int().min(0).default(0),
    /** Field path in the recipe -> values. */
    axes: z.record(z.string(), AxisSchema).default({}),
  })
  .strict()
  .refine((s) => s.mode === 'grid' || s.samples !== undefined, { message: 'a random sweep needs samples: N', path: ['samples'] });

const familyEntry = MixEntrySchema;
const positiveInt = z.number().int().min(1);

/**
 * Which model an evaluation measures: the final one (default), or the model at the end of an earlier stage
 * (0 = the first), e.g. pass@k before and after an RL stage. Rows from an earlier stage carry the stage's name
 * in their `stage` column; claims name them as `split: test@warm-start` (or `stage: warm-start`).
 */
const afterStage = { stage: z.number().int().min(0).optional() };

/** What is measured on each trial's final model, besides the trainer's periodic evaluations. */
export const EvaluationSchema = z.discriminatedUnion('kind', [
  z
    .object({
      /** Score and exact match on train-split and test-split instances of the training families and on held-out families, per family and domain. */
      kind: z.literal('splits'),
      ...afterStage,
      n: positiveInt.default(128).describe('instances per family and split'),
    })
    .strict(),
  z
    .object({
      /** pass@k from `samples` sampled answers per problem (unbiased estimator), and greedy pass@1. */
      kind: z.literal('passAtK'),
      ...afterStage,
      problems: positiveInt.default(64),
      samples: positiveInt.default(16),
      ks: z.array(positiveInt).min(1).default([1, 4, 16]),
      temperature: z.number().positive().default(1),
      split: z.enum(['test', 'heldout']).default('test'),
    })
    .strict()
    .refine((e) => e.ks.every((k) => k <= e.samples), { message: 'every k must be <= samples', path: ['ks'] }),
  z
    .object({
      /** Score on new rules of an in-context family against the number of demonstrations k. */
      kind: z.literal('iclCurve'),
      ...afterStage,
      family: familyEntry,
      ks: z.array(z.number().int().min(0).max(64)).min(1).default([0, 1, 2, 4, 8]),
      n: positiveInt.default(128),
    })
    .strict(),
  z
    .object({
      /** Loss of the answer against the number of demonstrations before it (on new rules). */
      kind: z.literal('contextLoss'),
      ...afterStage,
      family: familyEntry,
      ks: z.array(z.number().int().min(0).max(64)).min(1).default([0, 1, 2, 4, 8]),
      n: positiveInt.default(64),
      /**
       * Also measure it at every evaluation during training, logged as eval/icl_loss_k<k> and eval/icl_score
       * (the loss at the largest k minus at the smallest: Olsson et al. 2022's late-minus-early score).
       */
      during: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      /**
       * Loss by position on documents of genres never trained on, beside the Bayes-optimal and unigram learners
       * (metrics loss, bayes, unigram; x = position). Needs an lm stage with a generated corpus of genres.
       */
      kind: z.literal('genreLoss'),
      ...afterStage,
      n: positiveInt.max(100_000).default(256).describe('documents of unseen genres'),
    })
    .strict(),
  z
    .object({
      /**
       * Many-shot ICL: accuracy on the answer of demonstration n against n on functions never trained on, beside
       * the ideal learner (metrics accuracy, ideal, window, guess; x = n). Needs an lm stage with a generated
       * corpus of functions; each model answers within its training window (blockSize).
       */
      kind: z.literal('manyShot'),
      ...afterStage,
      n: positiveInt.max(100_000).default(512).describe('documents of unseen functions'),
    })
    .strict(),
]);
export type Evaluation = z.output<typeof EvaluationSchema>;

const QuickPartSchema = z
  .object({
    /** Recipe field path -> value, applied on top of the recipe. */
    set: z.record(z.string(), z.unknown()).default({}),
    /** Recipe field path -> values, replacing that axis's values. */
    axes: z.record(z.string(), AxisSchema).default({}),
  })
  .strict();

export const PartSchema = z
  .object({
    name: z.string().regex(/^[a-z][\w-]*$/, 'a part name is lower-case letters, digits, - and _'),
    description: z.string().optional(),
    recipe: z.record(z.string(), z.unknown()),
    /** Recipe fields set to the trial's seed in this part; default: the study's seedPaths. */
    seedPaths: z.array(z.string()).optional(),
    sweep: SweepSchema.default({ mode: 'grid', seed: 0, axes: {} }),
    evaluations: z.array(EvaluationSchema).default([]),
    quick: QuickPartSchema.optional(),
  })
  .strict();
export type Part = z.output<typeof PartSchema>;

const seedsSchema = z.union(
  [
    z.number().int().min(1).max(1000).transform((n) => Array.from({ length: n }, (_, i) => i + 1)),
    z.array(z.number().int().min(0)).min(1),
  ],
  { error: 'give a number of seeds (1 to 1000) or a list of seeds (integers >= 0)' },
);

export const StudySchema = z
  .object({
    name: z.string().regex(/^[a-z][\w-]*$/, 'a study name is lower-case letters, digits, - and _'),
    title: z.string().optional(),
    claim: z.string().optional(),
    description: z.string().optional(),
    /** The claims the verdict rests on: held when every claim held, not held when any did not, else inconclusive. */
    claims: z.array(ClaimSchema).default([]),
    curves: z.array(CurvePlotSchema).default([]),
    seeds: seedsSchema.default([1, 2, 3]),
    /**
     * The seeds the study was tuned on (budgets, learning rates, task sizes). Its quick and full modes must run on
     * other seeds, so that no verdict rests on the seeds that chose its settings.
     */
    calibrationSeeds: seedsSchema.optional(),
    seedPaths: z.array(z.string()).default(['seed']),
    // The one-part shorthand.
    recipe: z.record(z.string(), z.unknown()).optional(),
    sweep: SweepSchema.optional(),
    evaluations: z.array(EvaluationSchema).optional(),
    parts: z.array(PartSchema).min(1).optional(),
    quick: QuickPartSchema.extend({ seeds: seedsSchema.optional() }).strict().optional(),
    /** Set by `study run` in the resolved copy: which mode this spec was resolved for. */
    mode: z.enum(['quick', 'full']).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.parts && (s.recipe || s.sweep || s.evaluations)) {
      ctx.addIssue({ code: 'custom', path: ['parts'], message: 'give either parts or a top-level recipe/sweep/evaluations, not both' });
    }
    if (!s.parts && !s.recipe) ctx.addIssue({ code: 'custom', path: ['recipe'], message: 'a study needs a recipe (or parts, each with a recipe)' });
    const partNames = s.parts ? s.parts.map((p) => p.name) : ['main'];
    for (const list of ['claims', 'curves'] as const) {
      s[list].forEach((c, i) => {
        if (!partNames.includes(c.part)) ctx.addIssue({ code: 'custom', path: [list, i, 'part'], message: `no part is named ${c.part}; the parts are ${partNames.join(', ')}` });
      });
    }
    for (const issue of calibrationOverlaps(s)) ctx.addIssue({ code: 'custom', ...issue });
    const names = new Set<string>();
    s.parts?.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: ['parts', i, 'name'], message: `two parts are named ${p.name}` });
      names.add(p.name);
    });
  });

export type StudyFile = z.output<typeof StudySchema>;

/** The seed lists of each mode that share a seed with calibrationSeeds: a mode may not run on the seeds that tuned it. */
function calibrationOverlaps(s: { seeds: number[]; calibrationSeeds?: number[]; quick?: { seeds?: number[] } }): { path: (string | number)[]; message: string }[] {
  if (!s.calibrationSeeds) return [];
  const tuned = new Set(s.calibrationSeeds);
  const modes: [string, (string | number)[], number[]][] = [['full', ['seeds'], s.seeds]];
  // Without quick.seeds the quick mode runs on `seeds`, checked above.
  if (s.quick?.seeds) modes.push(['quick', ['quick', 'seeds'], s.quick.seeds]);
  return modes.flatMap(([mode, path, seeds]) => {
    const shared = seeds.filter((x) => tuned.has(x));
    if (shared.length === 0) return [];
    const list = shared.join(', ');
    const seed = shared.length === 1 ? `seed ${list} is` : `seeds ${list} are`;
    return [{ path, message: `the ${mode} mode would run on the tuning seeds: ${seed} also in calibrationSeeds (${s.calibrationSeeds!.join(', ')}); choose ${path.join('.')} among seeds the study was not tuned on` }];
  });
}

/** A study with its parts spelled out (the shorthand turned into one part named `main`). */
export interface Study extends Omit<StudyFile, 'recipe' | 'sweep' | 'evaluations' | 'parts'> {
  parts: Part[];
}

export function parseStudy(input: unknown, what = 'study'): Study {
  const file = parseOrThrow(StudySchema, normalizeInfinity(input), what);
  const { recipe, sweep, evaluations, parts, ...rest } = file;
  const main: Part = { name: 'main', recipe: recipe ?? {}, sweep: sweep ?? { mode: 'grid', seed: 0, axes: {} }, evaluations: evaluations ?? [] };
  return { ...rest, parts: parts ?? [main] };
}

export function parseStudyText(text: string, what = 'study'): Study {
  let data: unknown;
  try {
    data = parseYaml(text, { merge: true });
  } catch (err) {
    throw new ValidationError(`${what} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, []);
  }
  return parseStudy(data, what);
}

/**
 * Infinity has no JSON form (it becomes null), and trials travel as JSON; so every spelling of it (.inf,
 * Infinity, "infinity") becomes the string `infinity`, which pool sizes accept.
 */
export function normalizeInfinity(value: unknown): unknown {
  if (value === Infinity || (typeof value === 'string' && /^(\+?\.?inf(inity)?)$/i.test(value))) return 'infinity';
  if (Array.isArray(value)) return value.map(normalizeInfinity);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeInfinity(v)]));
  return value;
}

/** An axis value as a number for sorting and plotting: `infinity` is Infinity, non-numbers are NaN. */
export function axisNumber(value: unknown): number {
  if (value === 'infinity') return Infinity;
  return typeof value === 'number' ? value : NaN;
}
