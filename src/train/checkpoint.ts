/**
 * Training checkpoints (Node only). One folder per checkpoint under RUN/checkpoints/:
 *   model.safetensors + config.json   the weights (loadable by nanoGPT / PyTorch, and by `continuum sample`)
 *   optimizer.safetensors             AdamW moments m and v
 *   reference.safetensors             the frozen model of a KL penalty, when the stage has one
 *   state.json                        stage, step, counters, every RNG state, objective state, checksums
 *   SHA256SUMS                        the SHA-256 of every other file, state.json included (`sha256sum -c` reads it)
 * A checkpoint is written into a temporary folder, fsynced, renamed into place, and only then named in
 * RUN/checkpoints/LATEST (itself replaced atomically): a kill at any moment leaves the previous checkpoint
 * whole. The two newest checkpoints are kept. A resume takes the one LATEST names if it is intact, else the
 * newest intact one (loadResumeCheckpoint), and says which.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GPTConfig } from '../model/config.js';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.js';
import { loadModel, nonFinite, saveModel, sha256 } from '../store/model-files.js';
import { SYMBOLS } from '../text/vocab.js';
import { writeFileAtomic } from '../util/files.js';
import type { RngState } from '../util/rng.js';

export interface RngSnapshot {
  words: RngState;
  spare: number | null;
}

export interface TrainState {
  format: 'continuum-train-state/1';
  /** SHA-256 of the resolved recipe: resuming with a different recipe is refused. */
  recipeHash: string;
  stage: number;
  /** Optimizer steps done in this stage. */
  stageStep: number;
  globalStep: number;
  /** Budget counters of this stage. */
  tokens: number;
  episodes: number;
  rng: { data: RngSnapshot; sample: RngSnapshot };
  optimizerStep: number;
  objective: unknown;
  files: Record<string, string>; // file name -> sha256
}

export interface Checkpoint {
  dir: string;
  state: TrainState;
  config: GPTConfig;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  reference: Float32Array | null;
}

const KEEP = 2;

export function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

export function saveCheckpoint(runDir: string, ckpt: Omit<Checkpoint, 'dir'>): string {
  const root = checkpointsDir(runDir);
  const name = `step-${String(ckpt.state.globalStep).padStart(7, '0')}`;
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  saveModel(tmp, { config: ckpt.config, params: ckpt.params, symbols: [...SYMBOLS] });
  const files: Record<string, string> = {};
  const put = (file: string, tensors: Record<string, Float32Array>) => {
    const map = new Map(Object.entries(tensors).map(([k, data]) => [k, { dtype: 'F32' as const, shape: [data.length], data }]));
    const bytes = encodeSafetensors(map);
    writeFileAtomic(join(tmp, file), bytes);
    files[file] = sha256(bytes);
  };
  put('optimizer.safetensors', { m: ckpt.m, v: ckpt.v });
  if (ckpt.reference) put('reference.safetensors', { params: ckpt.reference });
  writeFileAtomic(join(tmp, 'state.json'), JSON.stringify({ ...ckpt.state, files }, null, 2) + '\n');
  writeChecksums(tmp);
  const final = join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  writeFileAtomic(join(root, 'LATEST'), name + '\n');
  pruneCheckpoints(root, name);
  return final;
}

/** Keeps the KEEP newest checkpoints (and never the one just written). Leftover temp folders go too. */
function pruneCheckpoints(root: string, latest: string): void {
  const names = readdirSync(root).filter((n) => n.startsWith('step-')).sort();
  for (const n of names.slice(0, Math.max(0, names.length - KEEP))) if (n !== latest) rmSync(join(root, n), { recursive: true, force: true });
  for (const n of readdirSync(root)) if (n.startsWith('.tmp-') && !n.endsWith(`-${process.pid}`)) rmSync(join(root, n), { recursive: true, force: true });
}

/** The checkpoint folders of a run, newest first. */
function checkpointNames(runDir: string): string[] {
  const root = checkpointsDir(runDir);
  return existsSync(root) ? readdirSync(root).filter((n) => /^step-\d+$/.test(n)).sort().reverse() : [];
}

/** The folder LATEST names, else the newest checkpoint folder; null when the run has none yet. */
export function latestCheckpoint(runDir: string): string | null {
  const pointer = join(checkpointsDir(runDir), 'LATEST');
  const named = existsSync(pointer) ? join(checkpointsDir(runDir), readFileSync(pointer, 'utf8').trim()) : null;
  if (named && existsSync(named)) return named;
  const [newest] = checkpointNames(runDir);
  return newest ? join(checkpointsDir(runDir), newest) : null;
}

/** A checkpoint that cannot be used, and why: `incomplete` (a file is missing) or `corrupt`. */
export class CheckpointError extends Error {
  constructor(
    readonly dir: string,
    readonly kind: 'incomplete' | 'corrupt',
    readonly detail: string,
  ) {
    super(`checkpoint ${dir} is ${kind}: ${detail}`);
    this.name = 'CheckpointError';
  }
}

const SUMS = 'SHA256SUMS';
const REQUIRED = ['model.safetensors', 'config.json', 'optimizer.safetensors', 'state.json'];

