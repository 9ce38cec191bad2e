/**
 * The run store's schema, as an append-only list of migrations. Migration i takes a store from
 * PRAGMA user_version i to i + 1; a store is upgraded in place when it is opened. Never edit a migration that
 * has shipped: add a new one.
 */
import type { Database } from 'better-sqlite3';
import { fromPackedColumns } from '../measure/evals.js';

/** SQL to run, or a function for a migration that rewrites rows by code. */
export type Migration = string | ((db: Database) => void);

/** PRAGMA application_id of a Continuum run store ('CTNM'), so that another program's SQLite file is refused. */
export const STORE_APPLICATION_ID = 0x43544e4d;

export const MIGRATIONS: readonly Migration[] = [
  // 1: runs, trials, metrics, evals, artifacts.
  `
  CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    study       TEXT NOT NULL,
    spec        TEXT NOT NULL,                -- the resolved study spec, JSON
    status      TEXT NOT NULL CHECK (status IN ('created', 'running', 'done', 'failed', 'interrupted')),
    created_at  TEXT NOT NULL,                -- ISO 8601, UTC
    started_at  TEXT,
    finished_at TEXT,
    verdict     TEXT CHECK (verdict IN ('held', 'not_held', 'inconclusive'))
  );

  CREATE TABLE trials (
    key         INTEGER PRIMARY KEY,          -- what metrics, evals and artifacts refer to
    run         TEXT NOT NULL REFERENCES runs(id),
    id          TEXT NOT NULL,                -- unique within the run, e.g. "M=16/seed=2"
    config      TEXT NOT NULL,                -- the trial's full recipe, JSON
    axes        TEXT NOT NULL,                -- the sweep axes' values for this trial, JSON object
    seed        INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    reason      TEXT,                         -- why it failed
    started_at  TEXT,
    finished_at TEXT,
    attempt     INTEGER NOT NULL DEFAULT 0,   -- times claimed; > 1 after a resume
    UNIQUE (run, id)
  );
  CREATE INDEX trials_by_status ON trials (run, status, key);

  -- One row per logged scalar, TensorBoard style. The id only grows, so "id > cursor" streams new rows.
  CREATE TABLE metrics (
    id        INTEGER PRIMARY KEY,
    trial     INTEGER NOT NULL REFERENCES trials(key),
    step      INTEGER NOT NULL,
    tag       TEXT NOT NULL,                  -- e.g. train/loss, rl/reward_mean
    value     REAL NOT NULL,
    wall_time REAL NOT NULL                   -- seconds since the Unix epoch
  );
  CREATE INDEX metrics_by_series ON metrics (trial, tag, step);

  CREATE TABLE evals (
    id        INTEGER PRIMARY KEY,
    trial     INTEGER NOT NULL REFERENCES trials(key),
    step      INTEGER NOT NULL,
    split     TEXT NOT NULL,                  -- train | test | heldout, or a suite's name
    family    TEXT NOT NULL,
    domain    TEXT NOT NULL,
    metric    TEXT NOT NULL,                  -- e.g. score, exact, pass@8
    value     REAL NOT NULL,
    n         INTEGER NOT NULL,               -- instances the value averages over
    wall_time REAL NOT NULL
  );
  CREATE INDEX evals_by_trial ON evals (trial, step);

  CREATE TABLE artifacts (
    id         INTEGER PRIMARY KEY,
    run        TEXT NOT NULL REFERENCES runs(id),
    trial      INTEGER REFERENCES trials(key), -- null for a run-level artifact (report, plots)
    kind       TEXT NOT NULL,                  -- checkpoint | report | plot | summary | ...
    path       TEXT NOT NULL,                  -- relative to the run directory
    created_at TEXT NOT NULL
  );
  CREATE INDEX artifacts_by_run ON artifacts (run, trial);
  `,
  // 2: evals get real columns for what schema 1 packed into strings (split `pass@k:test@warm-start`, metric
  // `score|k=4`): suite, stage and x. Existing rows are rewritten by the one parser of the old format.
  (db) => {
    db.exec(`
      ALTER TABLE evals ADD COLUMN suite TEXT NOT NULL DEFAULT 'splits'; -- splits | passAtK | iclCurve | contextLoss
      ALTER TABLE evals ADD COLUMN stage TEXT;                           -- an earlier stage's name; NULL: the final model
      ALTER TABLE evals ADD COLUMN x REAL;                               -- a curve's knob (demonstrations k)
    `);
    const rows = db.prepare('SELECT id, split, metric FROM evals').all() as { id: number; split: string; metric: string }[];
    const update = db.prepare('UPDATE evals SET suite = ?, split = ?, stage = ?, metric = ?, x = ? WHERE id = ?');
    for (const r of rows) {
      const c = fromPackedColumns(r.split, r.metric);
      update.run(c.suite, c.split, c.stage, c.metric, c.x, r.id);
    }
  },
  // 3: the worker that ran a trial (a queue worker's id, e.g. host:pid); NULL for the local pool.
  `ALTER TABLE trials ADD COLUMN worker TEXT;`,
];

/**
 * Brings the store to the last migration. Runs under BEGIN IMMEDIATE and re-reads the version inside, so
 * several processes opening a fresh store at once migrate it exactly once.
 */
export function migrate(db: Database, migrations: readonly Migration[], file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `${file} is a run store of schema version ${current}, newer than this Continuum understands (${migrations.length}). ` +
        'Upgrade Continuum to open it.',
    );
  }
  if (current === migrations.length) return;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) {
      const step = migrations[v];
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    if (version === 0) db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
