/**
 * A recipe: a model, a seed and a list of stages, each a point on the pre-training <-> RL continuum.
 * Plain data (YAML or JSON), validated here with errors that name the field path and what is allowed.
 *
 *   model:  { nLayers: 2, nHeads: 4, dModel: 64, contextLength: 64 }
 *   seed:   1
 *   stages:
 *     - objective: sft                      # lm | sft | rft | rl | mix
 *       tasks: { families: [math/add] }
 *       budget: { steps: 500 }              # or tokens, or episodes
 *     - objective: rl
 *       tasks: { families: [math/add] }
 *       budget: { steps: 100 }
 *       rl: { groupSize: 8, advantage: grpo }
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import '../tasks/catalog.js';
import { DOMAINS } from '../tasks/family.js';
import { unknownConfigKeys } from '../tasks/config-keys.js';
import { CurriculumSchema } from '../tasks/curriculum.js';
import { getFamily, hasFamily } from '../tasks/registry.js';
import { chooseFamilies } from '../tasks/select.js';
import { MixEntrySchema as TaskMixEntrySchema } from '../tasks/mix.js';
import { parseOrThrow, ValidationError } from '../util/validation.js';
import { paramLayout } from '../model/config.js';
import { namesTensor } from '../model/init.js';

const positiveInt = z.number().int().min(1);
const nonNegative = z.number().min(0);

export const ModelSchema = z
  .object({
    nLayers: positiveInt.default(2),
    nHeads: positiveInt.default(4),
    dModel: positiveInt.default(64),
    contextLength: positiveInt.max(4096).default(64),
    mlpRatio: positiveInt.default(4),
    /**
     * false = nanoGPT's `bias=False`: every Linear and LayerNorm bias stays at zero (its gradient is dropped
     * before each step), which is exactly a bias-free GPT; the zero tensors are still saved, so checkpoints
     * keep one layout.
     */
    bias: z.boolean().default(true),
  })
  .strict()
  .refine((m) => m.dModel % m.nHeads === 0, { message: 'dModel must be divisible by nHeads', path: ['nHeads'] });

export const BudgetSchema = z
  .object({
    // Caps far past any run this laboratory makes, so a typo of a few zeros is refused instead of running for years.
    steps: positiveInt.max(1e9, 'at most 1e9 steps; a budget this large runs for years').optional(),
    tokens: positiveInt.max(1e12, 'at most 1e12 tokens; a budget this large runs for years').optional(),
    episodes: positiveInt.max(1e11, 'at most 1e11 episodes; a budget this large runs for years').optional(),
  })
  .strict()
  .refine((b) => [b.steps, b.tokens, b.episodes].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of steps, tokens or episodes',
  });

export const ScheduleSchema = z
  .object({
    lr: z.number().positive().default(1e-3),
    minLr: nonNegative.optional(), // default: lr / 10
    warmupSteps: z.number().int().min(0).default(0),
    decay: z.enum(['cosine', 'constant']).default('cosine'),
  })
  .strict();

export const OptimizerSchema = z
  .object({
    beta1: z.number().min(0).max(0.9999).default(0.9),
    beta2: z.number().min(0).max(0.99999).default(0.99),
    eps: z.number().positive().default(1e-8),
    weightDecay: nonNegative.default(0.1),
    gradClip: nonNegative.default(1),
  })
  .strict();

export const SamplingSchema = z
  .object({
    temperature: nonNegative.default(1),
    topK: z.number().int().min(0).default(0),
    maxNewTokens: positiveInt.max(4096).optional(), // default: the family's longest answer + 1
  })
  .strict();

/** One family of a task mix: a name, or { family, weight, levels, config } (src/tasks/mix.ts). */
export const MixEntrySchema = z.union([z.string().min(1), TaskMixEntrySchema.strict()]);

/**
 * `choose: { k, from | domains, seed }`: k more training families drawn at random, never a held-out or already
 * listed one. The seed defaults to the recipe's, so each seed of a study trains its own draw and an arm's effect
 * is not the effect of one particular set of families. Parsing resolves it: the parsed recipe lists the families.
 * Two stages that choose from the same pool with the same seed draw the same families.
 */
export const ChooseSchema = z
  .object({
    k: positiveInt,
    seed: z.number().int().min(0).optional(),
    from: z.array(z.string().min(1)).min(1).optional(),
    domains: z.array(z.enum(DOMAINS)).min(1).optional(),
  })
  .strict()
  .refine((c) => !(c.from && c.domains), { message: 'give either from (family names) or domains, not both', path: ['from'] });

