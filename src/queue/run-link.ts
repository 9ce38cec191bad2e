/**
 * A run directory's link to its queue, RUN_DIR/queue.json: the Redis URL the run's trials were enqueued on and
 * the run's token (the prefix of its job ids). `study resume` reads it to reattach to the same jobs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/files.js';
import { redactUrl } from './connection.js';

export const QUEUE_FILE = 'queue.json';

export interface QueueLink {
  url: string;
  token: string;
}

export function readQueueLink(runDir: string): QueueLink | null {
  const path = join(runDir, QUEUE_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as QueueLink) : null;
}

/**
 * The run's link, created on first use; a URL given later (Redis moved) replaces the recorded one. The file
 * records the URL without its password (a run directory gets copied around); the returned link keeps it.
 */
export function linkRunToQueue(runDir: string, url: string | undefined, runId: string): QueueLink {
  const old = readQueueLink(runDir);
  const chosen = url ?? old?.url;
  if (!chosen) throw new Error(`${runDir} ran on the local pool, not a queue; resume it without --queue`);
  // Job ids may not hold ':'; the random part keeps two runs of the same name on one Redis apart.
  const token = old?.token ?? `${runId.replace(/[^\w-]/g, '_')}-${randomBytes(4).toString('hex')}`;
  const recorded = { url: redactUrl(chosen), token };
  if (!old || old.url !== recorded.url) writeFileAtomic(join(runDir, QUEUE_FILE), JSON.stringify(recorded, null, 2) + '\n');
  return { url: chosen, token };
}

/** The URL to reattach with: the one given, else the recorded one, which must not be missing its password. */
export function reattachUrl(runDir: string, given: string | undefined): string | undefined {
  if (given) return given;
  const recorded = readQueueLink(runDir)?.url;
  if (recorded && new URL(recorded).password) {
    throw new Error(`${runDir} ran on the queue ${recorded}, whose password is not recorded: give it with --queue URL or $CONTINUUM_QUEUE`);
  }
  return recorded;
}
