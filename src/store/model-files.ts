/**
 * A model on disk: `model.safetensors` (nanoGPT state_dict names, loads into PyTorch as is) and
 * `config.json` (the shape, the tokenizer's ordered symbols so the checkpoint describes itself, and the
 * SHA-256 of the weights file so a corrupted or truncated file is refused). Node only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGPTConfig, paramLayout, type GPTConfig } from '../model/config.js';
import { decodeSafetensors, encodeSafetensors, loadModelTensors, modelTensors } from '../model/safetensors.js';
import { writeFileAtomic } from '../util/files.js';

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

export interface ModelFiles {
  config: GPTConfig;
  params: Float32Array;
  /** The tokenizer's symbols, index = token id. */
  symbols: string[];
}

export interface ModelConfigJson {
  format: 'continuum-gpt/1';
  model: GPTConfig;
  /** nanoGPT's GPTConfig names, for loading the weights there. */
  nanogpt: { block_size: number; vocab_size: number; n_layer: number; n_head: number; n_embd: number; dropout: number; bias: boolean };
  tokenizer: { kind: 'characters'; symbols: string[] };
  weights: { file: string; sha256: string; bytes: number };
}

/** Writes the weights first, then the config that vouches for them: a kill between the two leaves the old pair detectable. */
export function saveModel(dir: string, model: ModelFiles, metadata: Record<string, string> = {}): void {
  const bytes = encodeSafetensors(modelTensors(model.config, model.params), { format: 'pt', ...metadata });
  writeFileAtomic(join(dir, MODEL_FILE), bytes);
  const c = model.config;
  const json: ModelConfigJson = {
    format: 'continuum-gpt/1',
    model: c,
    nanogpt: { block_size: c.contextLength, vocab_size: c.vocabSize, n_layer: c.nLayers, n_head: c.nHeads, n_embd: c.dModel, dropout: 0, bias: true },
    tokenizer: { kind: 'characters', symbols: model.symbols },
    weights: { file: MODEL_FILE, sha256: sha256(bytes), bytes: bytes.length },
  };
  writeFileAtomic(join(dir, CONFIG_FILE), JSON.stringify(json, null, 2) + '\n');
}

export function loadModel(dir: string): ModelFiles {
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, MODEL_FILE);
  if (!existsSync(configPath)) throw new Error(`${dir} is not a model checkpoint: it has no ${CONFIG_FILE}`);
  let json: ModelConfigJson;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch {
    throw new Error(`${configPath} is corrupt: not valid JSON`);
  }
  const config = parseGPTConfig(json.model);
  if (!existsSync(weightsPath)) throw new Error(`${dir} has a ${CONFIG_FILE} but no ${MODEL_FILE}`);
  // Without the checksum nothing would tell a flipped weight from a trained one.
  if (!json.weights?.sha256) {
    throw new Error(`${configPath} has no weights.sha256, so nothing vouches for ${MODEL_FILE}; save the model again, or restore ${CONFIG_FILE} from its checkpoint`);
  }
  const bytes = readFileSync(weightsPath);
  if (sha256(bytes) !== json.weights.sha256) {
    throw new Error(
      `${weightsPath} is corrupt or truncated: its SHA-256 does not match ${CONFIG_FILE} ` +
        `(${bytes.length} bytes, expected ${json.weights.bytes}); restore it from another checkpoint`,
    );
  }
  const layout = paramLayout(config);
  // float32 weights: a file with fewer bytes cannot hold them, and the buffer is not allocated (dModel 65536 would
  // otherwise fail as "Invalid typed array length").
  if (layout.total * 4 > bytes.length) {
    throw new Error(
      `${configPath} describes ${layout.total} weights (${((layout.total * 4) / 1e9).toFixed(2)} GB), but ${MODEL_FILE} holds ${bytes.length} bytes: ` +
        `${CONFIG_FILE} does not belong to these weights; restore it from the checkpoint they came from`,
    );
  }
  const { tensors } = decodeSafetensors(bytes, weightsPath);
  const params = new Float32Array(layout.total);
  loadModelTensors(config, tensors, params, weightsPath);
  const bad = nonFinite(params);
  if (bad.count > 0) {
    const tensor = layout.tensors.find((t) => bad.first >= t.offset && bad.first < t.offset + t.size)!.name;
    const what = bad.count === 1 ? '1 weight that is' : `${bad.count} weights that are`;
    throw new Error(`${weightsPath} holds ${what} NaN or infinite (first in ${tensor}); it cannot be sampled or trained: use an earlier checkpoint`);
  }
  const symbols = json.tokenizer?.symbols;
  if (!Array.isArray(symbols) || symbols.length !== config.vocabSize) {
    throw new Error(`${configPath}: tokenizer.symbols must list ${config.vocabSize} symbols (one per token id)`);
  }
  return { config, params, symbols };
}

/** How many values are NaN or infinite, and the index of the first. */
export function nonFinite(values: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    if (count++ === 0) first = i;
  }
  return { count, first };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
