import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramLayout } from '../../src/model/config.js';
import { prepareEngine } from '../../src/model/engines.js';
import { readMetrics } from '../../src/train/metrics.js';
import { loadCheckpoint, latestCheckpoint } from '../../src/train/checkpoint.js';
import { TrainingDivergedError, train } from '../../src/train/trainer.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'continuum-train-'));

function lmRecipe(overrides: Record<string, unknown> = {}) {
  return {
    name: 'tiny-lm',
    seed: 5,
    model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 },
    stages: [
      {
        objective: 'lm',
        corpus: 'shakespeare',
        budget: { steps: 8 },
        batchSize: 3,
        schedule: { lr: 3e-3, warmupSteps: 2 },
        eval: { interval: 4, iters: 2 },
        checkpointInterval: 2,
        ...overrides,
      },
    ],
  };
}

/** A typed array's own bytes (an engine's params may be a view into a larger heap, as the wasm engine's are). */
const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe.each(['native', 'reference', 'wasm'] as const)('trainer on the %s engine', (engine) => {
  beforeAll(() => prepareEngine(engine));
  it('resumes a killed run to bit-identical weights and the same metrics', () => {
    const whole = tmp();
    const a = train(lmRecipe(), { outDir: whole, engine });
    expect(a.steps).toBe(8);
    const cut = tmp();
    const b = train(lmRecipe(), { outDir: cut, engine, stopAfterSteps: 5 });
    expect(b.interrupted).toBe(true);
    // The latest checkpoint is at step 4; step 5's metrics line is dropped on resume.
    expect(loadCheckpoint(latestCheckpoint(cut)!).state.globalStep).toBe(4);
    const c = train(lmRecipe(), { outDir: cut, engine, resume: true });
    expect(c.steps).toBe(8);
    expect(bytesOf(c.engine.params).equals(bytesOf(a.engine.params))).toBe(true);
    const strip = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).map((r) => [r.step, r.scalars['train/loss'], r.scalars['eval/val_loss'] ?? null]);
    expect(strip(cut)).toEqual(strip(whole));
    expect(readFileSync(join(cut, 'model', 'model.safetensors')).equals(readFileSync(join(whole, 'model', 'model.safetensors')))).toBe(true);
    a.engine.dispose();
    b.engine.dispose();
    c.engine.dispose();
  });
});

