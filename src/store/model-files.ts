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
  const bytes = readFileSync(weightsPath);
  if (json.weights?.sha256 && sha256(bytes) !== json.weights.sha256) {
    throw new Error(
      `${weightsPath} is corrupt or truncated: its SHA-256 does not match ${CONFIG_FILE} ` +
        `(${bytes.length} bytes, expected ${json.weights.bytes}); restore it from another checkpoint`,
    );
  }
  const { tensors } = decodeSafetensors(bytes, weightsPath);
  const params = new Float32Array(paramLayout(config).total);
  loadModelTensors(config, tensors, params, weightsPath);
  const symbols = json.tokenizer?.symbols;
  if (!Array.isArray(symbols) || symbols.length !== config.vocabSize) {
    throw new Error(`${configPath}: tokenizer.symbols must list ${config.vocabSize} symbols (one per token id)`);
  }
  return { config, params, symbols };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
