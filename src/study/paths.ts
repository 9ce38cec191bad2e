/**
 * Dotted paths into plain data, the way sweep axes name a recipe field:
 *   stages[0].tasks.families[0].config.poolSize
 * Reading a path that is not there gives undefined; writing one creates missing object fields (so an axis can
 * set `config.k` on a family entry that has no config yet) but never invents array elements.
 */

export type PathKey = string | number;

const TOKEN = /([^.[\]]+)|\[(\d+)\]/g;

/** `a.b[0].c` -> ['a', 'b', 0, 'c']; throws on anything else, naming what it could not read. */
export function parsePath(path: string): PathKey[] {
  const keys: PathKey[] = [];
  let consumed = '';
  for (const m of path.matchAll(TOKEN)) {
    keys.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    consumed += m[0];
  }
  // Everything but the dots must have been read as a key or an index.
  if (keys.length === 0 || consumed !== path.replace(/\.(?=[^.[\]])/g, '')) {
    throw new Error(`"${path}" is not a field path; write it like stages[0].tasks.families[0].config.poolSize`);
  }
  return keys;
}

export function getPath(data: unknown, path: string): unknown {
  let node: unknown = data;
  for (const key of parsePath(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathKey, unknown>)[key];
  }
  return node;
}

/** A deep copy of `data` with `value` at `path`; throws naming the first key that cannot be followed. */
export function setPath<T>(data: T, path: string, value: unknown): T {
  const keys = parsePath(path);
  const root = structuredClone(data) as unknown;
  let node = root as Record<PathKey, unknown>;
  keys.forEach((key, i) => {
    const where = keys.slice(0, i + 1).map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');
    if (Array.isArray(node) !== (typeof key === 'number')) {
      throw new Error(`${path}: ${where} ${typeof key === 'number' ? 'indexes something that is not a list' : 'names a field of a list'}`);
    }
    if (typeof key === 'number' && key >= (node as unknown as unknown[]).length) {
      throw new Error(`${path}: ${where} is past the end of a list of ${(node as unknown as unknown[]).length}`);
    }
    if (i === keys.length - 1) {
      node[key] = structuredClone(value);
      return;
    }
    const next = node[key];
    if (next === undefined) node[key] = typeof keys[i + 1] === 'number' ? [] : {};
    else if (next === null || typeof next !== 'object') throw new Error(`${path}: ${where} is ${JSON.stringify(next)}, not an object or a list`);
    node = node[key] as Record<PathKey, unknown>;
  });
  return root as T;
}
