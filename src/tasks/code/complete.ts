/**
 * code/complete — fill the hole `_` in a program so it passes the given input/output tests:
 * `x=2:7 x=5:16|y=x*_+1;print y` -> `3`. Scored by splicing the answer into the hole and running the program in
 * the sandbox with a step limit on the shown tests and on hidden ones (every other input 0..20 the reference
 * program runs on), so any completion equivalent to the reference scores 1, not only the reference, and one that
 * fits only the shown tests scores 0. A completion is what the hole asks for, one value or one operator: text
 * with statements of its own (`0;y=(x==2)*7+(x==5)*10;y=y`) could replay the shown outputs and scores 0.
 * Generated instances have exactly one passing single-character completion, so the tests pin the answer down.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, normalize, retry, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';
import { MAX_SOURCE_CHARS, tryParse, tryRun } from './interpreter.js';

export const NAME = 'code/complete';

const TEMPLATES = {
  /** the hole is a constant in a one-line formula */
  constant: ['y=x*_+C;print y', 'y=x+_;print y', 'y=_*x-C;print y', 'y=(x+_)*C;print y'],
  /** the hole is an operator */
  operator: ['y=x_C;print y', 'y=x_C+C;print y', 'y=C_x;print y'],
  /** the hole is inside a loop body */
  loop: ['s=0;while x>0{s=s+_;x=x-1};print s', 's=C;i=0;while i<x{s=s*_;i=i+1};print s', 's=0;i=0;while i<x{s=s+_;i=i+1};print s'],
  /** the hole is a branch threshold */
  branch: ['if x>_{y=x-C}else{y=C};print y', 'if x<_{y=x*C}else{y=x+C};print y'],
} as const;
type Kind = keyof typeof TEMPLATES;

export const CompleteConfig = z
  .object({
    kinds: z.array(z.enum(['constant', 'operator', 'loop', 'branch'])).min(1).default(['constant']).describe('where the hole is'),
    tests: z.number().int().min(1).max(5).default(2).describe('input/output examples shown'),
    maxInput: z.number().int().min(1).max(20).default(9).describe('largest test input x (inputs are distinct)'),
  })
  .refine((c) => c.maxInput >= c.tests, { message: 'must be at least tests: the test inputs are distinct', path: ['maxInput'] });
export type CompleteConfig = z.output<typeof CompleteConfig>;

export const LEVELS: Partial<CompleteConfig>[] = [
  { kinds: ['constant'], tests: 2 },
  { kinds: ['constant', 'operator'], tests: 3 },
  { kinds: ['loop'], tests: 3, maxInput: 6 },
  { kinds: ['constant', 'operator', 'loop', 'branch'], tests: 4, maxInput: 9 },
];

/** Longest printed output a test may show, e.g. `-9999`. */
const MAX_OUTPUT_CHARS = 5;
/** Step limit per test run: the templates need under 200 steps for inputs up to 20. */
const MAX_STEPS = 500;
/**
 * Completions tried when checking that the tests single out one answer. Only operators parse in an operator
 * hole and only values in a value hole, so each kind of hole is checked against its own kind.
 */
const VALUES = [...'0123456789', 'x', 'y', 's', 'i'];
const OPERATORS = ['+', '-', '*', '/', '%'];
const FILLS: Record<Kind, string> = { constant: '123456789', operator: '+-*%', loop: '123ix', branch: '123456789' };

/** What a hole takes: one operator, or one value (a whole number or a variable name); never an expression. */
const COMPLETION = /^([-+*/%]|\d{1,4}|[a-z])$/;
/** Inputs of the hidden tests: every input a prompt can show (1..maxInput <= 20), and 0. */
const HIDDEN_INPUTS = Array.from({ length: 21 }, (_, x) => x);

/** The program with the hole filled, or null when the fill could not be a completion at all. */
function fill(program: string, completion: string): string | null {
  const text = normalize(completion);
  if (text === '' || text.length > MAX_SOURCE_CHARS - program.length) return null;
  return program.replace('_', text);
}

/** Parses `x=2:7 x=5:16|program`, the prompt format. */
function parsePrompt(prompt: string): { tests: Array<[number, string]>; program: string } {
  const bar = prompt.indexOf('|');
  const tests = prompt
    .slice(0, bar)
    .split(' ')
    .map((t): [number, string] => {
      const [input, output] = t.slice(2).split(':');
      return [Number(input), output];
    });
  return { tests, program: prompt.slice(bar + 1) };
}

