/**
 * The safetensors format (8-byte little-endian header length, a JSON header, then raw little-endian data),
 * encoded and decoded from bytes. Pure: no file system, so it runs in browsers too. The model's tensors
 * are written under nanoGPT's state_dict names, plus `lm_head.weight` (tied to the token embedding, stored
 * as a copy because PyTorch's load_state_dict expects the key).
 */
import { paramLayout, type GPTConfig } from './config.js';

export interface SafetensorsEntry {
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

/** Encodes named float32 tensors with optional string metadata. */
export function encodeSafetensors(tensors: Map<string, SafetensorsEntry>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // Pad the header with spaces so the data starts 8-byte aligned (as the Rust reference writer does).
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    // Float32Array is little-endian on every platform Node and browsers run on.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Decodes and validates a safetensors file; every structural problem is a clear error. */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors file'): { tensors: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${what} is truncated: ${bytes.length} bytes, not even a header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    throw new Error(`${what} is truncated or corrupt: its header claims ${headerLength} bytes but the file has ${bytes.length}`);
  }
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new Error(`${what} is corrupt: its header is not valid JSON`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = entry ?? {};
    if (dtype !== 'F32') throw new Error(`${what}: tensor ${name} has dtype ${dtype}; only F32 is supported`);
    const [begin, end] = Array.isArray(offsets) ? offsets : [NaN, NaN];
    const count = Array.isArray(shape) ? shape.reduce((a: number, b: number) => a * b, 1) : NaN;
    if (!(begin >= 0 && end <= dataLength && end - begin === count * 4)) {
      throw new Error(`${what} is truncated or corrupt: tensor ${name} [${shape}] does not fit its data offsets [${offsets}] in ${dataLength} bytes`);
    }
    // Copy into an aligned buffer: the data offset need not be 4-byte aligned in files from other writers.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype: 'F32', shape, data });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}

/** The model's parameter buffer as nanoGPT-named tensors (views, no copy), plus the tied lm_head. */
export function modelTensors(cfg: GPTConfig, params: Float32Array): Map<string, SafetensorsEntry> {
  const tensors = new Map<string, SafetensorsEntry>();
  for (const t of paramLayout(cfg).tensors) {
    tensors.set(t.name, { dtype: 'F32', shape: t.shape, data: params.subarray(t.offset, t.offset + t.size) });
  }
  tensors.set('lm_head.weight', { ...tensors.get('transformer.wte.weight')! });
  return tensors;
}

/** Copies decoded tensors into a parameter buffer, checking that every tensor is there with its shape. */
export function loadModelTensors(cfg: GPTConfig, tensors: Map<string, SafetensorsEntry>, params: Float32Array, what: string): void {
  for (const t of paramLayout(cfg).tensors) {
    const entry = tensors.get(t.name);
    if (!entry) throw new Error(`${what} has no tensor ${t.name}: was it saved from a model with this config?`);
    if (entry.shape.join(',') !== t.shape.join(',')) {
      throw new Error(`${what}: tensor ${t.name} has shape [${entry.shape}], the config expects [${t.shape}]`);
    }
    params.set(entry.data, t.offset);
  }
}
