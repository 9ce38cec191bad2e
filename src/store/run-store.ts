/**
 * The run store: one SQLite file (`RUN_DIR/store.sqlite`) holding a run's spec, its trials and their status,
 * every logged metric and evaluation, and the artifacts written. Several trial processes write to it at once:
 * WAL mode lets readers go on while one writer writes, and the busy timeout makes a writer wait for the lock
 * instead of failing. Node only (better-sqlite3).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { EvalRecord } from '../measure/evals.js';
import type { Verdict } from '../stats/stats.js';
import { migrate, MIGRATIONS, STORE_APPLICATION_ID } from './migrations.js';

export type { EvalRecord };

export const STORE_FILE = 'store.sqlite';

export type RunStatus = 'created' | 'running' | 'done' | 'failed' | 'interrupted';
export type TrialStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Run {
  id: string;
  study: string;
  spec: unknown;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  verdict: Verdict | null;
}

export interface NewTrial {
  /** Unique within the run, e.g. "M=16/seed=2". */
  id: string;
  config: unknown;
  axes: Record<string, unknown>;
  seed: number;
}

export interface Trial extends NewTrial {
  /** The store-wide key that metrics, evals and artifacts refer to. */
  key: number;
  run: string;
  status: TrialStatus;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempt: number;
  /** The queue worker that ran it (host:pid); null for the local pool. */
  worker: string | null;
}

/** What a queue worker reports back for one trial (recordTrialOutcome). */
export interface TrialOutcome {
  status: 'done' | 'failed';
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  worker: string | null;
  attempt: number;
  metrics: readonly MetricPoint[];
  evals: readonly EvalRecord[];
  /** The metrics and evals are the trial's whole log: they replace its rows rather than add to them. */
  replace: boolean;
}

export interface MetricPoint {
  step: number;
  tag: string;
  value: number;
  /** Seconds since the Unix epoch; now if left out. */
  wallTime?: number;
}

/** A metric row as read back, with the ids that place it. */
export interface MetricRow {
  id: number;
  run: string;
  trial: string;
  trialKey: number;
  step: number;
  tag: string;
  value: number;
  wallTime: number;
}

export interface EvalRow extends EvalRecord {
  id: number;
  trialKey: number;
  wallTime: number;
}

export interface Artifact {
  id: number;
  run: string;
  trialKey: number | null;
  kind: string;
  path: string;
  createdAt: string;
}

export interface RunSummary {
  run: Run;
  trials: Record<TrialStatus, number> & { total: number };
  metricRows: number;
  evalRows: number;
}

export interface OpenOptions {
  /** Open for reading only (e.g. the dashboard): never creates or migrates the file. */
  readonly?: boolean;
  /** Refuse to create a missing file; implied by readonly. */
  mustExist?: boolean;
  /** How long a writer waits for another's lock before failing, in ms; default 30 s. */
  busyTimeoutMs?: number;
}

// Row shapes exactly as SQLite returns them.
interface RunRow {
  id: string;
  study: string;
  spec: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  verdict: Verdict | null;
}
interface TrialRow {
  key: number;
  run: string;
  id: string;
  config: string;
  axes: string;
  seed: number;
  status: TrialStatus;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  attempt: number;
  worker: string | null;
}

const nowIso = (): string => new Date().toISOString();
const nowSeconds = (): number => Date.now() / 1000;

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    study: r.study,
    spec: JSON.parse(r.spec),
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    verdict: r.verdict,
  };
}

function toTrial(r: TrialRow): Trial {
  return {
    key: r.key,
    run: r.run,
    id: r.id,
    config: JSON.parse(r.config),
    axes: JSON.parse(r.axes),
    seed: r.seed,
    status: r.status,
    reason: r.reason,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    attempt: r.attempt,
    worker: r.worker ?? null,
  };
}

/**
 * Switches a store to WAL. Several processes opening a fresh store at once race for the switch, and SQLite
 * answers SQLITE_BUSY at once (without its busy handler) to the ones that lose it: they wait and try again
 * until the first one has switched the file, which then stays WAL.
 */
function enterWal(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a synchronous 20 ms pause
    }
  }
}

/** Opens (creating and migrating if needed) the run store at path. */
export function openRunStore(path: string, options: OpenOptions = {}): RunStore {
  return new RunStore(path, options);
}

