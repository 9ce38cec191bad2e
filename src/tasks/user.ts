/**
 * Users' own tasks, from JSONL: one object per line with `prompt` and `answer` (or reasoning-gym's `question`
 * and `answer`), optional `family`, `domain` and `match` ("exact" or "numeric"; numeric is the default for
 * numeric answers). Each distinct `family` becomes a registered family `user/<family>`, split by a hash of the
 * prompt like every other family. Browser-safe; reading a file is in user-file.ts.
 */
import { z } from 'zod';
import type { Rng } from '../util/rng.js';
import { unknownCharError } from '../text/vocab.js';
import { DOMAINS, normalize, type Domain, type Generated, type SplitContext, type TaskFamily } from './family.js';
import { registerFamily, unregisterFamily } from './registry.js';

export type MatchMode = 'exact' | 'numeric';

export interface UserTask {
  prompt: string;
  answer: string;
  family: string;
  domain: Domain;
  match: MatchMode;
}

export interface LineProblem {
  line: number;
  reason: string;
}

const LineSchema = z.object({
  prompt: z.string().optional(),
  question: z.string().optional(),
  answer: z.union([z.string(), z.number(), z.boolean()]),
  family: z.string().regex(/^[a-z0-9_-]+$/, 'use lowercase letters, digits, - and _').optional(),
  domain: z.enum(DOMAINS).optional(),
  match: z.enum(['exact', 'numeric']).optional(),
});

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Parses JSONL text into tasks, collecting every malformed line with its number and reason. */
export function parseUserTasks(text: string, defaultFamily: string): { tasks: UserTask[]; problems: LineProblem[] } {
  const tasks: UserTask[] = [];
  const problems: LineProblem[] = [];
  // A byte order mark some editors put before the first line is not part of it.
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      problems.push({ line, reason: `not JSON (${(err as Error).message})` });
      return;
    }
    const parsed = LineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push({ line, reason: `${issue.path.join('.') || 'line'}: ${issue.message}` });
      return;
    }
    const { prompt = parsed.data.question, answer, family, domain, match } = parsed.data;
    if (prompt === undefined || prompt === '') {
      problems.push({ line, reason: 'needs a non-empty "prompt" (or "question")' });
      return;
    }
    const answerText = String(answer);
    for (const [field, value] of [['prompt', prompt], ['answer', answerText]] as const) {
      const bad = unknownCharError(value, field);
      if (bad) {
        problems.push({ line, reason: bad.message });
        return;
      }
    }
    if (normalize(answerText) !== answerText || answerText === '') {
      problems.push({ line, reason: 'answer must be non-empty without leading or trailing whitespace' });
      return;
    }
    const numeric = NUMBER.test(answerText);
    if (match === 'numeric' && !numeric) {
      problems.push({ line, reason: `match is "numeric" but the answer ${JSON.stringify(answerText)} is not a number` });
      return;
    }
    tasks.push({
      prompt,
      answer: answerText,
      family: family ?? defaultFamily,
      domain: domain ?? 'user',
      match: match ?? (numeric ? 'numeric' : 'exact'),
    });
  });
  return { tasks, problems };
}

/** A decimal number exactly: mantissa * 10^exponent, in integers. */
interface Decimal {
  mantissa: bigint;
  exponent: number;
}

/** Exponents beyond this are not compared (10^1e6 as a BigInt would take seconds). */
const MAX_EXPONENT = 1000;

/** `-12.50e-3` -> { mantissa: -1250n, exponent: -5 }; null when not a plain number or out of range. */
function parseDecimal(text: string): Decimal | null {
  if (!NUMBER.test(text)) return null;
  const [significand, power = '0'] = text.toLowerCase().split('e');
  const negative = significand.startsWith('-');
  const [whole, fraction = ''] = significand.replace('-', '').split('.');
  const exponent = Number(power) - fraction.length;
  if (!(Math.abs(exponent) <= MAX_EXPONENT)) return null;
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  return { mantissa: negative ? -mantissa : mantissa, exponent };
}

/** `d` written at exponent `e` <= d.exponent, as an integer. */
const scaled = (d: Decimal, e: number) => d.mantissa * 10n ** BigInt(d.exponent - e);

