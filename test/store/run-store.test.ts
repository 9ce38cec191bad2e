import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, STORE_APPLICATION_ID } from '../../src/store/migrations.js';
import { openRunStore, type MetricRow, type RunStore } from '../../src/store/run-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

let dir: string;
let file: string;
let store: RunStore | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'continuum-store-'));
  file = join(dir, 'store.sqlite');
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function freshStoreWithTrials(count: number): RunStore {
  const s = openRunStore(file);
  s.createRun({ id: 'run-1', study: 'breadth', spec: { seeds: [0, 1, 2] } });
  s.addTrials(
    'run-1',
    Array.from({ length: count }, (_, i) => ({ id: `M=${2 ** i}/seed=0`, config: { pool: 2 ** i }, axes: { M: 2 ** i }, seed: 0 })),
  );
  return s;
}

describe('runs and trials', () => {
  it('round-trips a run and stamps its status changes', () => {
    store = openRunStore(file);
    const run = store.createRun({ id: 'run-1', study: 'breadth', spec: { seeds: [0, 1, 2], quick: true } });
    expect(run).toMatchObject({ id: 'run-1', study: 'breadth', status: 'created', startedAt: null, verdict: null });
    expect(run.spec).toEqual({ seeds: [0, 1, 2], quick: true });
    store.setRunStatus('run-1', 'running');
    const started = store.getRun('run-1').startedAt;
    expect(started).not.toBeNull();
    store.setRunStatus('run-1', 'done', 'held');
    const done = store.getRun('run-1');
    expect(done).toMatchObject({ status: 'done', startedAt: started, verdict: 'held' });
    expect(done.finishedAt).not.toBeNull();
    expect(store.listRuns().map((r) => r.id)).toEqual(['run-1']);
    expect(() => store!.setRunStatus('nope', 'done')).toThrow(/no run 'nope'/);
  });

  it('claims trials oldest first, each once, and records failures with their reason', () => {
    store = freshStoreWithTrials(3);
    const a = store.claimNextTrial('run-1')!;
    const b = store.claimNextTrial('run-1')!;
    const c = store.claimNextTrial('run-1')!;
    expect([a.id, b.id, c.id]).toEqual(['M=1/seed=0', 'M=2/seed=0', 'M=4/seed=0']);
    expect(a).toMatchObject({ status: 'running', attempt: 1, axes: { M: 1 }, config: { pool: 1 } });
    expect(store.claimNextTrial('run-1')).toBeNull();
    store.markTrialDone(a.key);
    store.markTrialFailed(b.key, 'loss became NaN at step 120');
    expect(store.getTrial(b.key)).toMatchObject({ status: 'failed', reason: 'loss became NaN at step 120' });
    expect(store.runSummary('run-1').trials).toEqual({ queued: 0, running: 1, done: 1, failed: 1, total: 3 });

    // A resume puts the trial a killed process left running back in the queue; claiming it again counts an attempt.
    expect(store.requeueTrials('run-1')).toBe(1);
    const again = store.claimNextTrial('run-1')!;
    expect(again).toMatchObject({ id: c.id, attempt: 2 });
    expect(store.requeueTrials('run-1', { includeFailed: true })).toBe(2);
    expect(store.findTrial('run-1', b.id)).toMatchObject({ status: 'queued', reason: null });
  });

  it('adds trials all or none', () => {
    store = freshStoreWithTrials(1);
    expect(() =>
      store!.addTrials('run-1', [
        { id: 'new', config: {}, axes: {}, seed: 1 },
        { id: 'M=1/seed=0', config: {}, axes: {}, seed: 0 },
      ]),
    ).toThrow(/UNIQUE/);
    expect(store.listTrials('run-1').map((t) => t.id)).toEqual(['M=1/seed=0']);
  });
});