describe('trainer', () => {
  it('resumes a killed sft -> rl run (sampling stream, KL reference) to bit-identical weights', () => {
    const tasks = { families: ['math/compare', 'text/palindrome'], curriculum: { kind: 'steps', every: 2 } };
    const recipe = {
      seed: 9,
      model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 24 },
      stages: [
        { objective: 'sft', tasks, budget: { steps: 4 }, batchSize: 4, checkpointInterval: 2 },
        { objective: 'rl', tasks, budget: { steps: 4 }, batchSize: 2, rl: { groupSize: 4, klBeta: 0.1, innerEpochs: 2 }, checkpointInterval: 2 },
      ],
    };
    const whole = train(recipe, { outDir: tmp(), engine: 'native' });
    const cut = tmp();
    train(recipe, { outDir: cut, engine: 'native', stopAfterSteps: 7 }).engine.dispose();
    expect(loadCheckpoint(latestCheckpoint(cut)!).state).toMatchObject({ stage: 1, stageStep: 2, globalStep: 6 });
    const resumed = train(recipe, { outDir: cut, engine: 'native', resume: true });
    expect(Buffer.from(resumed.engine.params.buffer).equals(Buffer.from(whole.engine.params.buffer))).toBe(true);
    expect(resumed.last['rl/kl']).toBe(whole.last['rl/kl']);
    whole.engine.dispose();
    resumed.engine.dispose();
  });

  it('a NaN loss stops the run with a message naming the step and the kept checkpoint', () => {
    const out = tmp();
    let error: unknown;
    try {
      // A learning rate of 1e30 sends the weights to infinity within a few steps.
      train(lmRecipe({ schedule: { lr: 1e30, warmupSteps: 0, decay: 'constant' }, checkpointInterval: 1, budget: { steps: 50 } }), { outDir: out, engine: 'native' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const message = (error as Error).message;
    expect(message).toMatch(/(loss is (NaN|Infinity)|gradient norm is)/);
    expect(message).toMatch(/step \d+/);
    const kept = latestCheckpoint(out);
    expect(kept).not.toBeNull();
    expect(message).toContain(kept!);
    // The kept checkpoint is whole and loads.
    expect(() => loadCheckpoint(kept!)).not.toThrow();
  });

  it('refuses a corrupt checkpoint on resume', () => {
    const out = tmp();
    train(lmRecipe(), { outDir: out, engine: 'native', stopAfterSteps: 3 });
    const dir = latestCheckpoint(out)!;
    const opt = join(dir, 'optimizer.safetensors');
    const bytes = readFileSync(opt);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(opt, bytes);
    expect(() => train(lmRecipe(), { outDir: out, engine: 'native', resume: true })).toThrow(/corrupt: optimizer.safetensors/);
    writeFileSync(join(dir, 'state.json'), '{');
    expect(() => train(lmRecipe(), { outDir: out, engine: 'native', resume: true })).toThrow(/corrupt: optimizer.safetensors, state.json do not match their checksums/);
  });

  it('refuses to resume with a different recipe, or without a checkpoint', () => {
    const out = tmp();
    train(lmRecipe(), { outDir: out, engine: 'native', stopAfterSteps: 2 });
    expect(() => train(lmRecipe({ batchSize: 4 }), { outDir: out, engine: 'native', resume: true })).toThrow(/different recipe/);
    expect(() => train(lmRecipe(), { outDir: tmp(), engine: 'native', resume: true })).toThrow(/no checkpoint yet/);
  });

  it('a bias-free model (nanoGPT bias=False) keeps every bias at zero while the rest trains', () => {
    const recipe = lmRecipe();
    const r = train({ ...recipe, model: { ...recipe.model, bias: false } }, { outDir: null, engine: 'native' });
    const tensors = paramLayout(r.engine.config).tensors;
    const values = (name: string) => Array.from(r.engine.params.subarray(tensors.find((t) => t.name === name)!.offset).slice(0, 16));
    for (const t of tensors.filter((t) => t.name.endsWith('.bias'))) expect(values(t.name).every((x) => x === 0), t.name).toBe(true);
    expect(values('transformer.h.0.ln_1.weight').some((x) => x !== 1)).toBe(true);
    r.engine.dispose();
  });

  it('evaluates a run before its first step, so learning curves start at 0 examples; later stages start from the last one', () => {
    const stage = (families: string[]) => ({ objective: 'sft', tasks: { families }, budget: { steps: 6 }, batchSize: 4, eval: { interval: 3, iters: 4 } });
    const recipe = { seed: 3, model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 }, stages: [stage(['math/compare']), stage(['math/add'])] };
    const evals: [number, number, number][] = [];
    const r = train(recipe, { outDir: null, engine: 'native', onStep: (rec, info) => 'eval/test_acc' in rec.scalars && evals.push([rec.step, info.stage, info.stageStep]) });
    // Stage 2's step 0 is stage 1's step 6 (the same weights, already logged there), so it gets no record of its own.
    expect(evals).toEqual([[0, 0, 0], [3, 0, 3], [6, 0, 6], [9, 1, 3], [12, 1, 6]]);
    r.engine.dispose();
  });

  it('keeps only the two newest checkpoints', () => {
    const out = tmp();
    train(lmRecipe(), { outDir: out, engine: 'native' });
    const names = readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('step-'));
    expect(names.sort()).toEqual(['step-0000006', 'step-0000008']);
  });
});
