/**
 * The live stream over real HTTP: the backlog, then rows as a train run appends them and as study trials log
 * them to the store, trial status changes, and a reset when a resumed run cuts its metrics file back.
 */
import type { FastifyInstance } from 'fastify';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/api/types.js';
import { buildServer } from '../../src/server/app.js';
import { openRunStore } from '../../src/store/run-store.js';
import { trainRecord, writeStudyRun, writeTrainRun } from './fixtures.js';

let app: FastifyInstance;
let runsDir: string;
let base: string;

beforeAll(async () => {
  runsDir = join(mkdtempSync(join(tmpdir(), 'continuum-stream-')), 'runs');
  mkdirSync(runsDir);
  writeTrainRun(runsDir, 'growing', 3, false);
  writeStudyRun(runsDir, 'study-live');
  app = await buildServer({ runsDir, webDir: null, pollMs: 20 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(() => app.close());

/** Opens a stream and collects its events; `until` resolves once a predicate over them holds. */
function openStream(path: string) {
  const events: StreamEvent[] = [];
  let buffer = '';
  const req = request(base + path);
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    });
  });
  req.end();
  const until = async (test: (events: StreamEvent[]) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!test(events)) {
      if (Date.now() > deadline) throw new Error(`stream: condition not met; got ${JSON.stringify(events).slice(0, 600)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { events, until, close: () => req.destroy() };
}

const rowsOf = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'metrics' ? e.rows : []));

describe('stream', () => {
  it('sends a train run\'s backlog, then each appended step, and a reset when the file is cut back', async () => {
    const s = openStream('/api/runs/growing/stream?tags=train/loss');
    await s.until((es) => es.some((e) => e.type === 'ready'));
    expect(rowsOf(s.events).map((r) => r[1])).toEqual([1, 2, 3]);
    expect(rowsOf(s.events).every((r) => r[0] === 'run' && r[2] === 'train/loss')).toBe(true);
    const file = join(runsDir, 'growing', 'metrics.jsonl');
    appendFileSync(file, JSON.stringify(trainRecord(4, 1)) + '\n' + JSON.stringify(trainRecord(5, 0.8)).slice(0, 20));
    await s.until((es) => rowsOf(es).some((r) => r[1] === 4));
    // The half-written line for step 5 waits until its end arrives.
    appendFileSync(file, JSON.stringify(trainRecord(5, 0.8)).slice(20) + '\n');
    await s.until((es) => rowsOf(es).some((r) => r[1] === 5));
    expect(rowsOf(s.events).map((r) => r[1])).toEqual([1, 2, 3, 4, 5]);
    // A resume rewrites the file shorter: the page is told to start over.
    writeFileSync(file, JSON.stringify(trainRecord(1, 4)) + '\n');
    await s.until((es) => es.some((e) => e.type === 'reset'));
    s.close();
  });

  it('sends a study\'s rows as trials log them, and trial status changes', async () => {
    const s = openStream('/api/runs/study-live/stream?tags=rl/reward_mean');
    await s.until((es) => es.some((e) => e.type === 'ready'));
    expect(rowsOf(s.events)).toHaveLength(3 * 21);
    const store = openRunStore(join(runsDir, 'study-live', 'store.sqlite'));
    const [trial] = store.addTrials('study-live', [{ id: 'M=64/seed=1', config: {}, axes: { part: 'main', M: 64 }, seed: 1 }]);
    await s.until((es) => es.some((e) => e.type === 'trials' && e.trials.some((t) => t.id === 'M=64/seed=1' && t.status === 'queued')));
    store.claimNextTrial('study-live');
    store.logMetrics(trial.key, [
      { step: 1, tag: 'rl/reward_mean', value: 0.5 },
      { step: 1, tag: 'train/loss', value: 2 },
    ]);
    await s.until((es) => rowsOf(es).some((r) => r[0] === 'M=64/seed=1'));
    // Only the tags asked for.
    expect(rowsOf(s.events).filter((r) => r[0] === 'M=64/seed=1')).toEqual([['M=64/seed=1', 1, 'rl/reward_mean', 0.5]]);
    store.markTrialFailed(trial.key, 'NaN loss at step 2');
    await s.until((es) => es.some((e) => e.type === 'trials' && e.trials.some((t) => t.status === 'failed' && t.reason === 'NaN loss at step 2')));
    store.close();
    s.close();
  });

  it('sends ready past a metrics line over the limit, and says it skipped it', async () => {
    writeTrainRun(runsDir, 'long-line', 2, false);
    const file = join(runsDir, 'long-line', 'metrics.jsonl');
    appendFileSync(file, '{"step":3,"pad":"' + 'x'.repeat(5 << 20) + '"}\n' + JSON.stringify(trainRecord(4, 1)) + '\n');
    const s = openStream('/api/runs/long-line/stream?tags=train/loss');
    await s.until((es) => es.some((e) => e.type === 'ready'));
    expect(rowsOf(s.events).map((r) => r[1])).toEqual([1, 2, 4]);
    const notes = s.events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^metrics\.jsonl: the line at byte \d+ is longer than 1 MiB; skipped/);
    s.close();
  });

  it('answers a stream of a missing or escaping run with an error status, not a stream', async () => {
    for (const [path, status] of [['/api/runs/missing/stream', 404], ['/api/runs/..%2F..%2Ftmp/stream', 400]] as const) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
  });
});
