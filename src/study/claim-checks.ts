/**
 * Claims and curves checked against what the trials will write, before any trial runs: an eval measure's split,
 * metric, family and domain must be rows some evaluation of the part produces, and a tag must be one some stage
 * logs. Otherwise the report would say "inconclusive: arms lack finished trials" about a claim no trial could
 * ever measure.
 */
import { genrePositions } from '../eval/genre-loss.js';
import { manyShotPositions } from '../eval/many-shot.js';
import { getFamily } from '../tasks/registry.js';
import { stageTags } from '../train/tags.js';
import type { Recipe } from '../train/recipe.js';
import { closestName } from '../util/names.js';
import { functionsStage, genreStage, lastTasks } from './evaluate.js';
import type { TrialPlan } from './expand.js';
import { toPackedColumns, type EvalKey } from '../measure/evals.js';
import type { Measure } from '../report/spec.js';
import { referenceArms } from './range-checks.js';
import type { Evaluation, Study } from './schema.js';

/** What the evaluations write under one split: its metrics, and the families and domains it has rows for. */
interface SplitRows {
  metrics: Set<string>;
  families: Set<string>;
  domains: Set<string>;
}

const entryName = (e: string | { family: string }) => (typeof e === 'string' ? e : e.family);

/** The split an evaluation's rows carry: its own, with `@stage` when it measures an earlier stage's model. */
function splitName(split: string, e: Evaluation, recipe: Recipe): string {
  const last = recipe.stages.length - 1;
  if (e.stage === undefined || e.stage === last) return split;
  return `${split}@${recipe.stages[e.stage]?.name ?? `stage${e.stage}`}`;
}

/** Every (split, metric, family, domain) the part's evaluations write for one trial, added to `out`. */
function addEvalRows(out: Map<string, SplitRows>, evaluations: readonly Evaluation[], recipe: Recipe): void {
  const add = (split: string, metrics: string[], families: string[]) => {
    const rows = out.get(split) ?? { metrics: new Set(), families: new Set(['*']), domains: new Set(['*']) };
    metrics.forEach((m) => rows.metrics.add(m));
    for (const f of families) {
      rows.families.add(f);
      rows.domains.add(getFamily(f).domain);
    }
    out.set(split, rows);
  };
  const tasks = lastTasks(recipe);
  for (const e of evaluations) {
    if (e.kind === 'splits' && tasks) {
      for (const set of ['train', 'test']) add(splitName(set, e, recipe), ['score', 'exact'], tasks.families.map(entryName));
      if (tasks.heldOut.length) add(splitName('heldout', e, recipe), ['score', 'exact'], tasks.heldOut.map(entryName));
    } else if (e.kind === 'passAtK') {
      add(splitName(`pass@k:${e.split}`, e, recipe), ['greedy_pass@1', ...e.ks.map((k) => `pass@${k}`)], []);
    } else if (e.kind === 'iclCurve') {
      add(splitName('icl-curve', e, recipe), e.ks.map((k) => `score|k=${k}`), [entryName(e.family)]);
    } else if (e.kind === 'contextLoss') {
      add(splitName('context-loss', e, recipe), e.ks.map((k) => `loss|k=${k}`), [entryName(e.family)]);
    } else if (e.kind === 'genreLoss') {
      addGenreRows(out, splitName('genre-loss', e, recipe), recipe);
    } else if (e.kind === 'manyShot') {
      addManyShotRows(out, splitName('many-shot', e, recipe), recipe);
    }
  }
}

/** genreLoss rows: the mean and each position of loss, bayes and unigram (family and domain `*`). */
function addGenreRows(out: Map<string, SplitRows>, split: string, recipe: Recipe): void {
  const rows = out.get(split) ?? { metrics: new Set(), families: new Set(['*']), domains: new Set(['*']) };
  let T = 0;
  try {
    const { corpus, blockSize } = genreStage(recipe);
    T = Math.min(blockSize, corpus.documentLength - 1, recipe.model.contextLength);
  } catch {
    return; // no genre stage: the recipe check reports it
  }
  for (const metric of ['loss', 'bayes', 'unigram']) {
    rows.metrics.add(metric);
    for (const x of genrePositions(T)) rows.metrics.add(`${metric}|k=${x}`);
  }
  out.set(split, rows);
}

/** manyShot rows: accuracy, ideal, window and guess at each scored number of demonstrations. */
function addManyShotRows(out: Map<string, SplitRows>, split: string, recipe: Recipe): void {
  const rows = out.get(split) ?? { metrics: new Set(), families: new Set(['*']), domains: new Set(['*']) };
  let ns: number[];
  try {
    ns = manyShotPositions(functionsStage(recipe).corpus, recipe.model.contextLength);
  } catch {
    return; // no functions stage: the recipe check reports it
  }
  for (const metric of ['accuracy', 'ideal', 'window', 'guess']) for (const x of ns) rows.metrics.add(`${metric}|k=${x}`);
  out.set(split, rows);
}

/** The tags logged during training by the part's own evaluations (contextLoss with during: true). */
function duringTags(evaluations: readonly Evaluation[]): string[] {
  const during = evaluations.flatMap((e) => (e.kind === 'contextLoss' && e.during ? [e] : []));
  return during.flatMap((e, i) => {
    const suffix = during.length > 1 ? `_${i + 1}` : '';
    return [...e.ks.map((k) => `eval/icl_loss_k${k}${suffix}`), `eval/icl_score${suffix}`];
  });
}

const quoted = (s: string) => JSON.stringify(s);

