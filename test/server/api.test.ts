/**
 * The dashboard's API through Fastify's inject: listing, run detail of both kinds of run, series, error
 * answers for broken and missing runs, path traversal refused, sampling, and read-only routes.
 */
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGPTConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/init.js';
import type { CheckpointInfo, RunDetail, RunInfo, SampleResponse, SeriesResponse } from '../../src/api/types.js';
import { buildServer } from '../../src/server/app.js';
import { saveModel } from '../../src/store/model-files.js';
import { SYMBOLS } from '../../src/text/vocab.js';
import { STUDY_TRIALS, writeBrokenRuns, writeStudyRun, writeTrainRun } from './fixtures.js';

let app: FastifyInstance;
let runsDir: string;

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'continuum-server-'));
  runsDir = join(base, 'runs');
  mkdirSync(runsDir);
  writeStudyRun(runsDir, 'study-a');
  writeTrainRun(runsDir, 'train-a', 30);
  writeBrokenRuns(runsDir);
  // A sampleable model: random weights are enough to check the plumbing.
  const config = parseGPTConfig({ vocabSize: SYMBOLS.length, contextLength: 32, dModel: 16, nHeads: 2, nLayers: 1 });
  saveModel(join(runsDir, 'train-a', 'checkpoints', 'step-0000010'), { config, params: initParams(config, 1), symbols: [...SYMBOLS] });
  // Outside the runs directory: a secret, and a symlink from inside pointing at it.
  writeFileSync(join(base, 'secret.txt'), 'secret');
  mkdirSync(join(base, 'outside-run'));
  writeFileSync(join(base, 'outside-run', 'metrics.jsonl'), '');
  symlinkSync(join(base, 'outside-run'), join(runsDir, 'escape'));
  // The reference engine: the plumbing is under test here, not the native build.
  app = await buildServer({ runsDir, webDir: null, engine: 'reference' });
});

afterAll(() => app.close());

const get = async <T>(url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() as T };
};

describe('runs', () => {
  it('lists both kinds of run and the unreadable ones with their reason', async () => {
    const { status, body } = await get<RunInfo[]>('/api/runs');
    expect(status).toBe(200);
    const byId = Object.fromEntries(body.map((r) => [r.id, r]));
    expect(byId['study-a']).toMatchObject({ kind: 'study', name: 'demo', status: 'done', verdict: 'held', trials: { total: 3, done: 3, failed: 0 } });
    expect(byId['train-a']).toMatchObject({ kind: 'train', name: 'tiny-recipe', status: 'done', trials: { total: 1, done: 1 } });
    expect(byId['broken-store'].error).toMatch(/not a readable run store/);
    expect(byId['broken-recipe'].error).toMatch(/recipe.json is not valid JSON/);
    // A symlink leaving the runs directory is not a run of it.
    expect(byId['escape']).toBeUndefined();
  });

  it('gives a study run its summary, trials with final values and evaluations, and tags', async () => {
    const { status, body } = await get<RunDetail>('/api/runs/study-a');
    expect(status).toBe(200);
    expect(body.summary?.finding).toMatch(/held/);
    expect(body.trials.map((t) => t.id)).toEqual(STUDY_TRIALS);
    expect(body.trials[2]).toMatchObject({ axes: { part: 'main', M: 16 }, seed: 1, status: 'done' });
    expect(body.trials[2].final['train/loss']).toBeCloseTo(3 - 20 * 0.05 * 3, 10);
    expect(body.trials[2].final['test score']).toBeCloseTo(0.75, 10);
    expect(body.trials[0].final['heldout score']).toBeCloseTo(0.1, 10);
    expect(body.tags).toEqual(['eval/test_score', 'rl/kl', 'rl/reward_mean', 'train/loss']);
  });

  it('gives a train run its one trial and the last values of its headline tags', async () => {
    const { body } = await get<RunDetail>('/api/runs/train-a');
    expect(body.summary).toBeNull();
    expect(body.trials).toHaveLength(1);
    expect(body.trials[0].final['train/loss']).toBeCloseTo(4 / 30, 10);
    expect(body.tags).toEqual(['opt/lr', 'perf/tok_s', 'train/loss']);
  });

  it('serves one tag of every trial, in step order', async () => {
    const study = await get<SeriesResponse>('/api/runs/study-a/metrics?tag=rl/reward_mean');
    expect(study.body.series.map((s) => s.trial)).toEqual(STUDY_TRIALS);
    expect(study.body.series[1].points.slice(0, 3)).toEqual([[0, 0], [1, 0.02], [2, 0.04]]);
    const train = await get<SeriesResponse>('/api/runs/train-a/metrics?tag=train/loss');
    expect(train.body.series[0].points).toHaveLength(30);
    expect((await get('/api/runs/train-a/metrics')).status).toBe(400);
  });

  it('answers a broken run with an error, a missing one with 404, and a broken summary with a note', async () => {
    const broken = await get<{ error: string }>('/api/runs/broken-store');
    expect(broken.status).toBe(500);
    expect(broken.body.error).toMatch(/not a readable run store/);
    expect((await get('/api/runs/nope')).status).toBe(404);
    writeStudyRun(runsDir, 'study-bad-summary');
    writeFileSync(join(runsDir, 'study-bad-summary', 'summary.json'), '{"finding": ');
    const bad = await get<RunDetail>('/api/runs/study-bad-summary');
    expect(bad.status).toBe(200);
    expect(bad.body.summaryError).toMatch(/summary.json is unreadable/);
  });

  it('explains why a study whose spec is not a study file has no plots', async () => {
    const r = await get<{ error: string }>('/api/runs/study-a/plots');
    expect(r.status).toBe(500);
    expect(r.body.error).toMatch(/study/i);
    const train = await get<{ plots: unknown[]; note: string }>('/api/runs/train-a/plots');
    expect(train.body).toMatchObject({ plots: [], note: expect.stringMatching(/no report/) });
  });
});