describe('metrics, evals, artifacts', () => {
  it('returns a series in step order and the tags logged', () => {
    store = freshStoreWithTrials(1);
    const [t] = store.listTrials('run-1');
    store.logMetrics(t.key, [
      { step: 20, tag: 'train/loss', value: 1.5 },
      { step: 10, tag: 'train/loss', value: 2.5, wallTime: 1000.5 },
      { step: 10, tag: 'rl/reward_mean', value: 0.25 },
    ]);
    expect(store.metricSeries(t.key, 'train/loss').map((p) => [p.step, p.value])).toEqual([
      [10, 2.5],
      [20, 1.5],
    ]);
    expect(store.metricSeries(t.key, 'train/loss')[0].wallTime).toBe(1000.5);
    expect(store.metricTags(t.key)).toEqual(['rl/reward_mean', 'train/loss']);
    // A NaN in a batch rejects the whole batch.
    expect(() => store!.logMetrics(t.key, [{ step: 30, tag: 'train/loss', value: 1 }, { step: 31, tag: 'train/loss', value: NaN }])).toThrow(/NaN/);
    expect(store.metricSeries(t.key, 'train/loss')).toHaveLength(2);
  });

  it('pages through new rows with a cursor, optionally for one run', () => {
    store = freshStoreWithTrials(2);
    store.createRun({ id: 'run-2', study: 'priors', spec: {} });
    const [other] = store.addTrials('run-2', [{ id: 'x', config: {}, axes: {}, seed: 0 }]);
    const [t1, t2] = store.listTrials('run-1');
    store.logMetrics(t1.key, [0, 1, 2].map((step) => ({ step, tag: 'train/loss', value: step })));
    store.logMetrics(other.key, [{ step: 0, tag: 'train/loss', value: 9 }]);
    store.logMetrics(t2.key, [{ step: 0, tag: 'train/loss', value: 5 }]);

    const first = store.metricsSince(0, { run: 'run-1', limit: 2 });
    expect(first.rows.map((r) => [r.trial, r.step])).toEqual([
      [t1.id, 0],
      [t1.id, 1],
    ]);
    const second = store.metricsSince(first.cursor, { run: 'run-1' });
    expect(second.rows.map((r) => [r.trial, r.value])).toEqual([
      [t1.id, 2],
      [t2.id, 5],
    ]);
    expect(store.metricsSince(second.cursor, { run: 'run-1' })).toEqual({ rows: [], cursor: second.cursor });
    expect(store.metricsSince(0).rows.map((r) => r.run)).toEqual(['run-1', 'run-1', 'run-1', 'run-2', 'run-1']);
    expect(store.runSummary('run-1').metricRows).toBe(4);
  });

  it('stores evals and artifacts per trial and per run', () => {
    store = freshStoreWithTrials(1);
    const [t] = store.listTrials('run-1');
    store.logEval(t.key, [
      { step: 100, suite: 'splits', split: 'test', stage: null, x: null, family: 'math/add', domain: 'math', metric: 'score', value: 0.75, n: 128 },
      { step: 100, suite: 'splits', split: 'heldout', stage: null, x: null, family: 'code/trace', domain: 'code', metric: 'exact', value: 0.125, n: 64 },
    ]);
    expect(store.listEvals({ run: 'run-1' }).map((e) => [e.split, e.family, e.value, e.n])).toEqual([
      ['test', 'math/add', 0.75, 128],
      ['heldout', 'code/trace', 0.125, 64],
    ]);
    expect(store.listEvals({ trialKey: t.key })).toHaveLength(2);
    // A resumed trial that measures again replaces its row instead of adding a second one for the same model.
    store.logEval(t.key, { step: 100, suite: 'splits', split: 'test', stage: null, x: null, family: 'math/add', domain: 'math', metric: 'score', value: 0.5, n: 128 });
    expect(store.listEvals({ trialKey: t.key }).map((e) => [e.split, e.value])).toEqual([
      ['heldout', 0.125],
      ['test', 0.5],
    ]);
    store.addArtifact({ run: 'run-1', trialKey: t.key, kind: 'checkpoint', path: 'checkpoints/a' });
    store.addArtifact({ run: 'run-1', kind: 'report', path: 'report.html' });
    expect(store.listArtifacts('run-1').map((a) => [a.kind, a.trialKey])).toEqual([
      ['checkpoint', t.key],
      ['report', null],
    ]);
    expect(store.listArtifacts('run-1', { kind: 'report' })).toHaveLength(1);
    expect(store.runSummary('run-1').evalRows).toBe(2);
  });
});

