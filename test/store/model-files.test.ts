import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGPTConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/init.js';
import { decodeSafetensors } from '../../src/model/safetensors.js';
import { loadModel, saveModel } from '../../src/store/model-files.js';

const config = parseGPTConfig({ vocabSize: 5, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 2 });
const symbols = ['a', 'b', 'c', 'd', 'e'];

describe('model files', () => {
  it('save -> load round-trips bit-exactly, under nanoGPT names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const params = initParams(config, 42);
    saveModel(dir, { config, params, symbols });
    const loaded = loadModel(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.symbols).toEqual(symbols);
    expect(Buffer.from(loaded.params.buffer).equals(Buffer.from(params.buffer))).toBe(true);
    const { tensors } = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect(tensors.get('transformer.h.1.attn.c_attn.weight')!.shape).toEqual([24, 8]);
    expect(tensors.get('transformer.h.0.mlp.c_proj.weight')!.shape).toEqual([8, 32]);
    expect(Array.from(tensors.get('lm_head.weight')!.data)).toEqual(Array.from(tensors.get('transformer.wte.weight')!.data));
  });

  it('refuses truncated and corrupted weights with a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    saveModel(dir, { config, params: initParams(config, 1), symbols });
    const path = join(dir, 'model.safetensors');
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 100));
    expect(() => loadModel(dir)).toThrow(/corrupt or truncated/);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5] ^= 0xff;
    writeFileSync(path, flipped);
    expect(() => loadModel(dir)).toThrow(/SHA-256/);
    // Without the checksum, the structural checks still refuse a truncated file.
    expect(() => decodeSafetensors(good.subarray(0, good.length - 100), 'x')).toThrow(/truncated or corrupt/);
    expect(() => decodeSafetensors(good.subarray(0, 4), 'x')).toThrow(/truncated/);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect(() => loadModel(dir)).toThrow(/config.json is corrupt/);
  });
});
