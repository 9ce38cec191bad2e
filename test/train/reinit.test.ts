import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramLayout, parseGPTConfig } from '../../src/model/config.js';
import { initParams, reinitTensors } from '../../src/model/init.js';
import { readMetrics } from '../../src/train/metrics.js';
import { parseRecipe } from '../../src/train/recipe.js';
import { train } from '../../src/train/trainer.js';
import { problemsOf } from './problems.js';

const config = parseGPTConfig({ vocabSize: 7, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 2 });

describe('reinitTensors', () => {
  it('redraws exactly the named tensors (a name or a prefix) as initParams would, and keeps every other weight', () => {
    const kept = initParams(config, 1);
    const fresh = initParams(config, 2);
    const params = Float32Array.from(kept);
    reinitTensors(config, params, ['transformer.wte', 'transformer.h.1.attn'], 2);
    for (const t of paramLayout(config).tensors) {
      const redrawn = t.name === 'transformer.wte.weight' || t.name.startsWith('transformer.h.1.attn.');
      const want = (redrawn ? fresh : kept).subarray(t.offset, t.offset + t.size);
      expect(Array.from(params.subarray(t.offset, t.offset + t.size)), t.name).toEqual(Array.from(want));
    }
    // A prefix is a whole name component: transformer.h.1 is not transformer.h.10.
    const before = Float32Array.from(params);
    reinitTensors(config, params, ['transformer.h.1.att'], 3);
    expect(params).toEqual(before);
  });
});

const stage = (patch: Record<string, unknown>) => ({ objective: 'lm', corpus: 'shakespeare', budget: { steps: 4 }, batchSize: 8, ...patch });
const recipe = (second: Record<string, unknown>) => ({
  name: 'reinit',
  seed: 5,
  model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16 },
  stages: [
    stage({ budget: { steps: 60 }, schedule: { lr: 3e-3, warmupSteps: 2 }, eval: { interval: 60, iters: 4 } }),
    stage({ schedule: { lr: 1e-4, warmupSteps: 0 }, eval: { interval: 1, iters: 4 }, ...second }),
  ],
});

describe('a stage with reinit', () => {
  it('starts from the previous weights with the named tensors drawn afresh: a fresh token embedding and head lose what stage 1 learned', () => {
    const lossesAfterStage1 = (second: Record<string, unknown>) => {
      const out = mkdtempSync(join(tmpdir(), 'continuum-reinit-'));
      train(recipe(second), { outDir: out, engine: 'reference' }).engine.dispose();
      const losses = readMetrics(join(out, 'metrics.jsonl')).filter((m) => m.scalars['eval/val_loss'] !== undefined);
      return { end1: losses.find((m) => m.stage === 0 && m.step === 60)!.scalars['eval/val_loss']!, start2: losses.find((m) => m.stage === 1)!.scalars['eval/val_loss']! };
    };
    const kept = lossesAfterStage1({});
    const redrawn = lossesAfterStage1({ reinit: ['transformer.wte'] });
    expect(redrawn.end1).toBe(kept.end1); // the same stage 1
    expect(kept.start2).toBeLessThan(kept.end1 + 0.05); // kept weights go on where stage 1 ended (~3.5 nats)
    expect(redrawn.start2).toBeGreaterThan(kept.end1 + 0.8); // a fresh head is back near ln(vocab) (~4.6)
  });

  it('is refused, naming the field, where it names no tensor or the stage starts from random weights', () => {
    expect(problemsOf(recipe({ reinit: ['transformer.wtf'] }))).toEqual([expect.stringMatching(/^stages\[1\]\.reinit\[0\]: got "transformer\.wtf"; not a tensor of this model, nor a prefix of one: use a nanoGPT name/)]);
    expect(problemsOf(recipe({ reinit: ['transformer.h.1'] }))).toEqual([expect.stringMatching(/^stages\[1\]\.reinit\[0\]: got "transformer\.h\.1"; not a tensor/)]); // 1 layer: h.0 only
    expect(problemsOf(recipe({ init: 'random', reinit: ['transformer.wte'] }))).toEqual([expect.stringMatching(/^stages\[1\]\.reinit: .*this stage starts from random weights/)]);
    const first = recipe({});
    expect(problemsOf({ ...first, stages: [{ ...first.stages[0], reinit: ['transformer.wte'] }] })).toEqual([expect.stringMatching(/^stages\[0\]\.reinit: .*this stage starts from random weights/)]);
    expect(parseRecipe(recipe({ reinit: ['transformer.h.0.mlp', 'transformer.ln_f.weight'] })).stages[1].reinit).toEqual(['transformer.h.0.mlp', 'transformer.ln_f.weight']);
  });
});
