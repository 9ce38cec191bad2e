/**
 * math/expr — evaluate a nested expression with the usual precedence: `(3+4)*2-5` -> `9`.
 * Always at least one pair of parentheses (a flat sum would be math/add's problem).
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, retry, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'math/expr';

export const ExprConfig = z.object({
  depth: z.number().int().min(2).max(4).default(2).describe('nesting depth of the expression tree'),
  maxNumber: z.number().int().min(1).max(99).default(9).describe('largest literal'),
  ops: z.string().regex(/^[-+*]+$/).default('+-*').describe('operators to use, from + - *'),
});
export type ExprConfig = z.output<typeof ExprConfig>;

export const LEVELS: Partial<ExprConfig>[] = [
  { depth: 2, ops: '+-' },
  { depth: 2, ops: '+-*' },
  { depth: 3, ops: '+-*' },
  { depth: 4, maxNumber: 20, ops: '+-*' },
];

interface Node {
  text: string;
  value: number;
  op: string | null;
}

const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2 };

/** A random tree of the given depth; children get parentheses only where precedence needs them. */
function tree(rng: Rng, depth: number, cfg: ExprConfig): Node {
  if (depth === 0 || (depth < cfg.depth && rng.int(3) === 0)) {
    const v = rng.intBetween(1, cfg.maxNumber);
    return { text: String(v), value: v, op: null };
  }
  const op = cfg.ops[rng.int(cfg.ops.length)];
  const l = tree(rng, depth - 1, cfg);
  const r = tree(rng, depth - 1, cfg);
  const wrapL = l.op !== null && PRECEDENCE[l.op] < PRECEDENCE[op];
  // The right child also needs parentheses at equal precedence when the operator does not associate: a-(b+c).
  const wrapR = r.op !== null && (PRECEDENCE[r.op] < PRECEDENCE[op] || (PRECEDENCE[r.op] === PRECEDENCE[op] && op === '-'));
  const value = op === '+' ? l.value + r.value : op === '-' ? l.value - r.value : l.value * r.value;
  return { text: `${wrapL ? `(${l.text})` : l.text}${op}${wrapR ? `(${r.text})` : r.text}`, value, op };
}

/** Values stay within this magnitude so answers are short and exact. */
const MAX_ANSWER = 99999;

export function generate(rng: Rng, cfg: ExprConfig): Generated {
  return retry(
    NAME,
    () => {
      const node = tree(rng, cfg.depth, cfg);
      if (!node.text.includes('(') || Math.abs(node.value) > MAX_ANSWER) return undefined;
      return { prompt: node.text, answer: String(node.value), meta: { depth: cfg.depth } };
    },
    'use smaller numbers or a shallower depth',
  );
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/** A full tree has 2^depth leaves and 2^depth - 1 operators, each with at most one pair of parentheses. */
export const maxLength = (cfg: ExprConfig) => {
  const leaves = 2 ** cfg.depth;
  const width = String(cfg.maxNumber).length;
  return leaves * width + (leaves - 1) * 3 + String(-MAX_ANSWER).length;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'math',
    description: 'evaluate a nested expression with + - * and parentheses',
    config: ExprConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