/** Writes SHA256SUMS over every file in `dir`, in `sha256sum` format. */
function writeChecksums(dir: string): void {
  const files = readdirSync(dir).filter((f) => f !== SUMS && !f.startsWith('.')).sort();
  writeFileAtomic(join(dir, SUMS), files.map((f) => `${sha256(readFileSync(join(dir, f)))}  ${f}\n`).join(''));
}

/** Checks every file SHA256SUMS lists against its checksum, and that the files a checkpoint needs are listed. */
function verifyChecksums(dir: string): void {
  const path = join(dir, SUMS);
  if (!existsSync(path)) throw new CheckpointError(dir, 'incomplete', `it has no ${SUMS} (it was cut short, or written by an older version)`);
  const listed = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}([\w.-]+)$/.exec(line);
    if (!m) throw new CheckpointError(dir, 'corrupt', `${SUMS} has a line that is not "<sha256>  <file>": ${JSON.stringify(line.slice(0, 80))}`);
    listed.set(m[2], m[1]);
  }
  for (const file of REQUIRED) if (!listed.has(file)) throw new CheckpointError(dir, 'corrupt', `${SUMS} does not list ${file}`);
  const missing = [...listed.keys()].filter((file) => !existsSync(join(dir, file)));
  if (missing.length) throw new CheckpointError(dir, 'incomplete', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  const wrong = [...listed].filter(([file, hash]) => sha256(readFileSync(join(dir, file))) !== hash).map(([file]) => file);
  if (wrong.length === 1) throw new CheckpointError(dir, 'corrupt', `${wrong[0]} does not match its checksum in ${SUMS}`);
  if (wrong.length > 1) throw new CheckpointError(dir, 'corrupt', `${wrong.join(', ')} do not match their checksums in ${SUMS}`);
}

export function loadCheckpoint(dir: string): Checkpoint {
  verifyChecksums(dir);
  const statePath = join(dir, 'state.json');
  let state: TrainState;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    throw new CheckpointError(dir, 'corrupt', 'state.json is not valid JSON');
  }
  if (state.format !== 'continuum-train-state/1') throw new Error(`checkpoint ${dir}: unknown state format ${state.format}`);
  const { config, params } = loadModel(dir);
  const read = (file: string) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new CheckpointError(dir, 'incomplete', `${file} is missing`);
    const bytes = readFileSync(path);
    if (sha256(bytes) !== state.files[file]) throw new CheckpointError(dir, 'corrupt', `${file} does not match its checksum`);
    return decodeSafetensors(bytes, path).tensors;
  };
  const opt = read('optimizer.safetensors');
  const reference = state.files['reference.safetensors'] ? read('reference.safetensors').get('params')!.data : null;
  const m = opt.get('m')?.data;
  const v = opt.get('v')?.data;
  if (!m || !v || m.length !== params.length || v.length !== params.length) {
    throw new CheckpointError(dir, 'corrupt', `optimizer moments do not match the model's ${params.length} parameters`);
  }
  for (const [name, values] of [['m', m], ['v', v], ['reference', reference]] as const) {
    if (values && nonFinite(values).count > 0) throw new CheckpointError(dir, 'corrupt', `${name} holds NaN or infinite values`);
  }
  return { dir, state, config, params, m, v, reference };
}

/**
 * The checkpoint to resume from: the one LATEST names when it is intact, else the newest intact one. `notes` say
 * which was passed over and why. Null when the run has no checkpoint yet; throws when none is intact, naming
 * what is wrong with each.
 */
export function loadResumeCheckpoint(runDir: string): { checkpoint: Checkpoint; notes: string[] } | null {
  const root = checkpointsDir(runDir);
  const pointer = join(root, 'LATEST');
  const named = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : null;
  const names = checkpointNames(runDir);
  if (names.length === 0) return null;
  const candidates = named ? [named, ...names.filter((n) => n !== named)] : names;
  const failures: { name: string; why: string; kind: string }[] = [];
  for (const name of candidates) {
    const dir = join(root, name);
    if (!existsSync(dir)) {
      failures.push({ name, why: 'it is missing', kind: 'missing' });
      continue;
    }
    try {
      const checkpoint = loadCheckpoint(dir);
      return { checkpoint, notes: failures.length || !named ? [fallbackNote(named, failures, name)] : [] };
    } catch (err) {
      failures.push(err instanceof CheckpointError ? { name, why: err.detail, kind: err.kind } : { name, why: (err as Error).message, kind: 'unreadable' });
    }
  }
  const each = failures.map((f) => (f.kind === 'missing' ? `${f.name} is missing` : `${f.name} is ${f.kind}: ${f.why}`));
  throw new Error(`--resume: ${runDir} has no intact checkpoint: ${each.join('; ')}; start a new run, or restore a checkpoint folder into ${root}`);
}

function fallbackNote(named: string | null, failures: readonly { name: string; why: string; kind: string }[], chosen: string): string {
  const first = failures[0];
  const head = !named
    ? 'checkpoints/LATEST is missing'
    : first.kind === 'missing'
      ? `checkpoints/LATEST names ${named}, which is missing`
      : `checkpoints/LATEST names ${named}, which is ${first.kind} (${first.why})`;
  const others = failures.slice(named ? 1 : 0).map((f) => `${f.name} (${f.kind === 'missing' ? 'missing' : `${f.kind}: ${f.why}`})`);
  return `${head}; resuming from the newest intact checkpoint, ${chosen}${others.length ? `; also passed over ${others.join(', ')}` : ''}`;
}
