/** A run directory's queue.json: the token survives a reattach, the password is never written down. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkQueueUrl, redactUrl } from '../../src/queue/connection.js';
import { linkRunToQueue, reattachUrl } from '../../src/queue/run-link.js';
import { tmp } from './helpers.js';

describe('queue link of a run directory', () => {
  it('keeps its token, records the URL without the password, and asks for it on resume', () => {
    const dir = tmp();
    const url = 'redis://continuum:s3cret@10.0.0.5:6379/2';
    const first = linkRunToQueue(dir, url, 'breadth-20261203');
    expect(first.url).toBe(url);
    expect(first.token).toMatch(/^breadth-20261203-[0-9a-f]{8}$/);
    const file = readFileSync(join(dir, 'queue.json'), 'utf8');
    expect(file).not.toContain('s3cret');
    expect(JSON.parse(file)).toEqual({ url: 'redis://continuum:***@10.0.0.5:6379/2', token: first.token });
    expect(() => reattachUrl(dir, undefined)).toThrow(/whose password is not recorded: give it with --queue URL or \$CONTINUUM_QUEUE/);
    expect(reattachUrl(dir, url)).toBe(url);
    expect(linkRunToQueue(dir, url, 'breadth-20261203').token).toBe(first.token);
  });

  it('a run without a password reattaches by itself; a local run has no queue', () => {
    const dir = tmp();
    linkRunToQueue(dir, 'redis://127.0.0.1:6379/0', 'r');
    expect(reattachUrl(dir, undefined)).toBe('redis://127.0.0.1:6379/0');
    expect(reattachUrl(tmp(), undefined)).toBeUndefined();
  });

  it('checks URLs and hides passwords in messages', () => {
    expect(() => checkQueueUrl('localhost:6379')).toThrow(/is not a redis:\/\/ \(or rediss:\/\/\) URL/);
    expect(() => checkQueueUrl('not a url')).toThrow(/"not a url" is not a URL; write it like redis:\/\/127\.0\.0\.1:6379\/0/);
    expect(redactUrl('rediss://:pw@h:6380/0')).toBe('rediss://:***@h:6380/0');
  });
});
