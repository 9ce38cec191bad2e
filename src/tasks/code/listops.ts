/**
 * code/listops — predict list operations: `map(x*2,[3,1,4])` -> `[6,2,8]`, `filter(x>2,[3,1,4])` -> `[3,4]`,
 * `sum([3,1,4])` -> `8`, and compositions of them at higher levels. Lambda bodies are sandbox expressions.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';
import { evalExpr, parseExpr } from './interpreter.js';

export const NAME = 'code/listops';

export const ListOpsConfig = z.object({
  length: z.number().int().min(1).max(12).default(3).describe('elements in the input list'),
  ops: z.number().int().min(1).max(4).default(1).describe('operations composed'),
  reduce: z.boolean().default(false).describe('allow sum/max/min as the outermost operation'),
  maxNumber: z.number().int().min(1).max(99).default(9),
});
export type ListOpsConfig = z.output<typeof ListOpsConfig>;

export const LEVELS: Partial<ListOpsConfig>[] = [
  { length: 3, ops: 1 },
  { length: 5, ops: 1, reduce: true },
  { length: 5, ops: 2, reduce: true },
  { length: 6, ops: 3, reduce: true },
];

const MAPS = ['x+C', 'x*C', 'x-C', 'x%C', 'C*x+1'];
const FILTERS = ['x>C', 'x<C', 'x%2==0', 'x%2==1', 'x!=C'];
const REDUCES = ['sum', 'max', 'min'] as const;

function lambda(rng: Rng, bodies: string[]): string {
  return rng.pick(bodies).replace('C', String(rng.intBetween(2, 5)));
}

function apply(body: string, list: number[], kind: 'map' | 'filter'): number[] {
  const expr = parseExpr(body);
  if (kind === 'map') return list.map((x) => evalExpr(expr, new Map([['x', x]])));
  return list.filter((x) => evalExpr(expr, new Map([['x', x]])) !== 0);
}

export function generate(rng: Rng, cfg: ListOpsConfig): Generated {
  let list = Array.from({ length: cfg.length }, () => rng.intBetween(0, cfg.maxNumber));
  let text = `[${list.join(',')}]`;
  for (let i = 0; i < cfg.ops; i++) {
    const last = i === cfg.ops - 1;
    if (last && cfg.reduce && rng.int(2) === 0) {
      const op = rng.pick(REDUCES);
      // max and min of an empty list have no value; fall back to sum, which is 0.
      const reducer = list.length === 0 ? 'sum' : op;
      const value = reducer === 'sum' ? list.reduce((a, b) => a + b, 0) : Math[reducer](...list);
      return { prompt: `${reducer}(${text})`, answer: String(value), meta: { ops: cfg.ops } };
    }
    const kind = rng.int(2) === 0 ? 'map' : 'filter';
    const body = lambda(rng, kind === 'map' ? MAPS : FILTERS);
    list = apply(body, list, kind);
    text = `${kind}(${body},${text})`;
  }
  return { prompt: text, answer: `[${list.join(',')}]`, meta: { ops: cfg.ops } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/**
 * Input list plus 14 chars per operation; values can grow through maps (at most x*5+1 three times, 5 digits),
 * so the answer list is at most `length` such numbers.
 */
export const maxLength = (cfg: ListOpsConfig) => {
  const width = String(cfg.maxNumber).length + 1;
  const grown = String(cfg.maxNumber * 6 ** cfg.ops).length + 2;
  return 2 + cfg.length * width + cfg.ops * 14 + Math.max(2 + cfg.length * grown, String(cfg.length * cfg.maxNumber * 6 ** cfg.ops).length + 1);
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'code',
    description: 'predict map / filter / sum / max / min over a list',
    config: ListOpsConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
