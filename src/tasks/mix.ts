/**
 * Task mixes: the families a stage trains (or evaluates) on, with weights and difficulty levels.
 * Its breadth is its number of families, and for in-context and world families the number of distinct rules or
 * levels training can see. Sampling is reproducible: each sample takes exactly three draws from the caller's Rng,
 * so a checkpoint that saves the Rng state resumes the same stream of instances.
 */
import { z } from 'zod';
import './catalog.js'; // a mix names built-in families: make sure they are registered
import type { Rng } from '../util/rng.js';
import type { Config, Instance, Split, TaskFamily } from './family.js';
import { getFamily } from './registry.js';
import { makeInstance, resolveConfig, type SplitOptions } from './split.js';
import type { Curriculum } from './curriculum.js';

export const MixEntrySchema = z.object({
  family: z.string(),
  weight: z.number().positive().default(1).describe('relative sampling weight'),
  levels: z.array(z.number().int().min(1)).min(1).default([1]).describe('difficulty levels, sampled uniformly'),
  config: z.record(z.string(), z.unknown()).default({}).describe('overrides on top of each level, e.g. { k: 8 }'),
});
export type MixEntryInput = z.input<typeof MixEntrySchema>;

export interface TaskMixSpec extends SplitOptions {
  /** Family names (weight 1, level 1) or full entries. */
  families: ReadonlyArray<string | MixEntryInput>;
  /** Seed of the instance space, shared by every sample (the Rng passed to sample() picks within it). */
  seed?: number;
}

interface Entry {
  family: TaskFamily;
  weight: number;
  levels: number[];
  /** Resolved config per entry of `levels`. */
  configs: Config[];
}

export interface Breadth {
  /** Distinct families. */
  families: number;
  /** Distinct hidden rules or levels across pooled families (icl, world), Infinity when any pool is unbounded. */
  rules: number;
  /** Families with a rule pool (icl, world). */
  pooledFamilies: number;
}

export class TaskMix {
  readonly entries: readonly Entry[];
  private readonly totalWeight: number;
  private readonly options: SplitOptions & { seed: number };

  constructor(spec: TaskMixSpec) {
    if (spec.families.length === 0) throw new Error('task mix: give at least one family');
    const seen = new Set<string>();
    this.entries = spec.families.map((item, i) => {
      const parsed = MixEntrySchema.safeParse(typeof item === 'string' ? { family: item } : item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`task mix: families[${i}].${issue.path.join('.')}: ${issue.message}`);
      }
      const family = getFamily(parsed.data.family);
      if (seen.has(family.name)) throw new Error(`task mix: ${family.name} is listed twice; merge the entries`);
      seen.add(family.name);
      const levels = [...new Set(parsed.data.levels)].sort((a, b) => a - b);
      const configs = levels.map((level) => resolveConfig(family, level, parsed.data.config as Config));
      return { family, weight: parsed.data.weight, levels, configs };
    });
    this.totalWeight = this.entries.reduce((s, e) => s + e.weight, 0);
    this.options = { salt: spec.salt, testFraction: spec.testFraction, seed: spec.seed ?? 0 };
  }

  /** Names of the families, in spec order. */
  families(): string[] {
    return this.entries.map((e) => e.family.name);
  }

  breadth(): Breadth {
    let rules = 0;
    let pooledFamilies = 0;
    for (const e of this.entries) {
      if (!e.family.ruleBreadth) continue;
      pooledFamilies++;
      rules += Math.max(...e.configs.map((c) => e.family.ruleBreadth!(c)));
    }
    return { families: this.entries.length, rules, pooledFamilies };
  }

  /** The longest prompt + answer (in characters) any sample can have. */
  maxLength(): number {
    return Math.max(...this.entries.flatMap((e) => e.configs.map((c) => e.family.maxLength(c))));
  }

  /**
   * One instance of `split`: a family by weight, a level uniformly among those allowed (the curriculum may cap
   * them), then an instance index. Always three draws from `rng`.
   */
  sample(rng: Rng, split: Split = 'train', curriculum?: Curriculum): Instance {
    let u = rng.uniform() * this.totalWeight;
    const entry = this.entries.find((e) => (u -= e.weight) < 0) ?? this.entries[this.entries.length - 1];
    const cap = curriculum ? curriculum.maxLevel(entry.family.name, entry.levels) : Infinity;
    const allowed = entry.levels.filter((l) => l <= cap);
    // When the curriculum is below every listed level, the easiest listed level is used.
    const choices = allowed.length ? allowed.length : 1;
    const slot = rng.int(choices);
    const index = rng.nextUint32();
    const instance = makeInstance(entry.family, { ...this.options, config: entry.configs[slot], index, split });
    return { ...instance, difficulty: entry.levels[slot] };
  }

  /** The difficulty levels listed for `family`, easiest first (a curriculum walks them). */
  levelsOf(family: string): readonly number[] | undefined {
    return this.entries.find((e) => e.family.name === family)?.levels;
  }

  /** `n` samples, for evaluation sets. */
  sampleMany(rng: Rng, n: number, split: Split = 'train'): Instance[] {
    return Array.from({ length: n }, () => this.sample(rng, split));
  }
}
