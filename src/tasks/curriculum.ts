/**
 * Curricula: which difficulty levels a task mix may sample, as training goes on.
 * - fixed: every level the mix names, from the start;
 * - steps: one more level every `every` steps;
 * - accuracy: a family moves up a level once its mean score over the last `window` samples at its current top
 *   level reaches `threshold`.
 * A curriculum's state is plain JSON, saved in checkpoints so a resumed run continues at the same levels.
 */
import { z } from 'zod';

export const CurriculumSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed') }),
  z.object({ kind: z.literal('steps'), every: z.number().int().min(1).describe('steps per level') }),
  z.object({
    kind: z.literal('accuracy'),
    threshold: z.number().min(0).max(1).default(0.8),
    window: z.number().int().min(1).default(200).describe('recent samples the mean score is taken over'),
  }),
]);
export type CurriculumSpec = z.output<typeof CurriculumSchema>;

export interface CurriculumState {
  step: number;
  /** Per family: the highest level unlocked (1-based), and recent scores at that level. */
  families: Record<string, { level: number; recent: number[] }>;
}

export class Curriculum {
  readonly spec: CurriculumSpec;
  private state: CurriculumState = { step: 0, families: {} };

  constructor(spec: z.input<typeof CurriculumSchema> = { kind: 'fixed' }) {
    const parsed = CurriculumSchema.safeParse(spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`curriculum: ${issue.path.join('.') || 'kind'}: ${issue.message} (kinds: fixed, steps, accuracy)`);
    }
    this.spec = parsed.data;
  }

  /** The highest level `family` may be sampled at, out of `levels` levels. */
  maxLevel(family: string, levels: number): number {
    switch (this.spec.kind) {
      case 'fixed':
        return levels;
      case 'steps':
        return Math.min(levels, 1 + Math.floor(this.state.step / this.spec.every));
      case 'accuracy':
        return Math.min(levels, this.state.families[family]?.level ?? 1);
    }
  }

  /** Tells the curriculum the current training step. */
  setStep(step: number): void {
    this.state.step = step;
  }

  /** Records a score of `family` at `level`; under an accuracy curriculum it may unlock the next level. */
  record(family: string, level: number, score: number): void {
    if (this.spec.kind !== 'accuracy') return;
    const entry = (this.state.families[family] ??= { level: 1, recent: [] });
    if (level !== entry.level) return; // only the top unlocked level decides promotion
    entry.recent.push(score);
    if (entry.recent.length > this.spec.window) entry.recent.shift();
    const mean = entry.recent.reduce((a, b) => a + b, 0) / entry.recent.length;
    if (entry.recent.length === this.spec.window && mean >= this.spec.threshold) {
      entry.level++;
      entry.recent = [];
    }
  }

  saveState(): CurriculumState {
    return structuredClone(this.state);
  }

  loadState(state: CurriculumState): void {
    this.state = structuredClone(state);
  }
}
