/**
 * Where task instances come from and how they are scored: the TaskSource interface, and MixSource, a recipe's
 * `tasks:` section as a source (a TaskMix from src/tasks/mix.ts with an optional curriculum over difficulty
 * levels). Instances are drawn reproducibly from the caller's Rng; training draws the train split, evaluation
 * the test split (the split is a hash of each instance's canonical key, so the two never overlap).
 */
import '../tasks/catalog.js';
import { Curriculum, type CurriculumSpec, type CurriculumState } from '../tasks/curriculum.js';
import type { Instance, Split } from '../tasks/family.js';
import { TaskMix, type TaskMixSpec } from '../tasks/mix.js';
import { getFamily } from '../tasks/registry.js';
import type { Rng } from '../util/rng.js';

export interface TaskSource {
  /** The next training instance, drawn with `rng`. */
  next(rng: Rng): Instance;
  /** An instance of the given split, for evaluation. */
  draw(rng: Rng, split: Split): Instance;
  /** The verifier's reward in [0, 1]. */
  score(output: string, instance: Instance): number;
  /** The longest answer (in characters) any instance of this source can have. */
  maxAnswerLength(): number;
  /** Training feedback: the score of a sampled answer to a training instance (drives an accuracy curriculum). */
  learn?(instance: Instance, score: number): void;
  /** Tells the source the stage's step (drives a step curriculum). */
  setStep?(step: number): void;
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** What a source is built from: the shape of a recipe's `tasks:` section, once parsed. */
export interface TasksSpecLike extends Pick<TaskMixSpec, 'testFraction' | 'salt'> {
  families: TaskMixSpec['families'];
  heldOut: TaskMixSpec['families'];
  curriculum?: CurriculumSpec;
}

export class MixSource implements TaskSource {
  private readonly curriculum: Curriculum;

  constructor(readonly mix: TaskMix, curriculum?: CurriculumSpec) {
    this.curriculum = new Curriculum(curriculum ?? { kind: 'fixed' });
  }

  /** The training families of a stage (`train`) or its held-out families; null when there are none. */
  static fromSpec(spec: TasksSpecLike, which: 'train' | 'heldOut'): MixSource | null {
    const families = which === 'train' ? spec.families : spec.heldOut;
    if (families.length === 0) return null;
    const field = which === 'train' ? 'tasks.families' : 'tasks.heldOut';
    try {
      const mix = new TaskMix({ families, testFraction: spec.testFraction, salt: spec.salt });
      return new MixSource(mix, which === 'train' ? spec.curriculum : undefined);
    } catch (err) {
      throw new Error(`${field}: ${(err as Error).message.replace(/^task mix: /, '')}`);
    }
  }

  next(rng: Rng): Instance {
    return this.mix.sample(rng, 'train', this.curriculum);
  }

  draw(rng: Rng, split: Split): Instance {
    return this.mix.sample(rng, split);
  }

  score(output: string, instance: Instance): number {
    let s = 0;
    try {
      s = getFamily(instance.family).score(output, instance);
    } catch {
      s = 0; // a verifier must never take a run down
    }
    return Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
  }

  learn(instance: Instance, score: number): void {
    if (instance.difficulty !== null) this.curriculum.record(instance.family, instance.difficulty, score, this.mix.levelsOf(instance.family));
  }

  maxAnswerLength(): number {
    return this.mix.maxLength();
  }

  /** Tells the curriculum how far training has come. */
  setStep(step: number): void {
    this.curriculum.setStep(step);
  }

  saveState(): CurriculumState {
    return this.curriculum.saveState();
  }

  loadState(state: unknown): void {
    this.curriculum.loadState(state as CurriculumState);
  }
}
