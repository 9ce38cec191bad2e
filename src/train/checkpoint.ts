/**
 * Training checkpoints (Node only). One folder per checkpoint under RUN/checkpoints/:
 *   model.safetensors + config.json   the weights (loadable by nanoGPT / PyTorch, and by `continuum sample`)
 *   optimizer.safetensors             AdamW moments m and v
 *   reference.safetensors             the frozen model of a KL penalty, when the stage has one
 *   state.json                        stage, step, counters, every RNG state, objective state, checksums
 * A checkpoint is written into a temporary folder, fsynced, renamed into place, and only then named in
 * RUN/checkpoints/LATEST (itself replaced atomically): a kill at any moment leaves the previous checkpoint
 * whole. The two newest checkpoints are kept.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GPTConfig } from '../model/config.js';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.js';
import { loadModel, saveModel, sha256 } from '../store/model-files.js';
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

/** The newest checkpoint's folder, or null when the run has none yet. */
export function latestCheckpoint(runDir: string): string | null {
  const pointer = join(checkpointsDir(runDir), 'LATEST');
  if (!existsSync(pointer)) return null;
  const dir = join(checkpointsDir(runDir), readFileSync(pointer, 'utf8').trim());
  return existsSync(dir) ? dir : null;
}

export function loadCheckpoint(dir: string): Checkpoint {
  const statePath = join(dir, 'state.json');
  if (!existsSync(statePath)) throw new Error(`checkpoint ${dir} is incomplete: it has no state.json`);
  let state: TrainState;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    throw new Error(`checkpoint ${dir} is corrupt: state.json is not valid JSON`);
  }
  if (state.format !== 'continuum-train-state/1') throw new Error(`checkpoint ${dir}: unknown state format ${state.format}`);
  const { config, params } = loadModel(dir);
  const read = (file: string) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`checkpoint ${dir} is incomplete: ${file} is missing`);
    const bytes = readFileSync(path);
    if (sha256(bytes) !== state.files[file]) throw new Error(`checkpoint ${dir} is corrupt: ${file} does not match its checksum`);
    return decodeSafetensors(bytes, path).tensors;
  };
  const opt = read('optimizer.safetensors');
  const reference = state.files['reference.safetensors'] ? read('reference.safetensors').get('params')!.data : null;
  const m = opt.get('m')?.data;
  const v = opt.get('v')?.data;
  if (!m || !v || m.length !== params.length || v.length !== params.length) {
    throw new Error(`checkpoint ${dir} is corrupt: optimizer moments do not match the model's ${params.length} parameters`);
  }
  return { dir, state, config, params, m, v, reference };
}
