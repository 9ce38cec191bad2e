/**
 * Curricula: which difficulty levels a task mix may sample, as training goes on.
 * - fixed: every level the mix names, from the start;
 * - steps: one more of the listed levels every `every` steps;
 * - accuracy: a family moves up to its next listed level once its mean score over the last `window` samples at its
 *   current top level reaches `threshold`. The scores come from the model's own sampled answers (rl, rft, mix with
 *   rlFraction > 0); recipes refuse it on stages that sample none.
 * Curricula walk the levels a mix lists, easiest first, whichever they are: [3, 5] starts at 3, then adds 5.
 * A curriculum's state is plain JSON, saved in checkpoints so a resumed run continues at the same levels.
 */
import { z } from 'zod';
import { mean } from '../stats/stats.js';

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

/** The listed levels in order; a count n stands for 1..n. */
function listedLevels(levels: number | readonly number[]): readonly number[] {
  return typeof levels === 'number' ? Array.from({ length: levels }, (_, i) => i + 1) : [...levels].sort((a, b) => a - b);
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

  /** The highest level `family` may be sampled at, of the levels a mix lists (a count n means levels 1..n). */
  maxLevel(family: string, levels: number | readonly number[]): number {
    const listed = listedLevels(levels);
    switch (this.spec.kind) {
      case 'fixed':
        return listed[listed.length - 1];
      case 'steps':
        return listed[Math.min(listed.length, 1 + Math.floor(this.state.step / this.spec.every)) - 1];
      case 'accuracy':
        return Math.min(listed[listed.length - 1], this.state.families[family]?.level ?? listed[0]);
    }
  }

  /** Tells the curriculum the current training step. */
  setStep(step: number): void {
    this.state.step = step;
  }

  /**
   * Records a score of `family` at `level`, one of the listed `levels` (default 1, 2, 3, ...); under an accuracy
   * curriculum it may unlock the next listed level.
   */
  record(family: string, level: number, score: number, levels?: readonly number[]): void {
    if (this.spec.kind !== 'accuracy') return;
    const listed = levels ? listedLevels(levels) : null;
    const entry = (this.state.families[family] ??= { level: listed ? listed[0] : 1, recent: [] });
    if (level !== entry.level) return; // only the top unlocked level decides promotion
    entry.recent.push(score);
    if (entry.recent.length > this.spec.window) entry.recent.shift();
    const recentMean = mean(entry.recent);
    if (entry.recent.length === this.spec.window && recentMean >= this.spec.threshold) {
      entry.level = listed ? (listed.find((l) => l > entry.level) ?? entry.level + 1) : entry.level + 1;
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