/** One claim's or curve's references, checked against one part's trials. */
class PartFacts {
  readonly rows = new Map<string, SplitRows>();
  private readonly recipes: Recipe[];

  constructor(
    trials: readonly TrialPlan[],
    private readonly evaluations: readonly Evaluation[],
    readonly name: string,
  ) {
    this.recipes = trials.map((t) => t.recipe);
    for (const r of this.recipes) addEvalRows(this.rows, evaluations, r);
  }

  /** The tags logged in `stage` (negative: from the end), or in any stage; null when no recipe has that stage. */
  tags(stage?: number): Set<string> | null {
    const tags = new Set(duringTags(this.evaluations));
    let any = false;
    for (const r of this.recipes) {
      const stages = stage === undefined ? r.stages : [r.stages.at(stage)].filter((s) => s !== undefined);
      any ||= stages.length > 0;
      for (const s of stages) stageTags(s).forEach((t) => tags.add(t));
    }
    return any ? tags : null;
  }

  stages(): number {
    return Math.max(...this.recipes.map((r) => r.stages.length));
  }

  tagProblems(path: string, tag: string, stage: number | undefined, stagePath: string): string[] {
    const tags = this.tags(stage);
    if (!tags) return [`${stagePath}: got ${stage}; the recipe has ${this.stages()} stage(s), numbered from 0 (-1 is the last)`];
    if (tags.has(tag)) return [];
    const near = closestName(tag, [...tags], 3);
    const hint = near ? ` (did you mean ${near}?)` : `; they log ${[...tags].sort().join(', ')}`;
    return [`${path}: got ${quoted(tag)}; the trials log no such metric${stage === undefined ? '' : ` in stage ${stage}`}${hint}`];
  }

  evalProblems(path: string, key: EvalKey): string[] {
    // Checked in the names study files use for a row (`pass@k:test@warm-start`, `score|k=4`), so messages quote them.
    const m = { ...key, ...toPackedColumns(key) };
    const rows = this.rows.get(m.split);
    if (!rows) return [`${path}.split: got ${quoted(m.split)}; the evaluations write the splits ${[...this.rows.keys()].join(', ') || '(none: add evaluations)'}`];
    const problems: string[] = [];
    if (!rows.metrics.has(m.metric)) problems.push(`${path}.metric: got ${quoted(m.metric)}; split ${m.split} has the metrics ${[...rows.metrics].join(', ')}`);
    if (!rows.families.has(m.family)) problems.push(`${path}.family: got ${quoted(m.family)}; split ${m.split} scores the families ${[...rows.families].join(', ')}`);
    if (!rows.domains.has(m.domain)) problems.push(`${path}.domain: got ${quoted(m.domain)}; split ${m.split} scores the domains ${[...rows.domains].join(', ')}`);
    return problems;
  }

  measureProblems(path: string, m: Measure): string[] {
    if ('eval' in m) return this.evalProblems(`${path}.eval`, m.eval);
    if ('last' in m) return this.tagProblems(`${path}.last`, m.last, undefined, `${path}.last`);
    if ('mean' in m) return this.tagProblems(`${path}.mean`, m.mean, m.stage, `${path}.stage`);
    if ('examplesTo' in m) return this.tagProblems(`${path}.examplesTo.tag`, m.examplesTo.tag, m.examplesTo.stage, `${path}.examplesTo.stage`);
    const family = m.demonstrationsTo.family;
    if (this.rows.get('icl-curve')?.families.has(family)) return [];
    return [`${path}.demonstrationsTo.family: got ${quoted(family)}; no iclCurve evaluation of part ${this.name} measures it (add { kind: iclCurve, family: ${family} })`];
  }
}

/** Problems with what the study's claims and curves measure; one line each, naming the field. */
export function measureProblems(study: Study, trials: readonly TrialPlan[]): string[] {
  const facts = new Map<string, PartFacts>();
  const factsOf = (part: string): PartFacts | null => {
    if (!facts.has(part)) {
      const p = study.parts.find((x) => x.name === part);
      const own = trials.filter((t) => t.part === part);
      if (!p || own.length === 0) return null; // reported elsewhere (no such part, or its recipe is invalid)
      facts.set(part, new PartFacts(own, p.evaluations, part));
    }
    return facts.get(part)!;
  };
  const problems: string[] = [];
  study.claims.forEach((c, i) => {
    const f = factsOf(c.part);
    if (!f) return;
    problems.push(...f.measureProblems(`claims[${i}].measure`, c.measure));
    if (c.measureA) problems.push(...f.measureProblems(`claims[${i}].measureA`, c.measureA));
    if (c.measureB) problems.push(...f.measureProblems(`claims[${i}].measureB`, c.measureB));
    // A floor or ceiling arm is measured in its own part, on its own measure or the claim's.
    for (const { path, ref } of referenceArms(c, i)) {
      const g = factsOf(ref.part ?? c.part);
      if (g && ref.measure) problems.push(...g.measureProblems(`${path}.measure`, ref.measure));
      else if (g && ref.part && ref.part !== c.part) problems.push(...g.measureProblems(`${path}.measure (the claim's)`, c.measure));
      if (g && ref.check) problems.push(...g.measureProblems(`${path}.check`, ref.check));
    }
  });
  study.curves.forEach((c, i) => {
    const f = factsOf(c.part);
    if (f) problems.push(...f.tagProblems(`curves[${i}].tag`, c.tag, c.stage, `curves[${i}].stage`));
  });
  return problems;
}
