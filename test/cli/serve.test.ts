/** `continuum serve` as a user runs it (the built binary): it binds to loopback, serves the page and the API, and stops on SIGTERM. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTrainRun } from '../server/fixtures.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'continuum.js');

describe('continuum serve', () => {
  it('serves the built page and the API on 127.0.0.1, and stops cleanly', async () => {
    const runs = join(mkdtempSync(join(tmpdir(), 'continuum-serve-')), 'runs');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--runs', runs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /dashboard on (http:\/\/[^/\s]+)\//.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    try {
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      writeTrainRun(runs, 'later', 5); // the runs directory was created; runs appearing later are listed
      const page = await fetch(address + '/');
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>Continuum<\/title>[\s\S]*assets\/index-.*\.js/);
      const listed = (await (await fetch(address + '/api/runs')).json()) as { id: string }[];
      expect(listed.map((r) => r.id)).toEqual(['later']);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
  });
});