function passes(program: string, completion: string, tests: Array<[number, string]>): boolean {
  const filled = fill(program, completion);
  const parsed = filled === null ? null : tryParse(filled);
  if (parsed === null) return false;
  return tests.every(([x, expected]) => tryRun(parsed, { x }, MAX_STEPS)?.output === expected);
}

export function generate(rng: Rng, cfg: CompleteConfig): Generated {
  return retry(NAME, () => attempt(rng, cfg), 'show more tests or allow more kinds of hole');
}

/** A program with a hole and tests that single out the hole's completion, or undefined. */
function attempt(rng: Rng, cfg: CompleteConfig): Generated | undefined {
  const kind = rng.pick(cfg.kinds);
  const template = rng.pick(TEMPLATES[kind]);
  const program = template.replace(/C/g, () => String(rng.intBetween(2, 5)));
  const answer = rng.pick([...FILLS[kind]]);
  const inputs = rng.shuffle(Array.from({ length: cfg.maxInput }, (_, i) => i + 1)).slice(0, cfg.tests).sort((a, b) => a - b);
  const filled = tryParse(program.replace('_', answer));
  if (filled === null) return undefined;
  const tests = inputs.map((x): [number, string] => [x, tryRun(filled, { x }, MAX_STEPS)?.output ?? '']);
  // Redraw when a test fails to run or prints a long number (x^x grows fast), keeping prompts short.
  if (tests.some(([, out]) => out === '' || out.length > MAX_OUTPUT_CHARS)) return undefined;
  // Keep only instances whose tests rule out every other single-character completion.
  const candidates = kind === 'operator' ? OPERATORS : VALUES;
  if (candidates.some((c) => c !== answer && passes(program, c, tests))) return undefined;
  const prompt = `${tests.map(([x, out]) => `x=${x}:${out}`).join(' ')}|${program}`;
  return { prompt, answer, meta: { kind } };
}

/** Hidden tests by prompt: the reference program's output on every input the prompt does not show. */
const hiddenCache = new Map<string, Array<[number, string]>>();
const MAX_CACHED_PROMPTS = 4096;

function hiddenTests(program: string, answer: string, shown: Array<[number, string]>): Array<[number, string]> {
  const cacheKey = `${program}|${answer}|${shown.map(([x]) => x).join(',')}`;
  const cached = hiddenCache.get(cacheKey);
  if (cached) return cached;
  const reference = tryParse(program.replace('_', answer));
  const seen = new Set(shown.map(([x]) => x));
  const tests: Array<[number, string]> = [];
  for (const x of HIDDEN_INPUTS) {
    if (seen.has(x) || reference === null) continue;
    // Inputs where the reference itself fails (a value past the sandbox's range) test nothing.
    const out = tryRun(reference, { x }, MAX_STEPS)?.output;
    if (out !== undefined) tests.push([x, out]);
  }
  if (hiddenCache.size >= MAX_CACHED_PROMPTS) hiddenCache.delete(hiddenCache.keys().next().value!);
  hiddenCache.set(cacheKey, tests);
  return tests;
}

/** 1 when the completion is one value or operator and the completed program passes the shown and hidden tests. */
export function score(output: string, instance: Generated): number {
  const text = normalize(output);
  if (!COMPLETION.test(text)) return 0;
  const { tests, program } = parsePrompt(instance.prompt);
  if (!passes(program, text, tests)) return 0;
  return passes(program, text, hiddenTests(program, instance.answer, tests)) ? 1 : 0;
}

export const key = (g: Generated) => g.prompt;
/** The longest template of the configured kinds with its constants, tests like `x=20:-9999 `, and the answer. */
export const maxLength = (cfg: CompleteConfig) => {
  const template = Math.max(...cfg.kinds.flatMap((kind) => TEMPLATES[kind].map((t) => t.length)));
  return cfg.tests * (String(cfg.maxInput).length + 4 + MAX_OUTPUT_CHARS) + template + 1;
};

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'code',
    description: 'fill the hole in a program so it passes input/output tests (run in the sandbox)',
    config: CompleteConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