/**
 * Numeric match, compared exactly in decimal: an integer answer (no decimals as written: `7`, `2.5e3`) needs the
 * same value (`7`, `7.0`, `07`; not `7.4`); an answer with d decimals needs an output within less than half a unit
 * of its last decimal, i.e. the same number at that precision (`0.33` takes `0.333` and `0.3349`, not `0.3` or
 * `0.335`; `0.0000005` does not take `0`).
 */
export function numericMatch(output: string, answer: string): boolean {
  const out = parseDecimal(normalize(output));
  const ref = parseDecimal(answer);
  if (!out || !ref) return false;
  if (ref.exponent >= 0) {
    const e = Math.min(out.exponent, ref.exponent);
    return scaled(out, e) === scaled(ref, e);
  }
  // Half a unit of the answer's last decimal is 5 * 10^(ref.exponent - 1).
  const e = Math.min(out.exponent, ref.exponent - 1);
  const gap = scaled(out, e) - scaled(ref, e);
  const half = 5n * 10n ** BigInt(ref.exponent - 1 - e);
  return (gap < 0n ? -gap : gap) < half;
}

export function scoreUserAnswer(output: string, instance: Generated): number {
  const match = instance.meta.match as MatchMode;
  if (match === 'numeric') return numericMatch(output, instance.answer) ? 1 : 0;
  return normalize(output) === instance.answer ? 1 : 0;
}

/** A family over a fixed list of tasks: each instance is one of them, split by a hash of its prompt. */
export function userFamily(name: string, tasks: UserTask[]): TaskFamily {
  const bySplit = new Map<string, number[]>();
  const indicesFor = (split: SplitContext): number[] => {
    const cacheKey = `${split.id}|${split.want}`;
    let indices = bySplit.get(cacheKey);
    if (!indices) {
      indices = tasks.flatMap((t, i) => (split.of(t.prompt) === split.want ? [i] : []));
      if (indices.length === 0) {
        throw new Error(`${name}: none of its ${tasks.length} tasks falls in the ${split.want} split; add more tasks`);
      }
      bySplit.set(cacheKey, indices);
    }
    return indices;
  };
  const maxChars = Math.max(...tasks.map((t) => t.prompt.length + t.answer.length));
  return {
    name,
    domain: tasks[0].domain,
    description: `${tasks.length} user tasks (${tasks[0].match} match)`,
    config: z.object({}),
    levels: [{}],
    generate(rng: Rng, _cfg, _index, split) {
      const task = tasks[rng.pick(indicesFor(split))];
      return { prompt: task.prompt, answer: task.answer, meta: { match: task.match } };
    },
    score: scoreUserAnswer,
    key: (g) => g.prompt,
    maxLength: () => maxChars,
  };
}

/**
 * Parses JSONL and registers one family per `family` value (`user/<family>`; lines without one use
 * `defaultFamily`). Throws listing every malformed line; re-registering a name replaces the old family.
 */
export function registerUserTasks(text: string, defaultFamily: string, source = 'tasks'): TaskFamily[] {
  const { tasks, problems } = parseUserTasks(text, defaultFamily);
  if (problems.length) {
    const shown = problems.slice(0, 20).map((p) => `  line ${p.line}: ${p.reason}`);
    if (problems.length > 20) shown.push(`  ... and ${problems.length - 20} more`);
    throw new Error(`${source}: ${problems.length} malformed line(s):\n${shown.join('\n')}`);
  }
  if (tasks.length === 0) throw new Error(`${source}: no tasks found; give one JSON object per line`);
  const groups = new Map<string, UserTask[]>();
  for (const t of tasks) groups.set(t.family, [...(groups.get(t.family) ?? []), t]);
  return [...groups].map(([family, group]) => {
    const domains = new Set(group.map((t) => t.domain));
    if (domains.size > 1) throw new Error(`${source}: family ${family} has tasks in several domains (${[...domains].join(', ')})`);
    const name = `user/${family}`;
    unregisterFamily(name);
    return registerFamily(userFamily(name, group));
  });
}
