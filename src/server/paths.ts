/**
 * The one gate between a request and the file system: every run id and every path inside a run goes through
 * here. A name that could leave the runs directory is refused before anything is opened: absolute paths,
 * `..` and `.` segments, empty segments, backslashes, NUL, and symbolic links that resolve outside.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { BadRequestError, NotFoundError } from './errors.js';


function checkRelative(path: string, what: string): string[] {
  if (typeof path !== 'string' || path.length === 0) throw new BadRequestError(`${what}: empty`);
  if (path.length > 400) throw new BadRequestError(`${what}: longer than 400 characters`);
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) throw new BadRequestError(`${what} "${path}": absolute paths are refused; name it relative to the runs directory`);
  if (/[\\\0]/.test(path)) throw new BadRequestError(`${what} "${path}": backslashes and NUL are refused`);
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new BadRequestError(`${what} "${path}": "..", "." and empty segments are refused`);
  return segments;
}

/** True when `child` is `base` or lies below it (both absolute). */
function isWithin(base: string, child: string): boolean {
  const rel = relative(base, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The absolute path of `rel` inside `base`, refusing anything that escapes it, lexically or through a symlink.
 * `base` must exist; `rel` need not (the caller reports a missing file as it sees fit).
 */
export function resolveInside(base: string, rel: string, what = 'path'): string {
  checkRelative(rel, what);
  const root = realpathSync(base);
  const target = resolve(root, rel);
  if (!isWithin(root, target)) throw new BadRequestError(`${what} "${rel}" is outside the runs directory`);
  if (existsSync(target) && !isWithin(root, realpathSync(target))) throw new BadRequestError(`${what} "${rel}" links outside the runs directory`);
  return target;
}

/** A run's directory: a run id is one name directly under the runs directory. */
export function runDirOf(runsDir: string, id: string): string {
  const segments = checkRelative(id, 'run id');
  if (segments.length !== 1) throw new BadRequestError(`run id "${id}": a run id is one directory name, without "/"`);
  const dir = resolveInside(runsDir, id, 'run id');
  if (!existsSync(dir)) throw new NotFoundError(`no run "${id}" in the runs directory`);
  return dir;
}

