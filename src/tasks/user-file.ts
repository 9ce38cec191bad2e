/** Node-only: registering user tasks from a JSONL file. The browser passes fetched text to registerUserTasks. */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { TaskFamily } from './family.js';
import { registerUserTasks } from './user.js';

/** Registers the tasks in `path`; lines without a `family` go to `user/<file name>`. */
export function loadUserTasks(path: string): TaskFamily[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`user tasks ${path}: cannot read it (${(err as Error).message})`);
  }
  const slug = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9_-]+/g, '-') || 'tasks';
  return registerUserTasks(text, slug, path);
}
