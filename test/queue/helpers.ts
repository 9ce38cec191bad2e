/**
 * Queue tests' helpers: a real redis-server on a free loopback port with its own temp directory (started and
 * stopped by the test, never a mock: BullMQ runs Lua scripts on the server), and the built CLI as child
 * processes (workers, coordinators) whose output is kept and can be awaited.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');
export const tinyStudy = join(import.meta.dirname, '..', 'study', 'fixtures', 'tiny.yaml');
export const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-queue-'));
const env = { ...process.env, CONTINUUM_THREADS: '1' };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  client: Redis;
  /** Stops the server (SHUTDOWN: the append-only file is written) and starts it again on the same port and data. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = tmp();
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const halt = () => new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : (proc.once('exit', () => resolve()), proc.kill('SIGTERM'))));
  await launch();
  const client = new Redis(`redis://127.0.0.1:${port}/0`, { maxRetriesPerRequest: null });
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    dir,
    client,
    async restart(whileDown) {
      await halt();
      await whileDown?.();
      await launch();
    },
    async stop() {
      client.disconnect();
      await halt();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A CLI process whose stdout+stderr are collected; `waitFor` resolves when the output matches. */
export interface CliProcess {
  proc: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, what?: string): Promise<void>;
  exited: Promise<number | null>;
}

export function startCli(args: string[], options: { extraEnv?: Record<string, string>; detached?: boolean } = {}): CliProcess {
  const proc = spawn(process.execPath, [bin, ...args], { env: { ...env, ...options.extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': by then every byte of its output has been read.
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    async waitFor(pattern, what = String(pattern)) {
      for (let i = 0; i < 1200 && !pattern.test(out); i++) {
        if (proc.exitCode !== null) break;
        await sleep(100);
      }
      if (!pattern.test(out)) throw new Error(`waited for ${what}; the output was:\n${out}`);
    },
  };
}

/** Waits (polling) until `check` is true; throws with `what` after two minutes. */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function runCli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Stops a worker as Ctrl-C would, and waits for it to exit. */
export async function stopWorker(w: CliProcess): Promise<void> {
  if (w.proc.exitCode === null) w.proc.kill('SIGINT');
  await w.exited;
}
