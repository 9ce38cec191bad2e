/**
 * One owner per study run (src/store/run-lock.ts): a live owner's lock refuses a second process with the owner
 * named; the lock of a dead process, or of a reused PID, is taken over and says whose it was; release removes
 * only one's own lock.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireRunLock, LOCK_FILE, processStartTime, RunLockedError, type LockOwner } from '../../src/store/run-lock.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-lock-'));
const writeLock = (dir: string, owner: Partial<LockOwner>) =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', processStart: processStartTime(process.pid), command: 'continuum study run', ...owner }));

/** The PID of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('the run lock', () => {
  it('is created holding this process, refuses a second owner naming the first, and is removed on release', () => {
    const dir = tmp();
    const lock = acquireRunLock(dir, 'continuum study run');
    expect(lock.tookOver).toBeNull();
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), command: 'continuum study run' });
    expect(owner.processStart).toBe(processStartTime(process.pid));
    let error: unknown;
    try {
      acquireRunLock(dir, 'continuum study resume');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RunLockedError);
    expect((error as Error).message).toBe(
      `${dir} is in use: pid ${process.pid} on ${hostname()} (\`continuum study run\`, since ${owner.since}) owns it. ` +
        `Wait for it to finish, or stop it (kill ${process.pid}) and then run \`continuum study resume ${dir}\``,
    );
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // no temporary file left behind
    acquireRunLock(dir, 'again').release();
  });

  it('takes over the lock of a process that is gone, and says whose it was', () => {
    const dir = tmp();
    const pid = deadPid();
    writeLock(dir, { pid, processStart: null });
    const lock = acquireRunLock(dir, 'continuum study resume');
    expect(lock.tookOver).toMatchObject({ pid, command: 'continuum study run' });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose PID lives but belongs to a later process (another start time)', () => {
    const dir = tmp();
    writeLock(dir, { processStart: '1' }); // this PID, but not this process's start time
    const lock = acquireRunLock(dir, 'continuum study resume');
    expect(lock.tookOver?.pid).toBe(process.pid);
    lock.release();
  });

  it('refuses a lock held on another host, whose process it cannot check, and says how to clear it', () => {
    const dir = tmp();
    writeLock(dir, { host: 'elsewhere.example', pid: deadPid() });
    expect(() => acquireRunLock(dir, 'x')).toThrow(`stop it (on elsewhere.example) and then run \`continuum study resume ${dir}\`; if that process is gone, remove ${join(dir, LOCK_FILE)}`);
  });

  it('release leaves alone a lock that another process has taken since', () => {
    const dir = tmp();
    const lock = acquireRunLock(dir, 'a');
    writeLock(dir, { since: 'later' });
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });
});
