/**
 * Connecting to the Redis a queue lives on. A URL names it (`redis://[user:password@]host:port/db`); messages
 * show it with the password hidden. `connectRedis` fails fast, once, with the URL, when nothing answers, and
 * afterwards the connection retries for ever, so a Redis restarted mid-study is waited for, not an error.
 */
import { Redis } from 'ioredis';

export const QUEUE_ENV = 'CONTINUUM_QUEUE';

/** The URL without its password: safe to print and to store in a run directory's notes. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export function checkQueueUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--queue: "${url}" is not a URL; write it like redis://127.0.0.1:6379/0`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--queue: ${redactUrl(url)} is not a redis:// (or rediss://) URL`);
  return url;
}

export interface RedisEvents {
  /** The connection dropped (after it had been up). */
  onLost?: (why: string) => void;
  /** It is back. */
  onBack?: () => void;
}

/**
 * A connection BullMQ can share (maxRetriesPerRequest null: commands wait through a reconnect). Resolves once
 * Redis answers a PING; rejects with one message naming the URL when it cannot be reached within `timeoutMs`.
 */
export async function connectRedis(url: string, events: RedisEvents = {}, timeoutMs = 5000): Promise<Redis> {
  checkQueueUrl(url);
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: (n) => Math.min(200 * n, 2000) });
  let lastError = '';
  redis.on('error', (e: Error) => (lastError = e.message));
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), timeoutMs, () => lastError || 'no answer');
  } catch (err) {
    redis.disconnect();
    // The socket's own error (ECONNREFUSED, ENOTFOUND, NOAUTH) says more than ioredis's "Connection is closed".
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${lastError || (err as Error).message}`);
  }
  let up = true;
  redis.on('close', () => {
    // A disconnect we asked for is not a loss.
    if (up && redis.status !== 'end') events.onLost?.(lastError || 'connection closed');
    up = false;
  });
  redis.on('ready', () => {
    if (!up) events.onBack?.();
    up = true;
  });
  return redis;
}

function withTimeout<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(why())), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