describe('the file', () => {
  it('is a WAL-mode SQLite file marked as a run store, at the last schema version', () => {
    openRunStore(file).close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('application_id', { simple: true })).toBe(STORE_APPLICATION_ID);
    db.close();
  });

  it('keeps its data across reopening, and read-only opening works', () => {
    freshStoreWithTrials(2).close();
    store = openRunStore(file, { readonly: true });
    expect(store.listTrials('run-1')).toHaveLength(2);
    expect(() => store!.createRun({ id: 'x', study: 'x', spec: {} })).toThrow(/readonly/);
  });

  it('migrates an older store in place, once, and refuses one newer than the code', () => {
    freshStoreWithTrials(1).close();
    const next = [...MIGRATIONS, 'ALTER TABLE runs ADD COLUMN note TEXT'];
    const db = new Database(file);
    migrate(db, next, file);
    migrate(db, next, file); // reapplying would fail with "duplicate column"
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(db.prepare('SELECT id, note FROM runs').all()).toEqual([{ id: 'run-1', note: null }]);
    db.close();
    expect(() => openRunStore(file)).toThrow(new RegExp(`${file}.*newer than this Continuum`));
  });

  it('reads a schema-1 store: packed split and metric strings become the suite, split, stage and x columns', () => {
    // A store as Continuum wrote it before evals had real columns.
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1), file);
    db.exec(`INSERT INTO runs (id, study, spec, status, created_at) VALUES ('r', 's', '{}', 'done', '')`);
    db.exec(`INSERT INTO trials (key, run, id, config, axes, seed, status) VALUES (1, 'r', 't', '{}', '{}', 1, 'done')`);
    const old = db.prepare(`INSERT INTO evals (trial, step, split, family, domain, metric, value, n, wall_time) VALUES (1, 9, ?, '*', '*', ?, 0.5, 8, 0)`);
    for (const [split, metric] of [['test', 'exact'], ['heldout@warm-start', 'score'], ['pass@k:test@warm-start', 'pass@4'], ['icl-curve', 'score|k=2'], ['context-loss', 'loss|k=0']]) old.run(split, metric);
    db.close();
    store = openRunStore(file);
    expect(store.listEvals({ run: 'r' }).map((e) => [e.suite, e.split, e.stage, e.metric, e.x])).toEqual([
      ['splits', 'test', null, 'exact', null],
      ['splits', 'heldout', 'warm-start', 'score', null],
      ['passAtK', 'test', 'warm-start', 'pass@4', null],
      ['iclCurve', 'test', null, 'score', 2],
      ['contextLoss', 'test', null, 'loss', 0],
    ]);
    // A migrated row is replaced by a new measurement of the same thing, as rows written today are.
    store.logEval(1, { step: 9, suite: 'iclCurve', split: 'test', stage: null, family: '*', domain: '*', metric: 'score', x: 2, value: 0.75, n: 8 });
    expect(store.listEvals({ run: 'r' }).filter((e) => e.suite === 'iclCurve').map((e) => e.value)).toEqual([0.75]);
  });

  it('refuses a file that is not SQLite, saying which file and what to do', () => {
    writeFileSync(file, 'step,loss\n0,4.2\n'.repeat(300));
    expect(() => openRunStore(file)).toThrow(new RegExp(`${file} is not a readable run store.*move it aside`));
  });

  it("refuses another program's SQLite database without touching it", () => {
    const db = new Database(file);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    expect(() => openRunStore(file)).toThrow(/not a Continuum run store/);
    const again = new Database(file, { readonly: true });
    expect(again.pragma('user_version', { simple: true })).toBe(0);
    again.close();
  });

  it('refuses a missing file when asked not to create one', () => {
    expect(() => openRunStore(join(dir, 'missing.sqlite'), { readonly: true })).toThrow(/no run store there/);
  });
});