export const TasksSchema = z
  .object({
    families: z.array(MixEntrySchema).default([]),
    choose: ChooseSchema.optional(),
    /** Families no training stage sees, scored at every evaluation to measure transfer. */
    heldOut: z.array(MixEntrySchema).default([]),
    /** Which difficulty levels may be sampled as training goes on (fixed, steps or accuracy). */
    curriculum: CurriculumSchema.optional(),
    /** Share of each family's problems held out as the test split, and the salt of the split's hash. */
    testFraction: z.number().gt(0).lt(1).optional(),
    salt: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => t.families.length > 0 || t.choose, {
    message: 'name at least one family (see `continuum tasks list`), or choose: { k, from }',
    path: ['families'],
  });

export const RlSchema = z
  .object({
    /** G completions per prompt; the group mean is the baseline. */
    groupSize: z.number().int().min(2).default(8),
    /** `mean`: advantage = r - group mean (REINFORCE with group baseline); `grpo`: also divide by the group std. */
    advantage: z.enum(['mean', 'grpo']).default('grpo'),
    /** PPO-style ratio clipping epsilon; 0 disables. Matters only with innerEpochs > 1. */
    clip: nonNegative.default(0.2),
    innerEpochs: positiveInt.default(1),
    /** Weight of the KL penalty to the frozen model the stage started from (k3 estimator); 0 disables. */
    klBeta: nonNegative.default(0),
    dropZeroVarianceGroups: z.boolean().default(false),
    /** Reward -= lengthPenalty * completion tokens. */
    lengthPenalty: nonNegative.default(0),
  })
  .strict();

export const defaultRl = RlSchema.parse({});

export const RftSchema = z
  .object({
    samples: positiveInt.default(8),
    threshold: z.number().min(0).max(1).default(1),
  })
  .strict();

export const InitSchema = z.union([
  z.literal('random'),
  z.literal('previous'),
  z.object({ checkpoint: z.string().min(1) }).strict(),
]);

/**
 * A generated corpus of Markov "genres" (text/markov.ts), the instrument of corpus breadth:
 * `corpus: { kind: markov, genres: 16 }` pre-trains on documents of 16 random chains; `genres: infinity` on a
 * fresh chain every document. Documents of unseen genres give eval/unseen_loss.
 */
export const MarkovCorpusSchema = z
  .object({
    kind: z.literal('markov'),
    // Kept as 'infinity' rather than Infinity: recipes travel as JSON (to trial workers, into recipe.json).
    genres: z
      .union([z.number().int().min(1), z.literal('infinity'), z.literal(Infinity).transform(() => 'infinity' as const)])
      .default('infinity')
      .describe('distinct genres (chains) the training documents are drawn from; infinity: a fresh chain per document'),
    alphabet: z.number().int().min(2).max(26).default(8),
    concentration: z.number().positive().default(1).describe('Dirichlet concentration of each transition row'),
    documentLength: z.number().int().min(2).max(4097).default(65).describe('letters per document (at least blockSize + 1)'),
    documents: z.number().int().min(10).max(1_000_000).default(16_384),
    unseenDocuments: positiveInt.max(100_000).default(512),
    genreSeed: z.number().int().min(0).default(0),
  })
  .strict();
export type MarkovCorpus = z.output<typeof MarkovCorpusSchema>;

/**
 * A generated corpus of random functions (text/functions.ts), the instrument of many-shot in-context learning:
 * every document is a stream of demonstrations `x f(x)` of a function drawn fresh for it (2 tokens each).
 */
export const FunctionsCorpusSchema = z
  .object({
    kind: z.literal('functions'),
    keys: z.number().int().min(2).max(52).default(32).describe('keys x (letters A-Z, a-z)'),
    values: z.number().int().min(2).max(10).default(10).describe('values f(x) (digits)'),
    demonstrations: z.number().int().min(1).max(2048).default(257).describe('demonstrations per document, 2 tokens each (2 * demonstrations >= blockSize + 1)'),
    documents: z.number().int().min(10).max(1_000_000).default(8192),
    unseenDocuments: positiveInt.max(100_000).default(512),
    seed: z.number().int().min(0).default(0),
    loss: z.enum(['all', 'answers']).default('all').describe('train on every token, or on the answers f(x) only (the keys are uniform noise)'),
  })
  .strict();
export type FunctionsCorpus = z.output<typeof FunctionsCorpusSchema>;

export const StageSchema = z
  .object({
    name: z.string().min(1).optional(),
    objective: z.enum(['lm', 'sft', 'rft', 'rl', 'mix']),
    /** lm only: a built-in corpus name (`shakespeare`), a path to a text file, or a generated corpus (genres, functions). */
    corpus: z.union([z.string().min(1), z.discriminatedUnion('kind', [MarkovCorpusSchema, FunctionsCorpusSchema])]).optional(),
    /** Task stages (sft, rft, rl, mix). */
    tasks: TasksSchema.optional(),
    budget: BudgetSchema,
    /** Sequences per step (lm, sft) or prompts per step (rft, rl; each sampled groupSize / samples times). */
    batchSize: positiveInt.default(16),
    /** lm only: tokens per training window; default = the model's contextLength. */
    blockSize: positiveInt.optional(),
    schedule: ScheduleSchema.default({ lr: 1e-3, warmupSteps: 0, decay: 'cosine' }),
    optimizer: OptimizerSchema.default({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradClip: 1 }),
    sampling: SamplingSchema.default({ temperature: 1, topK: 0 }),
    rl: RlSchema.optional(),
    rft: RftSchema.optional(),
    /** mix only: the fraction of each batch trained with rl, the rest with sft. */
    rlFraction: z.number().min(0).max(1).optional(),
    init: InitSchema.default('previous'),
    /**
     * Tensors drawn afresh at the stage's start (nanoGPT names or a prefix: `transformer.wte` is the token
     * embedding and the tied output head), the rest kept from `init`: an ablation of what a prior carries.
     */
    reinit: z.array(z.string().min(1)).default([]),
    eval: z
      .object({ interval: z.number().int().min(0).default(0), iters: positiveInt.default(20) })
      .strict()
      .default({ interval: 0, iters: 20 }),
    checkpointInterval: z.number().int().min(0).default(0),
  })
  .strict()
  .superRefine((s, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (s.objective === 'lm') {
      if (!s.corpus) problem('corpus', 'an lm stage needs a corpus: `shakespeare` or a path to a text file');
      if (s.tasks) problem('tasks', 'an lm stage trains on a corpus, not tasks: remove tasks or use objective sft');
    } else {
      if (!s.tasks) problem('tasks', `a ${s.objective} stage needs tasks: { families: [...] } (see \`continuum tasks list\`)`);
      if (s.corpus) problem('corpus', `a ${s.objective} stage trains on tasks, not a corpus: remove corpus or use objective lm`);
    }
    for (const list of ['families', 'heldOut'] as const) {
      s.tasks?.[list].forEach((entry, j) => {
        const name = typeof entry === 'string' ? entry : entry.family;
        if (hasFamily(name)) {
          if (typeof entry !== 'string') for (const { key, message } of unknownConfigKeys(getFamily(name), entry.config)) ctx.addIssue({ code: 'custom', path: ['tasks', list, j, 'config', key], message, params: { value: false } });
          return;
        }
        try {
          getFamily(name);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['tasks', list, j], message: (err as Error).message });
        }
      });
    }
    if (s.objective === 'mix' && s.rlFraction === undefined) problem('rlFraction', 'a mix stage needs rlFraction in [0, 1]');
    if (s.objective !== 'mix' && s.rlFraction !== undefined) problem('rlFraction', 'rlFraction belongs to mix stages only');
    if (s.rl && !['rl', 'mix'].includes(s.objective)) problem('rl', 'rl settings belong to rl or mix stages');
    if (s.rft && s.objective !== 'rft') problem('rft', 'rft settings belong to rft stages');
    const unsampled = accuracyCurriculumWithoutSamples(s);
    if (unsampled) ctx.addIssue({ code: 'custom', path: ['tasks', 'curriculum'], message: unsampled });
  });

