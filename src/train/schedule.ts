/**
 * Learning-rate schedules: linear warmup, then cosine decay to minLr (nanoGPT's), or constant after warmup.
 */
export interface ScheduleConfig {
  lr: number;
  minLr: number;
  warmupSteps: number;
  decay: 'cosine' | 'constant';
}

/**
 * The learning rate at step `step` (0-based). `progress` in [0, 1] is how much of the stage's budget is spent
 * (steps, tokens or episodes, whichever the budget counts); the cosine runs over what is left after warmup.
 */
export function learningRate(s: ScheduleConfig, step: number, progress: number, totalSteps: number): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / (s.warmupSteps + 1);
  if (s.decay === 'constant') return s.lr;
  const warmupShare = totalSteps > 0 ? Math.min(1, s.warmupSteps / totalSteps) : 0;
  const p = warmupShare >= 1 ? 1 : Math.min(1, Math.max(0, (progress - warmupShare) / (1 - warmupShare)));
  return s.minLr + 0.5 * (1 + Math.cos(Math.PI * p)) * (s.lr - s.minLr);
}
