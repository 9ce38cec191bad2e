/**
 * A recipe's `tasks:` section as the trainer's TaskSource: a TaskMix (src/tasks/mix.ts) for the training
 * families, another for the held-out families, and an optional curriculum over difficulty levels. Instances are
 * drawn reproducibly from the stage's Rng; training draws the train split, evaluation the test split (the
 * split is a hash of each instance's canonical key, so the two never overlap).
 */
import '../tasks/catalog.js';
import { Curriculum, type CurriculumState } from '../tasks/curriculum.js';
import type { Instance, Split } from '../tasks/family.js';
import { TaskMix } from '../tasks/mix.js';
import { getFamily } from '../tasks/registry.js';
import type { Rng } from '../util/rng.js';
import type { TaskSource } from './episodes.js';
import type { TasksSpec } from './recipe.js';

export class MixSource implements TaskSource {
  private readonly curriculum: Curriculum;

  constructor(readonly mix: TaskMix, curriculum?: TasksSpec['curriculum']) {
    this.curriculum = new Curriculum(curriculum ?? { kind: 'fixed' });
  }

  /** The training families of a stage (`train`) or its held-out families; null when there are none. */
  static fromSpec(spec: TasksSpec, which: 'train' | 'heldOut'): MixSource | null {
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
