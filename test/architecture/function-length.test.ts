/**
 * Functions a reader holds in their head: none in src/ is over 60 lines (signature to closing brace, nested
 * functions included) unless the line just above it says why, as `// long: <reason>`.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse, sourceFiles, type SourceFile } from './source.js';

const MAX_LINES = 60;
const EXEMPT = /^\s*\/\/ long: \S/;

interface Long {
  where: string;
  lines: number;
  exempt: boolean;
}

type FunctionNode = ts.FunctionLikeDeclaration & { body: ts.Node };

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    node.body !== undefined
  );
}

/** `train`, `Trainer.step`, or for an anonymous function what holds it: `const page = () =>`, a call's argument. */
function nameOf(node: FunctionNode): string {
  if (node.name) {
    const owner = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
    return owner + node.name.getText();
  }
  const holder = node.parent;
  if ((ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder)) && holder.name) return holder.name.getText();
  return '(anonymous)';
}

/** The line a `// long:` comment must sit above: the function's own first line, or its statement's. */
function anchorLines(file: SourceFile, node: ts.Node): number[] {
  const lineOf = (n: ts.Node): number => file.ast.getLineAndCharacterOfPosition(n.getStart()).line;
  const lines = [lineOf(node)];
  for (let p = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isBlock(p) || ts.isClassLike(p)) break;
    lines.push(lineOf(p));
  }
  return lines;
}

export function longFunctions(file: SourceFile): Long[] {
  const found: Long[] = [];
  const sourceLines = file.text.split('\n');
  const visit = (node: ts.Node): void => {
    if (isFunction(node)) {
      const start = file.ast.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = file.ast.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_LINES) {
        const exempt = anchorLines(file, node).some((line) => EXEMPT.test(sourceLines[line - 1] ?? ''));
        found.push({ where: `${file.path}:${start + 1} ${nameOf(node)}`, lines, exempt });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

describe('function length', () => {
  const long = sourceFiles().flatMap(longFunctions);

  it(`no function in src/ is over ${MAX_LINES} lines without a '// long: <reason>' above it`, () => {
    expect(long.filter((f) => !f.exempt).map((f) => `${f.where} (${f.lines} lines)`)).toEqual([]);
  });

  it('counts a long function and honours the comment above it', () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  const x${i} = ${i};`).join('\n');
    const plain = parse('src/x.ts', `export function big(): void {\n${body}\n}\n`);
    const excused = parse('src/x.ts', `// long: one table\nconst big = (): void => {\n${body}\n};\n`);
    expect(longFunctions(plain)).toEqual([{ where: 'src/x.ts:1 big', lines: MAX_LINES + 2, exempt: false }]);
    expect(longFunctions(excused)).toEqual([{ where: 'src/x.ts:2 big', lines: MAX_LINES + 2, exempt: true }]);
  });

  it('the exemptions stay few', () => {
    expect(long.filter((f) => f.exempt).length).toBeLessThanOrEqual(8);
  });
});
