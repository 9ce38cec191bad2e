/**
 * Every file of a checkpoint is covered by a checksum (state.json too), weights that cannot be trusted are refused
 * however their config.json vouches for them, and a resume whose latest checkpoint is gone or damaged falls back to
 * the newest intact one and says so.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGPTConfig, paramLayout } from '../../src/model/config.js';
import { initParams } from '../../src/model/init.js';
import { loadModel, saveModel, sha256 } from '../../src/store/model-files.js';
import { checkpointsDir, latestCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import { train } from '../../src/train/trainer.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-ckpt-'));

const recipe = {
  name: 'tiny-lm',
  seed: 5,
  model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 },
  stages: [{ objective: 'lm', corpus: 'shakespeare', budget: { steps: 8 }, batchSize: 3, eval: { interval: 4, iters: 2 }, checkpointInterval: 2 }],
};

/** A run stopped after `steps` steps, with a checkpoint every 2: checkpoints at every even step, the two newest kept. */
function stoppedRun(steps: number): string {
  const out = tmp();
  train(recipe, { outDir: out, engine: 'native', stopAfterSteps: steps }).engine.dispose();
  return out;
}

function resume(out: string): { messages: string[]; params: Float32Array } {
  const messages: string[] = [];
  const r = train(recipe, { outDir: out, engine: 'native', resume: true, onEvent: (m) => messages.push(m) });
  const params = Float32Array.from(r.engine.params);
  r.engine.dispose();
  return { messages, params };
}

const whole = (() => {
  let params: Float32Array | null = null;
  return () => {
    if (!params) {
      const r = train(recipe, { outDir: null, engine: 'native' });
      params = Float32Array.from(r.engine.params);
      r.engine.dispose();
    }
    return params;
  };
})();

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('checkpoint checksums', () => {
  it('SHA256SUMS lists every file of a checkpoint, state.json included, in sha256sum format', () => {
    const dir = latestCheckpoint(stoppedRun(3))!;
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    const listed = sums.map((line) => /^([0-9a-f]{64}) {2}(\S+)$/.exec(line)![2]);
    expect(listed.sort()).toEqual(readdirSync(dir).filter((f) => f !== 'SHA256SUMS').sort());
    expect(listed).toContain('state.json');
    for (const line of sums) {
      const [hash, file] = line.split('  ');
      expect(sha256(readFileSync(join(dir, file))), file).toBe(hash);
    }
  });

  it('an edited state.json (the step changed, valid JSON) is refused, not resumed silently', () => {
    const out = stoppedRun(3); // one checkpoint: step 2
    const state = join(latestCheckpoint(out)!, 'state.json');
    writeFileSync(state, readFileSync(state, 'utf8').replace('"globalStep": 2', '"globalStep": 1'));
    expect(() => resume(out)).toThrow(/step-0000002 is corrupt: state\.json does not match its checksum in SHA256SUMS/);
  });

  it('a checkpoint without SHA256SUMS is refused', () => {
    const out = stoppedRun(3);
    rmSync(join(latestCheckpoint(out)!, 'SHA256SUMS'));
    expect(() => resume(out)).toThrow(/step-0000002 is incomplete: it has no SHA256SUMS/);
  });

  it('a config.json stripped of weights.sha256 does not switch the weight check off', () => {
    const dir = tmp();
    const config = parseGPTConfig({ vocabSize: 5, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 1 });
    saveModel(dir, { config, params: initParams(config, 1), symbols: ['a', 'b', 'c', 'd', 'e'] });
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    delete json.weights.sha256;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(json));
    expect(() => loadModel(dir)).toThrow(`${join(dir, 'config.json')} has no weights.sha256, so nothing vouches for model.safetensors; save the model again, or restore config.json from its checkpoint`);
  });

  it('weights that are not finite are refused even when the checksums agree', () => {
    const dir = tmp();
    const config = parseGPTConfig({ vocabSize: 5, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 1 });
    const params = initParams(config, 1);
    params[paramLayout(config).tensors[2].offset + 3] = NaN;
    saveModel(dir, { config, params, symbols: ['a', 'b', 'c', 'd', 'e'] });
    expect(() => loadModel(dir)).toThrow(/model\.safetensors holds 1 weight that is NaN or infinite \(first in transformer\.h\.0\.ln_1\.weight\); it cannot be sampled or trained: use an earlier checkpoint/);
  });

  it('a config.json that describes more weights than the file holds is refused before anything is allocated', () => {
    const dir = tmp();
    const config = parseGPTConfig({ vocabSize: 5, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 1 });
    saveModel(dir, { config, params: initParams(config, 1), symbols: ['a', 'b', 'c', 'd', 'e'] });
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    json.model.dModel = 65536;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(json));
    expect(() => loadModel(dir)).toThrow(/config\.json describes \d+ weights \([\d.]+ GB\), but model\.safetensors holds \d+ bytes: config\.json does not belong to these weights/);
  });
});

describe('resume falls back to the newest intact checkpoint', () => {
  it('a LATEST that names a missing checkpoint resumes from the one before, says so, and ends bit-identical', () => {
    const out = stoppedRun(5); // checkpoints at steps 2 and 4
    rmSync(join(checkpointsDir(out), 'step-0000004'), { recursive: true });
    expect(latestCheckpoint(out)).toBe(join(checkpointsDir(out), 'step-0000002'));
    const { messages, params } = resume(out);
    expect(messages.some((m) => /^checkpoints\/LATEST names step-0000004, which is missing; resuming from the newest intact checkpoint, step-0000002$/.test(m)), messages.join('\n')).toBe(true);
    expect(sameBits(params, whole())).toBe(true);
  });

  it('a damaged latest checkpoint is passed over the same way, naming what is wrong with it', () => {
    const out = stoppedRun(5);
    const weights = join(checkpointsDir(out), 'step-0000004', 'model.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 7] ^= 0x40;
    writeFileSync(weights, bytes);
    const { messages, params } = resume(out);
    expect(messages.some((m) => m.startsWith('checkpoints/LATEST names step-0000004, which is corrupt (model.safetensors does not match its checksum in SHA256SUMS); resuming from the newest intact checkpoint, step-0000002'))).toBe(true);
    expect(sameBits(params, whole())).toBe(true);
    expect(loadCheckpoint(latestCheckpoint(out)!).state.globalStep).toBe(8); // the run went on and checkpointed again
  });

  it('with no intact checkpoint at all, it says what is wrong with each', () => {
    const out = stoppedRun(5);
    for (const step of ['step-0000002', 'step-0000004']) writeFileSync(join(checkpointsDir(out), step, 'optimizer.safetensors'), 'x');
    expect(() => resume(out)).toThrow(/no intact checkpoint: step-0000004 is corrupt: optimizer\.safetensors does not match .*; step-0000002 is corrupt: optimizer\.safetensors/);
    expect(existsSync(join(out, 'model'))).toBe(false);
  });
});

describe('a damaged recipe.json', () => {
  it('is reported with its path when a resume reads it (a study trial resumes this way)', () => {
    const out = stoppedRun(4);
    writeFileSync(join(out, 'recipe.json'), '{"name": ');
    expect(() => resume(out)).toThrow(`${join(out, 'recipe.json')} is not valid JSON`);
  });
});