/**
 * An accuracy curriculum moves up on the scores of the model's own sampled answers. sft (and mix with
 * rlFraction 0, which trains exactly like sft) samples none, so the curriculum would stay at its first level.
 */
function accuracyCurriculumWithoutSamples(s: { objective: string; rlFraction?: number; tasks?: { curriculum?: { kind: string } } }): string | null {
  if (s.tasks?.curriculum?.kind !== 'accuracy') return null;
  const stage = s.objective === 'sft' ? 'an sft stage' : s.objective === 'mix' && s.rlFraction === 0 ? 'a mix stage with rlFraction 0' : null;
  if (!stage) return null;
  return (
    `an accuracy curriculum moves up on the scores of the model's own answers, which ${stage} never samples, so it would ` +
    'never leave its first level: use { kind: steps, every: N }, or an rl, rft or mix stage with rlFraction > 0'
  );
}

const familyName = (entry: string | { family: string }) => (typeof entry === 'string' ? entry : entry.family);

/**
 * Held-out families measure transfer to what no stage trained on before them: one listed in a stage's own
 * families, or trained by an earlier stage, would be measured on what the model has seen. (A later stage may
 * train an earlier stage's held-out family: that is fine-tuning on a new family.)
 */
function heldOutProblems(stages: ReadonlyArray<{ tasks?: { families: ReadonlyArray<string | { family: string }>; heldOut: ReadonlyArray<string | { family: string }> } }>): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  stages.forEach((stage, i) => {
    stage.tasks?.heldOut.forEach((entry, j) => {
      const name = familyName(entry);
      const path = ['stages', i, 'tasks', 'heldOut', j];
      if (stage.tasks!.families.some((f) => familyName(f) === name)) {
        problems.push({ path, message: `${name} is also in stages[${i}].tasks.families: a held-out family must not be trained on; remove it from one of the two` });
        return;
      }
      const earlier = stages.findIndex((other, e) => e < i && other.tasks?.families.some((f) => familyName(f) === name));
      if (earlier >= 0) {
        problems.push({
          path,
          message: `${name} is trained by stages[${earlier}].tasks.families, an earlier stage, so it is not held out from this model: remove it there or from heldOut`,
        });
      }
    });
  });
  return problems;
}

