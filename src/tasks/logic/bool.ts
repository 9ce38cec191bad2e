/**
 * logic/bool — evaluate a boolean formula: `T&(F|!T)` -> `F`; at higher levels over named variables:
 * `a=T,b=F:a&!b` -> `T`. Operators: ! (not), & (and), | (or), ^ (xor); & binds tighter than | and ^.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'logic/bool';

export const BoolConfig = z.object({
  depth: z.number().int().min(1).max(4).default(2).describe('nesting depth of the formula'),
  variables: z.number().int().min(0).max(4).default(0).describe('named variables (0: literals T and F only)'),
  xor: z.boolean().default(false).describe('allow ^ (exclusive or)'),
});
export type BoolConfig = z.output<typeof BoolConfig>;

export const LEVELS: Partial<BoolConfig>[] = [
  { depth: 2 },
  { depth: 3 },
  { depth: 2, variables: 2 },
  { depth: 3, variables: 3, xor: true },
];

interface Formula {
  text: string;
  value: boolean;
  /** Binding strength: 3 atom or negation, 2 and, 1 or/xor. */
  strength: number;
}

function formula(rng: Rng, depth: number, cfg: BoolConfig, env: Map<string, boolean>): Formula {
  if (depth === 0 || (depth < cfg.depth && rng.int(3) === 0)) {
    if (env.size > 0) {
      const name = rng.pick([...env.keys()]);
      return { text: name, value: env.get(name)!, strength: 3 };
    }
    const value = rng.int(2) === 1;
    return { text: value ? 'T' : 'F', value, strength: 3 };
  }
  if (rng.int(4) === 0) {
    const inner = formula(rng, depth - 1, cfg, env);
    const text = inner.strength === 3 ? `!${inner.text}` : `!(${inner.text})`;
    return { text, value: !inner.value, strength: 3 };
  }
  const op = rng.pick(cfg.xor ? ['&', '|', '^'] : ['&', '|']);
  const strength = op === '&' ? 2 : 1;
  const l = formula(rng, depth - 1, cfg, env);
  const r = formula(rng, depth - 1, cfg, env);
  // Parenthesize children that bind more loosely, and right children of equal strength (no associativity assumed).
  const wrap = (f: Formula, right: boolean) => (f.strength < strength || (right && f.strength === strength) ? `(${f.text})` : f.text);
  const value = op === '&' ? l.value && r.value : op === '|' ? l.value || r.value : l.value !== r.value;
  return { text: `${wrap(l, false)}${op}${wrap(r, true)}`, value, strength };
}

export function generate(rng: Rng, cfg: BoolConfig): Generated {
  const env = new Map<string, boolean>();
  for (let i = 0; i < cfg.variables; i++) env.set('abcd'[i], rng.int(2) === 1);
  const f = formula(rng, cfg.depth, cfg, env);
  const bindings = [...env].map(([name, v]) => `${name}=${v ? 'T' : 'F'}`).join(',');
  const prompt = bindings ? `${bindings}:${f.text}` : f.text;
  return { prompt, answer: f.value ? 'T' : 'F', meta: { depth: cfg.depth } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/** A full tree: 2^depth atoms; per inner node an operator, a negation and two pairs of parentheses at most. */
export const maxLength = (cfg: BoolConfig) => 2 ** cfg.depth + (2 ** cfg.depth - 1) * 6 + cfg.variables * 4 + 2;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'logic',
    description: 'evaluate a boolean formula (T/F, !, &, |, ^, variables)',
    config: BoolConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