/**
 * Starts trial processes running writer-child.ts, waits until each is loaded, then releases them together so
 * that they open the store and write at the same moment. Resolves to one promise per process: its claimed ids.
 */
async function startWriters(count: number, args: string[]): Promise<Promise<string[]>[]> {
  const child = join(here, 'writer-child.ts');
  const procs = Array.from({ length: count }, () => spawn(process.execPath, ['--import', 'tsx', child, ...args], { cwd: repoRoot }));
  const outputs = procs.map((p) => {
    let out = '';
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const ready = new Promise<void>((ok) =>
      p.stdout.on('data', (d) => {
        out += d;
        if (out.startsWith('ready\n')) ok();
      }),
    );
    const done = new Promise<string[]>((ok, fail) =>
      p.on('exit', (code) => (code === 0 ? ok(JSON.parse(out.slice('ready\n'.length)) as string[]) : fail(new Error(`writer exited ${code}: ${err}`)))),
    );
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const p of procs) p.stdin.write('go\n');
  return outputs.map((o) => o.done);
}

describe('several trial processes at once', () => {
  it('lose no rows, claim each trial once, and the cursor sees every row exactly once', async () => {
    const trials = 12;
    const batches = 40;
    const batchSize = 25;
    const writers = 4;
    freshStoreWithTrials(trials).close();
    store = openRunStore(file);

    const runs = await startWriters(writers, [file, 'run-1', String(batches), String(batchSize)]);

    // Follow the rows as the dashboard would while the writers write.
    const seen: MetricRow[] = [];
    let cursor = 0;
    let finished = false;
    let pagesWhileWriting = 0;
    const all = Promise.all(runs).finally(() => (finished = true));
    while (!finished) {
      const page = store.metricsSince(cursor, { limit: 500 });
      seen.push(...page.rows);
      cursor = page.cursor;
      if (page.rows.length > 0) pagesWhileWriting++;
      await new Promise((r) => setTimeout(r, 15));
    }
    const perWriter = await all;
    const claimed = perWriter.flat();
    for (let page = store.metricsSince(cursor); page.rows.length > 0; page = store.metricsSince(cursor)) {
      seen.push(...page.rows);
      cursor = page.cursor;
    }

    const expectedRows = trials * batches * batchSize;
    expect(perWriter.filter((ids) => ids.length > 0).length).toBeGreaterThan(1); // they really overlapped
    expect(pagesWhileWriting).toBeGreaterThan(1); // and the follower read while they wrote
    expect(claimed.sort()).toEqual(store.listTrials('run-1').map((t) => t.id).sort());
    expect(store.listTrials('run-1').every((t) => t.status === 'done' && t.attempt === 1)).toBe(true);
    expect(store.runSummary('run-1')).toMatchObject({ metricRows: expectedRows, evalRows: trials });
    expect(seen).toHaveLength(expectedRows);
    expect(seen.every((row, i) => i === 0 || row.id > seen[i - 1].id)).toBe(true);
    for (const t of store.listTrials('run-1')) {
      const steps = store.metricSeries(t.key, 'train/loss').map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: batches * batchSize }, (_, i) => i));
    }
    expect(store.listArtifacts('run-1', { kind: 'checkpoint' })).toHaveLength(trials);
  });

  it('can create and migrate a fresh store together, exactly once', async () => {
    const claimed = await Promise.all(await startWriters(4, [file, 'no-such-run', '1', '1']));
    expect(claimed).toEqual([[], [], [], []]);
    store = openRunStore(file);
    expect(store.listRuns()).toEqual([]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