export class RunStore {
  readonly path: string;
  private readonly db: Database.Database;
  /** Prepared statements by SQL text: preparing once matters on the metrics path, called every few steps. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string, options: OpenOptions = {}) {
    const { readonly = false, mustExist = readonly, busyTimeoutMs = 30_000 } = options;
    this.path = path;
    if (mustExist && !existsSync(path)) throw new Error(`${path}: no run store there (expected a ${STORE_FILE} made by 'continuum study run')`);
    this.db = new Database(path, { readonly, fileMustExist: mustExist, timeout: busyTimeoutMs });
    try {
      this.checkIsStore();
      if (!readonly) {
        enterWal(this.db, busyTimeoutMs);
        // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits only.
        this.db.pragma('synchronous = NORMAL');
        migrate(this.db, MIGRATIONS, path);
      } else if ((this.db.pragma('user_version', { simple: true }) as number) !== MIGRATIONS.length) {
        throw new Error(`${path}: run store schema is out of date for read-only use; open it once read-write (e.g. 'continuum study report') to upgrade it`);
      }
      this.db.pragma('foreign_keys = ON');
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /**
   * Refuses a file that is not a run store before anything writes to it: a non-SQLite file (SQLite reports
   * "not a database" on first read), or another program's database (different application_id, or tables but
   * no schema version of ours).
   */
  private checkIsStore(): void {
    let appId: number;
    let version: number;
    let tables: number;
    try {
      // One read transaction: read one by one, a store another process is creating right now could show its
      // tables (committed in between) but the id and version read before, and look like a foreign database.
      [appId, version, tables] = this.db.transaction(() => [
        this.db.pragma('application_id', { simple: true }) as number,
        this.db.pragma('user_version', { simple: true }) as number,
        (this.sql("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n,
      ])();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new Error(
          `${this.path} is not a readable run store (SQLite: ${(err as Error).message}). ` +
            'If it is a damaged store.sqlite, move it aside and start the run again; otherwise check the path.',
        );
      }
      throw err;
    }
    const foreign = (appId !== 0 && appId !== STORE_APPLICATION_ID) || (appId === 0 && version === 0 && tables > 0);
    if (foreign) {
      throw new Error(`${this.path} is an SQLite database but not a Continuum run store (application_id ${appId}); check the path.`);
    }
  }

  close(): void {
    this.db.close();
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  // ---- runs -------------------------------------------------------------------------------------------------

  createRun(run: { id: string; study: string; spec: unknown }): Run {
    this.sql('INSERT INTO runs (id, study, spec, status, created_at) VALUES (?, ?, ?, ?, ?)').run(run.id, run.study, JSON.stringify(run.spec), 'created', nowIso());
    return this.getRun(run.id);
  }

  getRun(id: string): Run {
    const row = this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new Error(`${this.path}: no run '${id}'`);
    return toRun(row);
  }

  listRuns(): Run[] {
    return (this.sql('SELECT * FROM runs ORDER BY created_at, id').all() as RunRow[]).map(toRun);
  }

  /** Sets a run's status; 'running' stamps started_at (first time only), a final status stamps finished_at. */
  setRunStatus(id: string, status: RunStatus, verdict?: Verdict): void {
    const now = nowIso();
    const info = this.sql(
      `UPDATE runs SET status = ?,
         started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
         finished_at = CASE WHEN ? IN ('done', 'failed', 'interrupted') THEN ? ELSE NULL END,
         verdict = coalesce(?, verdict)
       WHERE id = ?`,
    ).run(status, status, now, status, now, verdict ?? null, id);
    if (info.changes === 0) throw new Error(`${this.path}: no run '${id}'`);
  }

  runSummary(id: string): RunSummary {
    const run = this.getRun(id);
    const trials = { queued: 0, running: 0, done: 0, failed: 0, total: 0 };
    const counts = this.sql('SELECT status, count(*) AS n FROM trials WHERE run = ? GROUP BY status').all(id) as { status: TrialStatus; n: number }[];
    for (const { status, n } of counts) {
      trials[status] = n;
      trials.total += n;
    }
    const metricRows = (this.sql('SELECT count(*) AS n FROM metrics JOIN trials ON metrics.trial = trials.key WHERE trials.run = ?').get(id) as { n: number }).n;
    const evalRows = (this.sql('SELECT count(*) AS n FROM evals JOIN trials ON evals.trial = trials.key WHERE trials.run = ?').get(id) as { n: number }).n;
    return { run, trials, metricRows, evalRows };
  }

  // ---- trials -----------------------------------------------------------------------------------------------

  /** Adds queued trials to a run, all or none. */
  addTrials(runId: string, trials: readonly NewTrial[]): Trial[] {
    const insert = this.sql('INSERT INTO trials (run, id, config, axes, seed, status) VALUES (?, ?, ?, ?, ?, ?)');
    const keys = this.db.transaction(() =>
      trials.map((t) => Number(insert.run(runId, t.id, JSON.stringify(t.config), JSON.stringify(t.axes), t.seed, 'queued').lastInsertRowid)),
    )();
    return keys.map((key) => this.getTrial(key));
  }

  getTrial(key: number): Trial {
    const row = this.sql('SELECT * FROM trials WHERE key = ?').get(key) as TrialRow | undefined;
    if (!row) throw new Error(`${this.path}: no trial with key ${key}`);
    return toTrial(row);
  }

  findTrial(runId: string, trialId: string): Trial | null {
    const row = this.sql('SELECT * FROM trials WHERE run = ? AND id = ?').get(runId, trialId) as TrialRow | undefined;
    return row ? toTrial(row) : null;
  }

  listTrials(runId: string): Trial[] {
    return (this.sql('SELECT * FROM trials WHERE run = ? ORDER BY key').all(runId) as TrialRow[]).map(toTrial);
  }

  /**
   * Takes the oldest queued trial of the run and marks it running, or returns null when none is queued.
   * One UPDATE ... RETURNING statement, so two processes can never claim the same trial.
   */
  claimNextTrial(runId: string): Trial | null {
    const row = this.sql(
      `UPDATE trials SET status = 'running', attempt = attempt + 1, started_at = ?, finished_at = NULL, reason = NULL
       WHERE key = (SELECT key FROM trials WHERE run = ? AND status = 'queued' ORDER BY key LIMIT 1)
       RETURNING *`,
    ).get(nowIso(), runId) as TrialRow | undefined;
    return row ? toTrial(row) : null;
  }

  markTrialDone(key: number): void {
    this.finishTrial(key, 'done', null);
  }

  markTrialFailed(key: number, reason: string): void {
    this.finishTrial(key, 'failed', reason);
  }

  private finishTrial(key: number, status: 'done' | 'failed', reason: string | null): void {
    const info = this.sql('UPDATE trials SET status = ?, reason = ?, finished_at = ? WHERE key = ?').run(status, reason, nowIso(), key);
    if (info.changes === 0) throw new Error(`${this.path}: no trial with key ${key}`);
  }

  /**
   * Appends a batch of a trial's metrics and evaluations in one transaction; with `replace`, the trial's
   * existing rows go first (a queue worker resumed the trial and rewrote what it had logged, or a coordinator
   * started again reads a trial's log from its beginning), so nothing is stored twice.
   */
  writeTrialLog(key: number, metrics: readonly MetricPoint[], evals: readonly EvalRecord[], options: { replace?: boolean } = {}): void {
    this.db.transaction(() => {
      if (options.replace) {
        this.sql('DELETE FROM metrics WHERE trial = ?').run(key);
        this.sql('DELETE FROM evals WHERE trial = ?').run(key);
      }
      if (metrics.length) this.logMetrics(key, metrics);
      if (evals.length) this.logEval(key, evals);
    })();
  }

  /**
   * A trial's outcome as a queue worker reported it, in one transaction: the rest of its log (writeTrialLog,
   * replacing what was there when `replace`), its final evaluations, and its status, reason, times and worker.
   */
  recordTrialOutcome(key: number, outcome: TrialOutcome): void {
    this.db.transaction(() => {
      this.writeTrialLog(key, outcome.metrics, outcome.evals, { replace: outcome.replace });
      const info = this.sql('UPDATE trials SET status = ?, reason = ?, started_at = ?, finished_at = ?, worker = ?, attempt = ? WHERE key = ?').run(
        outcome.status,
        outcome.reason,
        outcome.startedAt,
        outcome.finishedAt,
        outcome.worker,
        outcome.attempt,
        key,
      );
      if (info.changes === 0) throw new Error(`${this.path}: no trial with key ${key}`);
    })();
  }

  /**
   * Puts trials back in the queue: those left 'running' by a killed process (on resume), and, with
   * includeFailed, the failed ones too. Returns how many were requeued.
   */
  requeueTrials(runId: string, options: { includeFailed?: boolean } = {}): number {
    const statuses = options.includeFailed ? "('running', 'failed')" : "('running')";
    return this.sql(`UPDATE trials SET status = 'queued', reason = NULL WHERE run = ? AND status IN ${statuses}`).run(runId).changes;
  }

  // ---- metrics and evals ------------------------------------------------------------------------------------

  /** Appends a batch of scalars for one trial in one transaction: one lock and one commit per batch, not per row. */
  logMetrics(trialKey: number, points: readonly MetricPoint[]): void {
    const insert = this.sql('INSERT INTO metrics (trial, step, tag, value, wall_time) VALUES (?, ?, ?, ?, ?)');
    const now = nowSeconds();
    this.db.transaction(() => {
      for (const p of points) {
        // SQLite would store NaN as NULL, which the schema refuses. A diverged run is a failed trial
        // (markTrialFailed with the reason), not a metric value; infinities are stored as they are.
        if (Number.isNaN(p.value)) throw new Error(`logMetrics: ${p.tag} at step ${p.step} is NaN; mark the trial failed instead`);
        insert.run(trialKey, p.step, p.tag, p.value, p.wallTime ?? now);
      }
    })();
  }

  /** One trial's values of one tag, in step order. */
  metricSeries(trialKey: number, tag: string): { step: number; value: number; wallTime: number }[] {
    const sql = 'SELECT step, value, wall_time AS wallTime FROM metrics WHERE trial = ? AND tag = ? ORDER BY step, id';
    return this.sql(sql).all(trialKey, tag) as { step: number; value: number; wallTime: number }[];
  }

  /** The tags a trial has logged. */
  metricTags(trialKey: number): string[] {
    return (this.sql('SELECT DISTINCT tag FROM metrics WHERE trial = ? ORDER BY tag').all(trialKey) as { tag: string }[]).map((r) => r.tag);
  }

  /**
   * Metric rows with id > cursor, oldest first, at most limit of them, and the cursor to pass next time.
   * Ids are assigned in commit order (SQLite has one writer at a time), so polling with the returned cursor
   * sees every row exactly once: this is the live dashboard's feed. Start with cursor 0.
   */
  metricsSince(cursor: number, options: { run?: string; limit?: number } = {}): { rows: MetricRow[]; cursor: number } {
    const { run, limit = 10_000 } = options;
    const rows = this.sql(
      `SELECT m.id, t.run, t.id AS trial, m.trial AS trialKey, m.step, m.tag, m.value, m.wall_time AS wallTime
       FROM metrics m JOIN trials t ON m.trial = t.key
       WHERE m.id > ? AND (? IS NULL OR t.run = ?)
       ORDER BY m.id LIMIT ?`,
    ).all(cursor, run ?? null, run ?? null, limit) as MetricRow[];
    return { rows, cursor: rows.length > 0 ? rows[rows.length - 1].id : cursor };
  }

  logEval(trialKey: number, records: EvalRecord | readonly EvalRecord[]): void {
    const list = Array.isArray(records) ? (records as readonly EvalRecord[]) : [records as EvalRecord];
    // A trial resumed after its evaluation was written measures again: the new row replaces the old one.
    const replace = this.sql(
      'DELETE FROM evals WHERE trial = ? AND step = ? AND suite = ? AND split = ? AND stage IS ? AND family = ? AND domain = ? AND metric = ? AND x IS ?',
    );
    const insert = this.sql(
      'INSERT INTO evals (trial, step, suite, split, stage, family, domain, metric, x, value, n, wall_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const now = nowSeconds();
    this.db.transaction(() => {
      // Every delete before any insert, so two rows of one batch never replace each other.
      for (const e of list) replace.run(trialKey, e.step, e.suite, e.split, e.stage, e.family, e.domain, e.metric, e.x);
      for (const e of list) {
        if (Number.isNaN(e.value)) throw new Error(`logEval: ${e.suite} ${e.metric} on ${e.split}/${e.family} at step ${e.step} is NaN`);
        insert.run(trialKey, e.step, e.suite, e.split, e.stage, e.family, e.domain, e.metric, e.x, e.value, e.n, now);
      }
    })();
  }

  /** Evaluations of one trial, or of every trial of a run, in the order written. */
  listEvals(filter: { trialKey: number } | { run: string }): EvalRow[] {
    const where = 'trialKey' in filter ? 'e.trial = ?' : 't.run = ?';
    return this.sql(
      `SELECT e.id, e.trial AS trialKey, e.step, e.suite, e.split, e.stage, e.family, e.domain, e.metric, e.x, e.value, e.n, e.wall_time AS wallTime
       FROM evals e JOIN trials t ON e.trial = t.key WHERE ${where} ORDER BY e.id`,
    ).all('trialKey' in filter ? filter.trialKey : filter.run) as EvalRow[];
  }

  // ---- artifacts --------------------------------------------------------------------------------------------

  /** Records a file written for a run (trialKey null) or one of its trials; path relative to the run directory. */
  addArtifact(artifact: { run: string; trialKey?: number | null; kind: string; path: string }): Artifact {
    const insert = this.sql('INSERT INTO artifacts (run, trial, kind, path, created_at) VALUES (?, ?, ?, ?, ?)');
    const { lastInsertRowid } = insert.run(artifact.run, artifact.trialKey ?? null, artifact.kind, artifact.path, nowIso());
    return this.sql('SELECT id, run, trial AS trialKey, kind, path, created_at AS createdAt FROM artifacts WHERE id = ?').get(lastInsertRowid) as Artifact;
  }

  listArtifacts(runId: string, options: { trialKey?: number; kind?: string } = {}): Artifact[] {
    return this.sql(
      `SELECT id, run, trial AS trialKey, kind, path, created_at AS createdAt FROM artifacts
       WHERE run = ? AND (? IS NULL OR trial = ?) AND (? IS NULL OR kind = ?) ORDER BY id`,
    ).all(runId, options.trialKey ?? null, options.trialKey ?? null, options.kind ?? null, options.kind ?? null) as Artifact[];
  }
}
