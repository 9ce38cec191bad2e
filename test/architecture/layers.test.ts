/**
 * No layer imports one above it. The order is the README's layout section (top layer first; folders named on
 * one line are siblings and do not import each other); a folder's README may forbid more ("never eval/").
 * Type-only imports count too: a type is as much a dependency for a reader as a function.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderOf, importsOf, parse, ROOT, sourceFiles, type SourceFile } from './source.js';

interface Layers {
  /** Folder → its depth: 0 is the top layer; siblings share a depth. */
  depth: Map<string, number>;
  /** Folder → folders its README says it never imports. */
  never: Map<string, Set<string>>;
}

/** The code block under `## Layout`: every line that starts with `src/x/` is a layer, `src/y/` later on it a sibling. */
function readLayers(): Layers {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Layout\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  const block = section.split('```')[1] ?? '';
  const depth = new Map<string, number>();
  for (const line of block.split('\n').filter((l) => l.startsWith('src/'))) {
    const level = new Set(depth.values()).size;
    for (const match of line.matchAll(/\bsrc\/([\w-]+)\//g)) depth.set(match[1]!, level);
  }
  const never = new Map<string, Set<string>>();
  for (const folder of depth.keys()) {
    const text = readFileSync(join(ROOT, 'src', folder, 'README.md'), 'utf8');
    never.set(folder, new Set([...text.matchAll(/\bnever ([\w-]+)\//g)].map((m) => m[1]!)));
  }
  return { depth, never };
}

/** Each import that crosses into a folder it may not reach, as `file:line imports target (why)`. */
export function violations(files: SourceFile[], layers: Layers): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = folderOf(file.path);
    if (from === null) continue;
    for (const imp of importsOf(file)) {
      const to = imp.target === null ? null : folderOf(imp.target);
      if (to === null || to === from) continue;
      const why = reason(from, to, layers);
      if (why) found.push(`${file.path}:${imp.line} imports ${imp.target}: ${why}`);
    }
  }
  return found;
}

function reason(from: string, to: string, { depth, never }: Layers): string | null {
  const a = depth.get(from);
  const b = depth.get(to);
  if (a === undefined) return `${from}/ is not in the README's layout`;
  if (b === undefined) return `${to}/ is not in the README's layout`;
  if (b === a) return `${from}/ and ${to}/ are siblings`;
  if (never.get(from)?.has(to)) return `src/${from}/README.md says never ${to}/`;
  if (b < a) return `${to}/ is above ${from}/`;
  return null;
}

/** Packages and builtins that run only in Node; the page's run-time imports must reach none of them. */
const NODE_ONLY = new Set(['better-sqlite3', 'fastify', '@fastify/static', '@resvg/resvg-js', 'commander', 'cli-progress']);

function isNodeOnly(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier) || NODE_ONLY.has(specifier);
}

/** Every Node-only module the page loads at run time, with the chain of files that reaches it. */
function nodeOnlyReachedFrom(entries: SourceFile[], all: Map<string, SourceFile>): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (file: SourceFile, chain: string[]): void => {
    if (seen.has(file.path)) return;
    seen.add(file.path);
    for (const imp of importsOf(file).filter((i) => !i.typeOnly)) {
      if (isNodeOnly(imp.specifier)) found.push([...chain, file.path, imp.specifier].join(' → '));
      const next = imp.target === null ? undefined : all.get(imp.target);
      if (next) visit(next, [...chain, file.path]);
    }
  };
  for (const entry of entries) visit(entry, []);
  return found;
}

describe('layers', () => {
  const layers = readLayers();
  const files = sourceFiles();

  it('reads the layout: every src/ folder has a layer', () => {
    const folders = new Set(files.map((f) => folderOf(f.path)).filter((f): f is string => f !== null));
    expect([...folders].filter((f) => !layers.depth.has(f))).toEqual([]);
    expect(layers.depth.get('cli')).toBe(0);
    // The playground's session sits below the page and above the loop's parts it reuses.
    expect(layers.depth.get('playground')).toBeGreaterThan(layers.depth.get('web')!);
    expect(layers.depth.get('playground')).toBeLessThan(layers.depth.get('train')!);
    expect(layers.depth.get('util')).toBe(Math.max(...layers.depth.values()));
  });

  it('no file in src/ imports a folder above its own, a sibling, or one its README forbids', () => {
    expect(violations(files, layers)).toEqual([]);
  });

  it('catches upward imports (static, type-only, dynamic) and a sibling import', () => {
    const bad = [
      parse('src/model/engine.ts', "import { train } from '../train/trainer.js';"),
      parse('src/stats/x.ts', "import type { Instance } from '../tasks/family.js';"),
      parse('src/web/x.ts', "export { RunInfo } from '../server/app.js';"),
      parse('src/util/x.ts', "const m = await import('../tasks/index.js');"),
    ];
    const found = violations(bad, layers);
    expect(found).toHaveLength(4);
    expect(found[0]).toBe('src/model/engine.ts:1 imports src/train/trainer.ts: train/ is above model/');
    expect(found[1]).toContain('tasks/ is above stats/');
    expect(found[2]).toContain('siblings');
    expect(found[3]).toContain('tasks/ is above util/');
  });

  it('the page (src/web/) loads no Node-only module at run time', () => {
    const all = new Map(files.map((f) => [f.path, f]));
    // The Vite configs (the dashboard's, the playground's static build) run in Node at build time.
    const page = files.filter((f) => f.path.startsWith('src/web/') && !/\/vite(\.\w+)?\.config\.ts$/.test(f.path));
    expect(nodeOnlyReachedFrom(page, all)).toEqual([]);
  });
});
