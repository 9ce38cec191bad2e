/** math/linear — solve a linear equation for x: `3x+5=20` -> `5`, later with negatives and x on both sides. */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/linear';

export const LinearConfig = z
  .object({
    maxCoefficient: z.number().int().min(1).max(99).default(9).describe('largest |a| in a*x'),
    maxSolution: z.number().int().min(1).max(999).default(9).describe('largest |x|'),
    negative: z.boolean().default(false).describe('allow negative coefficients, constants and solutions'),
    bothSides: z.boolean().default(false).describe('put an x term on both sides: a*x+b=c*x+d'),
  })
  // x on both sides needs two different non-zero coefficients, or it cancels.
  .refine((c) => !c.bothSides || c.negative || c.maxCoefficient >= 2, {
    message: 'must be at least 2 with bothSides (or allow negative): the two x coefficients must differ',
    path: ['maxCoefficient'],
  });
export type LinearConfig = z.output<typeof LinearConfig>;

export const LEVELS: Partial<LinearConfig>[] = [
  { maxCoefficient: 5, maxSolution: 9 },
  { maxCoefficient: 9, maxSolution: 20, negative: true },
  { maxCoefficient: 9, maxSolution: 20, negative: true, bothSides: true },
  { maxCoefficient: 30, maxSolution: 99, negative: true, bothSides: true },
];

/** `a*x + b` as a person writes it: `3x+5`, `-x-2`, `x`, `4`. */
function side(a: number, b: number): string {
  const x = a === 0 ? '' : a === 1 ? 'x' : a === -1 ? '-x' : `${a}x`;
  if (b === 0) return x || '0';
  return x ? `${x}${b > 0 ? '+' : ''}${b}` : String(b);
}

export function generate(rng: Rng, cfg: LinearConfig): Generated {
  const signed = (max: number, allowZero: boolean) => {
    for (;;) {
      const v = rng.intBetween(cfg.negative ? -max : allowZero ? 0 : 1, max);
      if (v !== 0 || allowZero) return v;
    }
  };
  const x = signed(cfg.maxSolution, true);
  const a = signed(cfg.maxCoefficient, false);
  const b = signed(cfg.maxSolution, true);
  // With x on both sides, the right coefficient must differ from the left one or x would cancel.
  let c = 0;
  while (cfg.bothSides && (c === 0 || c === a)) c = signed(cfg.maxCoefficient, false);
  const d = a * x + b - c * x;
  return { prompt: `${side(a, b)}=${side(c, d)}`, answer: String(x), meta: { a, b, c, d, x } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: LinearConfig) => {
  const coef = String(cfg.maxCoefficient).length + 2; // sign and x
  const constant = String(cfg.maxSolution).length + 1;
  // d = (a - c) x + b can be as large as 2 * maxCoefficient * maxSolution + maxSolution.
  const d = String((2 * cfg.maxCoefficient + 1) * cfg.maxSolution).length + 1;
  return 2 * coef + constant + d + 1 + String(cfg.maxSolution).length + 1;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'solve a linear equation for x (integer solutions)',
    config: LinearConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
