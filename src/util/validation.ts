/**
 * Turns zod's issues into one line per problem that names the field path, the value found and what is
 * allowed, e.g. `stages[0].budget.steps: got -5; expected a number >= 1`.
 */
import type { z } from 'zod';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: any = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[key as any];
  }
  return v;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + '...' : text;
}

export function describeIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field; check its spelling or remove it`);
    }
    const where = formatPath(issue.path);
    // A custom issue about the field itself (a misspelled key) says so with params: { value: false }.
    if (issue.code === 'custom' && issue.params?.value === false) return [`${where}: ${issue.message}`];
    const got = show(valueAt(input, issue.path));
    return [`${where}: got ${got}; ${issue.message}`];
  });
}

/** Parses or throws one error listing every problem, each on its own line. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const lines = describeIssues(result.error, input);
  throw new ValidationError(`${what} is invalid:\n  - ${lines.join('\n  - ')}`, lines);
}

export class ValidationError extends Error {
  constructor(message: string, readonly problems: string[]) {
    super(message);
    this.name = 'ValidationError';
  }
}
