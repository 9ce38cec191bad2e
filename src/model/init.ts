/**
 * GPT-2 style initialisation, shared by both engines so that the same seed gives the same weights:
 * normal(0, 0.02) for matrices and embeddings, residual projections (attn.c_proj, mlp.c_proj) scaled by
 * 1/sqrt(2 * nLayers), zero biases, LayerNorm gains 1.
 */
import { Rng } from '../util/rng.js';
import { paramLayout, type GPTConfig } from './config.js';

export function initParams(cfg: GPTConfig, seed: number, params?: Float32Array): Float32Array {
  const layout = paramLayout(cfg);
  const out = params ?? new Float32Array(layout.total);
  const rng = new Rng(seed);
  const residualStd = 0.02 / Math.sqrt(2 * cfg.nLayers);
  for (const t of layout.tensors) {
    const view = out.subarray(t.offset, t.offset + t.size);
    if (t.name.endsWith('.bias')) view.fill(0);
    else if (t.name.includes('ln_')) view.fill(1);
    else {
      const std = t.name.endsWith('c_proj.weight') ? residualStd : 0.02;
      for (let i = 0; i < view.length; i++) view[i] = rng.normal() * std;
    }
  }
  return out;
}

/** Whether an entry of a `reinit` list names this tensor: its exact name, or a prefix (`transformer.h.1` names layer 1's). */
export function namesTensor(entry: string, tensor: string): boolean {
  return tensor === entry || tensor.startsWith(`${entry}.`);
}

/**
 * Draws the tensors the entries name afresh, exactly as initParams would with this seed, and keeps every other
 * weight: an ablation that asks which part of a pre-trained model helps or hurts (e.g. the token embeddings,
 * tied to the output head, against the blocks' circuits).
 */
export function reinitTensors(cfg: GPTConfig, params: Float32Array, entries: readonly string[], seed: number): void {
  const fresh = initParams(cfg, seed);
  for (const t of paramLayout(cfg).tensors) {
    if (entries.some((e) => namesTensor(e, t.name))) params.set(fresh.subarray(t.offset, t.offset + t.size), t.offset);
  }
}
