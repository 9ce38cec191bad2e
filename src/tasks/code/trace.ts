/**
 * code/trace — run a small program in your head and give what it prints:
 * `a=3;b=a*2;a=b-1;print a` -> `5`. Harder levels add if/else and while loops. The reference answer comes from
 * executing the program in the sandbox (interpreter.ts).
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, retry, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';
import { tryRun } from './interpreter.js';

export const NAME = 'code/trace';

export const TraceConfig = z.object({
  statements: z.number().int().min(1).max(8).default(2).describe('assignments before the print'),
  ops: z.string().regex(/^[-+*]+$/).default('+-').describe('arithmetic operators used'),
  branch: z.boolean().default(false).describe('include an if/else'),
  loop: z.boolean().default(false).describe('include a counting while loop'),
  maxNumber: z.number().int().min(1).max(20).default(9),
});
export type TraceConfig = z.output<typeof TraceConfig>;

export const LEVELS: Partial<TraceConfig>[] = [
  { statements: 2, ops: '+-' },
  { statements: 3, ops: '+-*' },
  { statements: 2, ops: '+-*', branch: true },
  { statements: 2, ops: '+-', loop: true },
  { statements: 3, ops: '+-*', branch: true, loop: true },
];

const VARS = ['a', 'b', 'c'];
/** Results beyond this are redrawn, so answers stay short. */
const MAX_RESULT = 9999;

function operand(rng: Rng, defined: string[], cfg: TraceConfig): string {
  return defined.length && rng.int(3) > 0 ? rng.pick(defined) : String(rng.intBetween(1, cfg.maxNumber));
}

function assignment(rng: Rng, defined: string[], cfg: TraceConfig, target = rng.pick(VARS)): string {
  const op = cfg.ops[rng.int(cfg.ops.length)];
  const stmt = `${target}=${operand(rng, defined, cfg)}${op}${operand(rng, defined, cfg)}`;
  if (!defined.includes(target)) defined.push(target);
  return stmt;
}

function program(rng: Rng, cfg: TraceConfig): string {
  const defined: string[] = [];
  const first = rng.pick(VARS);
  const stmts = [`${first}=${rng.intBetween(1, cfg.maxNumber)}`];
  defined.push(first);
  for (let i = 1; i < cfg.statements; i++) stmts.push(assignment(rng, defined, cfg));
  if (cfg.branch) {
    const cond = `${rng.pick(defined)}${rng.pick(['<', '>', '=='])}${rng.intBetween(1, cfg.maxNumber)}`;
    const then = assignment(rng, [...defined], cfg);
    const otherwise = assignment(rng, [...defined], cfg);
    stmts.push(`if ${cond}{${then}}else{${otherwise}}`);
    for (const s of [then, otherwise]) if (!defined.includes(s[0])) defined.push(s[0]);
  }
  if (cfg.loop) {
    // A counter that only counts down terminates; the body updates another variable.
    const acc = rng.pick(defined);
    const body = assignment(rng, [...defined], { ...cfg, ops: '+-' }, acc);
    stmts.push(`i=${rng.intBetween(2, 4)};while i>0{${body};i=i-1}`);
  }
  return `${stmts.join(';')};print ${rng.pick(defined)}`;
}

export function generate(rng: Rng, cfg: TraceConfig): Generated {
  return retry(
    NAME,
    () => {
      const source = program(rng, cfg);
      const run = tryRun(source);
      // Redraw programs that read a variable before setting it, or print something long.
      if (!run || Math.abs(Number(run.output)) > MAX_RESULT) return undefined;
      return { prompt: source, answer: run.output, meta: { steps: run.steps } };
    },
    'use fewer statements or smaller numbers',
  );
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: TraceConfig) =>
  4 + cfg.statements * 8 + (cfg.branch ? 34 : 0) + (cfg.loop ? 34 : 0) + 7 + 5;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'code',
    description: 'give the output of a small imperative program (assignments, if, while)',
    config: TraceConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
