/**
 * Continuum's code sandbox: a tiny imperative language and a stack machine, both run with a step limit so
 * that any text a model writes — junk, infinite loops, 10 kB of noise — ends quickly in a result or an error.
 *
 * The language (integers only; comparisons give 1 or 0; `/` and `%` floor like Python's):
 *   program := stmt (';' stmt)*
 *   stmt    := name '=' expr | 'print' expr | 'if' expr '{' program '}' ['else' '{' program '}']
 *            | 'while' expr '{' program '}'
 *   expr    := sum [('<' | '>' | '<=' | '>=' | '==' | '!=') sum]
 *   sum     := term (('+' | '-') term)*      term := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | integer | name | '(' expr ')'
 * Example: `s=0;i=3;while i>0{s=s+i;i=i-1};print s` prints 6.
 */

export type SandboxErrorKind = 'syntax' | 'runtime' | 'steps';

export class SandboxError extends Error {
  constructor(
    readonly kind: SandboxErrorKind,
    message: string,
  ) {
    super(`${kind} error: ${message}`);
  }
}

/** Longest source the sandbox will read; anything longer is rejected before parsing. */
export const MAX_SOURCE_CHARS = 1000;
export const DEFAULT_MAX_STEPS = 1000;
/** Values beyond this magnitude are an error, so arithmetic stays exact in doubles. */
const MAX_VALUE = 1e12;
const KEYWORDS = new Set(['print', 'if', 'else', 'while']);

// ---- lexer ------------------------------------------------------------------------------------------

type Token = { kind: 'num'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

const TWO_CHAR_OPS = new Set(['<=', '>=', '==', '!=']);
const ONE_CHAR_OPS = new Set([...'-+*/%<>=(){};']);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLower = (c: number) => c >= 97 && c <= 122;

/** A hand-written scanner: scoring runs it on every candidate answer, so it avoids regexes and slicing. */
function lex(source: string): Token[] {
  if (source.length > MAX_SOURCE_CHARS) throw new SandboxError('syntax', `source longer than ${MAX_SOURCE_CHARS} chars`);
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const c = source.charCodeAt(pos);
    const start = pos;
    if (c === 32 || c === 10) {
      pos++;
    } else if (isDigit(c)) {
      while (pos < source.length && isDigit(source.charCodeAt(pos))) pos++;
      if (pos - start > 12) throw new SandboxError('syntax', `number too long at ${start}`);
      tokens.push({ kind: 'num', value: Number(source.slice(start, pos)) });
    } else if (isLower(c)) {
      while (pos < source.length && isLower(source.charCodeAt(pos))) pos++;
      tokens.push({ kind: 'name', value: source.slice(start, pos) });
    } else if (TWO_CHAR_OPS.has(source.slice(pos, pos + 2))) {
      tokens.push({ kind: 'op', value: source.slice(pos, pos + 2) });
      pos += 2;
    } else if (ONE_CHAR_OPS.has(source[pos])) {
      tokens.push({ kind: 'op', value: source[pos++] });
    } else {
      throw new SandboxError('syntax', `unexpected character at ${pos}: ${JSON.stringify(source[pos])}`);
    }
  }
  return tokens;
}

// ---- parser -----------------------------------------------------------------------------------------

export type Expr =
  | { type: 'num'; value: number }
  | { type: 'var'; name: string }
  | { type: 'neg'; arg: Expr }
  | { type: 'bin'; op: string; left: Expr; right: Expr };

