/** Small helpers for command-line flags: number parsers that name the flag in their errors, run folders. */
import { InvalidArgumentError } from 'commander';
import { join } from 'node:path';

export function int(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} takes a non-negative integer, got "${value}"`);
    return n;
  };
}

export function num(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${flag} takes a number, got "${value}"`);
    return n;
  };
}

/** runs/<name>-<UTC timestamp>, the default home of a run. */
export function defaultRunDir(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join('runs', `${name}-${stamp}`);
}
