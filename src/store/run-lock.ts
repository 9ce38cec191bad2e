/**
 * One process owns a run directory at a time: RUN/owner.lock names it (PID, host, when it started, and the
 * process's own start time from /proc, so a PID reused by another process does not pass for the owner). Two
 * coordinators on one study run would start duplicate workers on the same trials, and two `train --resume` on one
 * run would interleave their checkpoints and metrics, so a second process is refused while the owner lives; the
 * lock of a process that is gone is taken over, saying so.
 *
 * The file is created atomically: written whole to a temporary file, then link(2)ed to owner.lock, which fails
 * when owner.lock exists, so two processes can never both believe they created it.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'owner.lock';

export interface LockOwner {
  pid: number;
  host: string;
  /** When the owner took the lock (ISO time). */
  since: string;
  /** The owner process's start time (clock ticks since boot, /proc/PID/stat field 22); null off Linux. */
  processStart: string | null;
  command: string;
}

export interface RunLock {
  path: string;
  /** The dead owner whose lock was taken over, if any. */
  tookOver: LockOwner | null;
  release(): void;
}

export class RunLockedError extends Error {
  constructor(message: string, readonly owner: LockOwner) {
    super(message);
    this.name = 'RunLockedError';
  }
}

/** A process's start time, which differs between two processes that got the same PID; null when unknown. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 of the whole line
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

/** Whether the recorded owner is still running: on this host, its PID alive with the same start time. */
function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot be checked from here: assume it lives
  if (!isAlive(owner.pid)) return false;
  const start = processStartTime(owner.pid);
  return owner.processStart === null || start === null || start === owner.processStart;
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null; // gone meanwhile, or not ours
  }
}

export const describeOwner = (o: LockOwner) => `pid ${o.pid} on ${o.host} (\`${o.command}\`, since ${o.since})`;

function lockedMessage(runDir: string, path: string, owner: LockOwner, resumeCommand: string): string {
  const other = owner.host !== hostname();
  return (
    `${runDir} is in use: ${describeOwner(owner)} owns it. Wait for it to finish, or stop it ` +
    `(${other ? `on ${owner.host}` : `kill ${owner.pid}`}) and then run \`${resumeCommand}\`` +
    (other ? `; if that process is gone, remove ${path}` : '')
  );
}

/**
 * Takes RUN/owner.lock for this process, or throws RunLockedError naming the live owner and how to continue the
 * run once it is gone (`resumeCommand`, by default `continuum study resume RUN`).
 */
export function acquireRunLock(runDir: string, command: string, resumeCommand = `continuum study resume ${runDir}`): RunLock {
  const path = join(runDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), processStart: processStartTime(process.pid), command };
  const tmp = join(runDir, `.${LOCK_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(me) + '\n');
  try {
    let tookOver: LockOwner | null = null;
    for (let attempt = 0; !tryLink(tmp, path); attempt++) {
      const owner = readOwner(path);
      // A second failure means another process took the stale lock first: it is the owner now.
      if (owner && (attempt > 0 || ownerAlive(owner))) throw new RunLockedError(lockedMessage(runDir, path, owner, resumeCommand), owner);
      if (attempt > 0) throw new Error(`${path}: could not take the run lock; try again`);
      tookOver = owner ?? { pid: 0, host: '?', since: '?', processStart: null, command: 'an unreadable lock file' };
      moveAside(path, owner);
    }
    return { path, tookOver, release: releaser(path, me) };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** link(2) the complete temporary file to the lock's name: false when that name exists. */
function tryLink(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Moves a stale lock out of the way. Should another process have replaced it meanwhile (it judged the same lock
 * stale a moment earlier), the lock moved is that process's live one: it is put back, and our link then fails.
 */
function moveAside(path: string, stale: LockOwner | null): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // already gone
  }
  const moved = readOwner(aside);
  if (stale && moved && (moved.pid !== stale.pid || moved.since !== stale.since)) {
    try {
      linkSync(aside, path);
    } catch {
      // a third process took it; our link fails and says who owns it
    }
  }
  rmSync(aside, { force: true });
}

/** Removes the lock once, and only while it is still this process's (on exit too, however the process ends). */
function releaser(path: string, me: LockOwner): () => void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    const owner = readOwner(path);
    if (owner && owner.pid === me.pid && owner.since === me.since) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return release;
}
