/**
 * The source tree as the architecture tests read it: every .ts file under src/, parsed once with the
 * TypeScript compiler, and the imports each one makes (static, re-exports, import() calls and import types).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';

export const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');

export interface SourceFile {
  /** Path from the repository root, with forward slashes: `src/train/trainer.ts`. */
  path: string;
  text: string;
  ast: ts.SourceFile;
}

export interface Import {
  /** As written: `../model/config.js`, `node:fs`, `vega-embed`. */
  specifier: string;
  /** Repository path of the file imported when the specifier is relative (`.js` read as `.ts`), else null. */
  target: string | null;
  /** `import type`, `export type` or an import type (`import('x').T`): erased at run time. */
  typeOnly: boolean;
  line: number;
}

export function sourceFiles(folder = 'src'): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(parse(path, readFileSync(join(ROOT, path), 'utf8')));
    }
  };
  walk(folder);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export function parse(path: string, text: string): SourceFile {
  return { path, text, ast: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
}

export function importsOf(file: SourceFile): Import[] {
  const found: Import[] = [];
  const add = (literal: ts.Node, typeOnly: boolean): void => {
    if (!ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    const line = file.ast.getLineAndCharacterOfPosition(literal.getStart()).line + 1;
    found.push({ specifier, target: resolve(file.path, specifier), typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      if (node.arguments[0]) add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  return target.replace(/\.js$/, '.ts');
}

/** `src/train/objectives/rl.ts` → `train`; a path outside src/ → null. */
export function folderOf(path: string): string | null {
  const parts = posix.relative('src', path).split(/[\\/]/);
  return parts[0] === '..' || parts.length < 2 ? null : parts[0]!;
}