export type Stmt =
  | { type: 'assign'; name: string; expr: Expr }
  | { type: 'print'; expr: Expr }
  | { type: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] }
  | { type: 'while'; cond: Expr; body: Stmt[] };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isOp(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.value === value;
  }
  private expectOp(value: string): void {
    if (!this.isOp(value)) throw new SandboxError('syntax', `expected '${value}' at token ${this.i}`);
    this.i++;
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  program(): Stmt[] {
    const stmts = [this.stmt()];
    while (this.isOp(';')) {
      this.i++;
      stmts.push(this.stmt());
    }
    return stmts;
  }

  private block(): Stmt[] {
    this.expectOp('{');
    const body = this.program();
    this.expectOp('}');
    return body;
  }

  private stmt(): Stmt {
    const t = this.peek();
    if (t?.kind !== 'name') throw new SandboxError('syntax', `expected a statement at token ${this.i}`);
    this.i++;
    if (t.value === 'print') return { type: 'print', expr: this.expr() };
    if (t.value === 'while') return { type: 'while', cond: this.expr(), body: this.block() };
    if (t.value === 'if') {
      const cond = this.expr();
      const then = this.block();
      const next = this.peek();
      const otherwise = next?.kind === 'name' && next.value === 'else' ? (this.i++, this.block()) : [];
      return { type: 'if', cond, then, else: otherwise };
    }
    if (KEYWORDS.has(t.value)) throw new SandboxError('syntax', `unexpected '${t.value}'`);
    this.expectOp('=');
    return { type: 'assign', name: t.value, expr: this.expr() };
  }

  expr(): Expr {
    const left = this.sum();
    const t = this.peek();
    if (t?.kind === 'op' && ['<', '>', '<=', '>=', '==', '!='].includes(t.value)) {
      this.i++;
      return { type: 'bin', op: t.value, left, right: this.sum() };
    }
    return left;
  }

  private sum(): Expr {
    let left = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      left = { type: 'bin', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      left = { type: 'bin', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    if (!t) throw new SandboxError('syntax', 'unexpected end of input');
    this.i++;
    if (t.kind === 'num') return { type: 'num', value: t.value };
    if (t.kind === 'name') {
      if (KEYWORDS.has(t.value)) throw new SandboxError('syntax', `unexpected '${t.value}'`);
      return { type: 'var', name: t.value };
    }
    if (t.value === '-') return { type: 'neg', arg: this.unary() };
    if (t.value === '(') {
      const inner = this.expr();
      this.expectOp(')');
      return inner;
    }
    throw new SandboxError('syntax', `unexpected '${t.value}'`);
  }
}

export function parseProgram(source: string): Stmt[] {
  const parser = new Parser(lex(source));
  const program = parser.program();
  if (!parser.atEnd()) throw new SandboxError('syntax', 'unexpected text after the program');
  return program;
}

export function parseExpr(source: string): Expr {
  const parser = new Parser(lex(source));
  const expr = parser.expr();
  if (!parser.atEnd()) throw new SandboxError('syntax', 'unexpected text after the expression');
  return expr;
}

// ---- evaluator --------------------------------------------------------------------------------------

export type Vars = Map<string, number>;

interface Budget {
  steps: number;
  readonly max: number;
}

function tick(budget: Budget): void {
  if (++budget.steps > budget.max) throw new SandboxError('steps', `more than ${budget.max} steps`);
}

function checked(value: number): number {
  if (Math.abs(value) > MAX_VALUE) throw new SandboxError('runtime', `value ${value} out of range`);
  return value;
}

export function evalExpr(expr: Expr, vars: Vars, budget: Budget = { steps: 0, max: DEFAULT_MAX_STEPS }): number {
  tick(budget);
  switch (expr.type) {
    case 'num':
      return expr.value;
    case 'var': {
      const v = vars.get(expr.name);
      if (v === undefined) throw new SandboxError('runtime', `'${expr.name}' is not defined`);
      return v;
    }
    case 'neg':
      return -evalExpr(expr.arg, vars, budget);
    case 'bin': {
      const a = evalExpr(expr.left, vars, budget);
      const b = evalExpr(expr.right, vars, budget);
      return checked(binary(expr.op, a, b));
    }
  }
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/':
      if (b === 0) throw new SandboxError('runtime', 'division by zero');
      return Math.floor(a / b);
    case '%':
      if (b === 0) throw new SandboxError('runtime', 'modulo by zero');
      return a - b * Math.floor(a / b);
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
  }
  throw new SandboxError('runtime', `unknown operator ${op}`);
}

function exec(stmts: Stmt[], vars: Vars, out: number[], budget: Budget): void {
  for (const s of stmts) {
    tick(budget);
    switch (s.type) {
      case 'assign':
        vars.set(s.name, evalExpr(s.expr, vars, budget));
        break;
      case 'print':
        if (out.length >= 100) throw new SandboxError('runtime', 'more than 100 prints');
        out.push(evalExpr(s.expr, vars, budget));
        break;
      case 'if':
        exec(evalExpr(s.cond, vars, budget) !== 0 ? s.then : s.else, vars, out, budget);
        break;
      case 'while':
        while (evalExpr(s.cond, vars, budget) !== 0) exec(s.body, vars, out, budget);
        break;
    }
  }
}

export interface RunResult {
  /** Printed values joined by single spaces. */
  output: string;
  vars: Vars;
  steps: number;
}

/** Runs a program (source or parsed) with preset variables. Throws SandboxError on any failure. */
export function runProgram(
  program: string | Stmt[],
  inputs: Record<string, number> = {},
  maxSteps = DEFAULT_MAX_STEPS,
): RunResult {
  const stmts = typeof program === 'string' ? parseProgram(program) : program;
  const vars: Vars = new Map(Object.entries(inputs));
  const out: number[] = [];
  const budget = { steps: 0, max: maxSteps };
  exec(stmts, vars, out, budget);
  return { output: out.join(' '), vars, steps: budget.steps };
}

/** Like runProgram, but returns null instead of throwing: for scoring untrusted text. */
export function tryRun(program: string | Stmt[], inputs: Record<string, number> = {}, maxSteps = DEFAULT_MAX_STEPS): RunResult | null {
  // Failing programs are the common case when scoring: skip stack traces, which cost more than the run itself.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return runProgram(program, inputs, maxSteps);
  } catch (err) {
    if (err instanceof SandboxError) return null;
    throw err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Like parseProgram, but returns null instead of throwing: for parsing untrusted text. */
export function tryParse(source: string): Stmt[] | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // see tryRun
  try {
    return parseProgram(source);
  } catch (err) {
    if (err instanceof SandboxError) return null;
    throw err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// ---- stack machine ----------------------------------------------------------------------------------

/** Like runStack, but returns null instead of throwing. */
export function tryStack(source: string, maxSteps = DEFAULT_MAX_STEPS): number[] | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // see tryRun
  try {
    return runStack(source, maxSteps);
  } catch (err) {
    if (err instanceof SandboxError) return null;
    throw err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A stack machine over space-separated words: an integer pushes itself; `+ - *` pop two and push the result;
 * `dup` copies the top, `swap` exchanges the top two, `drop` discards the top, `over` copies the second.
 * Returns the final stack, bottom first.
 */
export function runStack(source: string, maxSteps = DEFAULT_MAX_STEPS): number[] {
  if (source.length > MAX_SOURCE_CHARS) throw new SandboxError('syntax', `source longer than ${MAX_SOURCE_CHARS} chars`);
  const stack: number[] = [];
  const words = source.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length > maxSteps) throw new SandboxError('steps', `more than ${maxSteps} steps`);
  const pop = (word: string): number => {
    const v = stack.pop();
    if (v === undefined) throw new SandboxError('runtime', `'${word}' on an empty stack`);
    return v;
  };
  for (const word of words) {
    if (/^-?\d{1,12}$/.test(word)) {
      stack.push(Number(word));
      continue;
    }
    switch (word) {
      case '+': case '-': case '*': {
        const b = pop(word);
        const a = pop(word);
        stack.push(checked(binary(word, a, b)));
        break;
      }
      case 'dup': { const a = pop(word); stack.push(a, a); break; }
      case 'swap': { const b = pop(word); const a = pop(word); stack.push(b, a); break; }
      case 'drop': pop(word); break;
      case 'over': { const b = pop(word); const a = pop(word); stack.push(a, b, a); break; }
      default:
        throw new SandboxError('syntax', `unknown word '${word}'`);
    }
  }
  return stack;
}