/** `reinit` entries must name tensors of this model, and a stage that starts from random weights has none to redraw. */
function reinitProblems(model: z.output<typeof ModelSchema>, stages: ReadonlyArray<{ init: unknown; reinit: string[] }>): { path: (string | number)[]; message: string }[] {
  const names = paramLayout({ ...model, vocabSize: 2 }).tensors.map((t) => t.name);
  return stages.flatMap((stage, i) => {
    if (stage.reinit.length === 0) return [];
    // Read after the transform, which resolves a first stage's 'previous' to 'random'.
    if (stage.init === 'random') {
      return [{ path: ['stages', i, 'reinit'], message: 'this stage starts from random weights, so there is nothing to draw afresh: remove reinit, or start from previous or a checkpoint' }];
    }
    return stage.reinit.flatMap((entry, j) =>
      names.some((name) => namesTensor(entry, name))
        ? []
        : [{ path: ['stages', i, 'reinit', j], message: `not a tensor of this model, nor a prefix of one: use a nanoGPT name or prefix, e.g. transformer.wte, transformer.h.0.attn or transformer.ln_f` }],
    );
  });
}

export const RecipeSchema = z
  .object({
    // The name becomes a folder under runs/: no path separators, no leading dot.
    name: z
      .string()
      .regex(/^[\w+-][\w.+-]*$/, 'a recipe name is letters, digits and . _ + - (it names a folder under runs/), not starting with a dot')
      .default('recipe'),
    seed: z.number().int().min(0).default(0),
    engine: z.enum(['native', 'reference', 'wasm']).optional(),
    model: ModelSchema.default({ nLayers: 2, nHeads: 4, dModel: 64, contextLength: 64, mlpRatio: 4, bias: true }),
    stages: z.array(StageSchema).min(1, 'a recipe needs at least one stage'),
  })
  .strict()
  .superRefine((r, ctx) => {
    r.stages.forEach((s, i) => {
      if (s.blockSize !== undefined && s.blockSize > r.model.contextLength) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'blockSize'],
          message: `blockSize must be <= model.contextLength (${r.model.contextLength})`,
        });
      }
    });
  })
  .transform((r, ctx) => ({
    ...r,
    stages: r.stages.map((s, i) => {
      // The first stage has no previous stage to start from: 'previous' there means random weights.
      const init = i === 0 && s.init === 'previous' ? ('random' as const) : s.init;
      if (!s.tasks) return { ...s, init, tasks: undefined };
      const { choose, ...tasks } = s.tasks;
      if (!choose) return { ...s, init, tasks };
      const named = (entries: typeof tasks.families) => entries.map((e) => (typeof e === 'string' ? e : e.family));
      // Never a family held out here or by a later stage: an earlier stage training it would leak it.
      const heldLater = r.stages.slice(i + 1).flatMap((later) => named(later.tasks?.heldOut ?? []));
      try {
        const chosen = chooseFamilies({ ...choose, seed: choose.seed ?? r.seed, exclude: [...named(tasks.families), ...named(tasks.heldOut), ...heldLater] });
        return { ...s, init, tasks: { ...tasks, families: [...tasks.families, ...chosen] } };
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'tasks', 'choose'], message: (err as Error).message });
        return { ...s, init, tasks };
      }
    }),
  }))
  .superRefine((r, ctx) => {
    for (const p of [...heldOutProblems(r.stages), ...reinitProblems(r.model, r.stages)]) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type Recipe = z.infer<typeof RecipeSchema>;
export type Stage = Recipe['stages'][number];
export type StageBudget = Stage['budget'];
/** A parsed stage's tasks: `choose` already resolved into `families`. */
export type TasksSpec = NonNullable<Stage['tasks']>;
export type RlSettings = z.infer<typeof RlSchema>;

/** Validates a recipe object; throws a ValidationError with one line per problem. */
export function parseRecipe(input: unknown, what = 'recipe'): Recipe {
  return parseOrThrow(RecipeSchema, input, what);
}

/** Parses recipe text (YAML, which includes JSON). */
export function parseRecipeText(text: string, what = 'recipe'): Recipe {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ValidationError(`${what} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, []);
  }
  return parseRecipe(data, what);
}
