/**
 * code/stack — run a stack-machine program and give the final stack, bottom first:
 * `3 4 + 2 *` -> `14`, `5 dup 1 -` -> `5 4`. Words: integers, + - *, dup, swap, drop, over.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, retry, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';
import { tryStack } from './interpreter.js';

export const NAME = 'code/stack';

const WORDS = ['+', '-', '*', 'dup', 'swap', 'drop', 'over'] as const;

export const StackConfig = z.object({
  ops: z.number().int().min(1).max(20).default(2).describe('operations (non-number words) in the program'),
  words: z.array(z.enum(WORDS)).min(1).default(['+', '-', '*']).describe('operations allowed'),
  maxNumber: z.number().int().min(1).max(99).default(9),
});
export type StackConfig = z.output<typeof StackConfig>;

export const LEVELS: Partial<StackConfig>[] = [
  { ops: 1, words: ['+', '-', '*'] },
  { ops: 3, words: ['+', '-', '*', 'dup', 'swap'] },
  { ops: 5, words: [...WORDS] },
  { ops: 9, words: [...WORDS] },
];

/** How many values a word needs on the stack. */
const NEEDS: Record<(typeof WORDS)[number], number> = { '+': 2, '-': 2, '*': 2, dup: 1, swap: 2, drop: 1, over: 2 };
const MAX_VALUE = 99999;
/** Programs that leave more values are redrawn: the answer stays short. */
const MAX_FINAL_STACK = 4;

export function generate(rng: Rng, cfg: StackConfig): Generated {
  return retry(NAME, () => attempt(rng, cfg), `allow + - * or drop so the final stack can stay within ${MAX_FINAL_STACK} values`);
}

/** A random program that never underflows, or undefined when it overflows or leaves an empty, long or huge stack. */
function attempt(rng: Rng, cfg: StackConfig): Generated | undefined {
  const program: string[] = [];
  let depth = 0;
  let ops = 0;
  while (ops < cfg.ops) {
    const usable = cfg.words.filter((w) => NEEDS[w] <= depth);
    // Push when nothing fits, and sometimes anyway, but keep the stack shallow.
    if (usable.length === 0 || (depth < 3 && rng.int(3) === 0)) {
      program.push(String(rng.intBetween(0, cfg.maxNumber)));
      depth++;
      continue;
    }
    const w = rng.pick(usable);
    program.push(w);
    depth += w === 'dup' || w === 'over' ? 1 : w === 'swap' ? 0 : -1;
    ops++;
  }
  const stack = tryStack(program.join(' '));
  if (stack === null || stack.length === 0 || stack.length > MAX_FINAL_STACK || stack.some((v) => Math.abs(v) > MAX_VALUE)) return undefined;
  return { prompt: program.join(' '), answer: stack.join(' '), meta: { ops: cfg.ops } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/**
 * Random pushes happen only below depth 3 and forced ones only before an op, so there are at most ops + 3
 * numbers, each op word is at most 4 chars plus a space, and the final stack holds at most MAX_FINAL_STACK values.
 */
export const maxLength = (cfg: StackConfig) =>
  (cfg.ops + 3) * (String(cfg.maxNumber).length + 1) + cfg.ops * 5 + MAX_FINAL_STACK * (String(-MAX_VALUE).length + 1);

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'code',
    description: 'give the final stack of a stack-machine program',
    config: StackConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