describe('paths', () => {
  const refused = [
    '/api/runs/..%2F..%2Fetc',
    '/api/runs/%2Fetc',
    '/api/runs/%2Ftmp',
    '/api/runs/study-a%2F..%2F..',
    '/api/runs/escape',
    '/api/runs/..%2Fsecret.txt/metrics?tag=x',
    '/api/runs/a%5C..%5Cb',
  ];
  it.each(refused)('refuses %s', async (url) => {
    const r = await get<{ error: string }>(url);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/refused|outside|one directory name/);
  });

  it('never resolves a dot segment to a run', async () => {
    for (const url of ['/api/runs/..', '/api/runs/../..', '/api/runs/./study-a/../..']) {
      const r = await get<{ error: string }>(url);
      expect([400, 404], url).toContain(r.status);
      expect(r.body).not.toHaveProperty('trials');
    }
  });

  it('refuses checkpoints outside the run', async () => {
    for (const checkpoint of ['../study-a/trials', '/etc', 'checkpoints/../../study-a', '..']) {
      const r = await app.inject({ method: 'POST', url: '/api/sample', payload: { run: 'train-a', checkpoint } });
      expect(r.statusCode, checkpoint).toBe(400);
    }
  });
});

describe('sampling', () => {
  it('lists a run\'s models and samples from one, scoring a task instance', async () => {
    const { body: ckpts } = await get<CheckpointInfo[]>('/api/runs/train-a/checkpoints');
    expect(ckpts.map((c) => c.path)).toEqual(['model', 'checkpoints/step-0000010']);
    const free = await app.inject({ method: 'POST', url: '/api/sample', payload: { run: 'train-a', checkpoint: 'checkpoints/step-0000010', prompt: 'ab', maxNewTokens: 5 } });
    expect(free.statusCode, free.body).toBe(200);
    expect((free.json() as SampleResponse).completion).toHaveLength(5);
    const task = await app.inject({
      method: 'POST',
      url: '/api/sample',
      payload: { run: 'train-a', checkpoint: 'checkpoints/step-0000010', instance: { family: 'math/add', difficulty: 1, split: 'test', seed: 0, index: 0 }, maxNewTokens: 8 },
    });
    const r = task.json() as SampleResponse;
    expect(task.statusCode, task.body).toBe(200);
    expect(r.answer).toMatch(/^\d+$/);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
  });

  it('refuses bad requests with the reason', async () => {
    const cases: [unknown, RegExp][] = [
      [{ run: 'train-a', checkpoint: 'model', prompt: 'héllo' }, /unknown character/],
      [{ run: 'train-a', checkpoint: 'checkpoints/step-0000010', maxNewTokens: 100000 }, /maxNewTokens/],
      [{ run: 'train-a', checkpoint: 'checkpoints/step-0000010', instance: { family: 'no/such', difficulty: 1, split: 'test', seed: 0, index: 0 } }, /no task family/],
      ['just text', /Unsupported Media Type|expected object/i],
    ];
    for (const [payload, message] of cases) {
      const r = await app.inject({ method: 'POST', url: '/api/sample', payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(r.statusCode).toBeLessThan(500);
      expect((r.json() as { error: string }).error).toMatch(message);
    }
  });

  it('serves loopback host names only, against DNS rebinding', async () => {
    for (const host of ['localhost:4300', '127.0.0.1:4300', '[::1]:4300']) expect((await app.inject({ url: '/api/runs', headers: { host } })).statusCode, host).toBe(200);
    for (const host of ['evil.example:4300', 'evil.example', '10.0.0.1:4300']) expect((await app.inject({ url: '/api/runs', headers: { host } })).statusCode, host).toBe(403);
    // A rebinding name that merely starts like a loopback address is not one.
    for (const host of ['127.attacker.example:4377', '127.0.0.1.attacker.example', 'localhost.attacker.example:4300', '127.0.0.2:4300']) {
      expect((await app.inject({ url: '/api/runs', headers: { host } })).statusCode, host).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/sample', headers: { host }, payload: { run: 'train-a', checkpoint: 'model' } })).statusCode, host).toBe(403);
    }
  });

  it('serves the loopback address and name it was started with by --host', async () => {
    const other = await buildServer({ runsDir, webDir: null, engine: 'reference', host: '127.0.0.2' });
    try {
      for (const host of ['127.0.0.2:4300', 'localhost:4300']) expect((await other.inject({ url: '/api/runs', headers: { host } })).statusCode, host).toBe(200);
      expect((await other.inject({ url: '/api/runs', headers: { host: '127.2.attacker.example' } })).statusCode).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('answers an Origin that is not a URL with 403, not a server error', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/sample', headers: { origin: 'garbage', host: 'localhost:4300' }, payload: { run: 'train-a', checkpoint: 'model' } });
    expect(r.statusCode).toBe(403);
    expect((r.json() as { error: string }).error).toMatch(/cross-origin/);
  });

  it('refuses a sampling request from another site', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/sample', headers: { origin: 'http://evil.example:4300', host: 'localhost:4300' }, payload: { run: 'train-a', checkpoint: 'model' } });
    expect(r.statusCode).toBe(403);
  });
});

describe('read-only', () => {
  it('has no route that writes', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      expect((await app.inject({ method, url: '/api/runs/study-a' })).statusCode).toBe(404);
    }
    expect((await app.inject({ method: 'POST', url: '/api/runs' })).statusCode).toBe(404);
  });
});
