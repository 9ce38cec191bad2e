/**
 * Sizes before start (src/train/footprint.ts): the parameter count without a layout, and a model that cannot
 * fit refused with its figures and the field to change, not `Invalid typed array length`.
 */
import { describe, expect, it } from 'vitest';
import { paramLayout, parseGPTConfig } from '../../src/model/config.js';
import { activationFloats, attentionSavedFloats, footprintProblems, parameterCount, recipeFootprint, TILED_ATTENTION_FROM } from '../../src/train/footprint.js';
import { parseRecipe } from '../../src/train/recipe.js';
import { modelConfigOf, train } from '../../src/train/trainer.js';

const recipe = (model: Record<string, unknown>, stage: Record<string, unknown> = {}) =>
  parseRecipe({ model: { nLayers: 1, nHeads: 2, dModel: 16, contextLength: 16, ...model }, stages: [{ objective: 'sft', tasks: { families: ['math/compare'] }, budget: { steps: 5 }, batchSize: 4, ...stage }] });

describe('footprints', () => {
  it('counts the parameters paramLayout lays out', () => {
    for (const shape of [{ vocabSize: 100, contextLength: 16, dModel: 16, nHeads: 2, nLayers: 1 }, { vocabSize: 97, contextLength: 64, dModel: 128, nHeads: 4, nLayers: 4, mlpRatio: 3 }]) {
      const config = parseGPTConfig(shape);
      expect(parameterCount(config)).toBe(paramLayout(config).total);
    }
  });

  it('memory grows with the batch and the layers; rl stages count their groups; work with the steps', () => {
    const small = recipe({});
    const f = recipeFootprint(small, modelConfigOf(small));
    expect(f.bytes).toBeGreaterThan(f.params * 20);
    const wide = recipe({}, { batchSize: 64 });
    expect(recipeFootprint(wide, modelConfigOf(wide)).bytes).toBeGreaterThan(f.bytes);
    const rl = recipe({}, { objective: 'rl', rl: { groupSize: 16 } });
    expect(recipeFootprint(rl, modelConfigOf(rl)).bytes).toBeGreaterThan(recipeFootprint(recipe({}, { batchSize: 32 }), modelConfigOf(small)).bytes);
    const longer = recipe({}, { budget: { steps: 50 } });
    expect(recipeFootprint(longer, modelConfigOf(longer)).flops).toBeCloseTo(10 * f.flops, 0);
  });

  it('dModel 65536 is refused with its parameters, the limit and the fields to change, before any allocation', () => {
    const big = recipe({ dModel: 65536 });
    expect(footprintProblems(big, modelConfigOf(big), 64 * 2 ** 30)).toEqual([
      'recipe.model (nLayers 1, dModel 65536, contextLength 16) has 5.2e10 parameters; one buffer holds at most 4.3e9: lower dModel or nLayers',
      'recipe.model (nLayers 1, dModel 65536, contextLength 16) with stages[0].batchSize 4 needs about 961 GiB (5.2e10 parameters × 20 B + activations); this machine has 64.0 GiB: lower dModel, nLayers, contextLength or batchSize',
    ]);
    expect(() => train(big, { outDir: null })).toThrow(/^the recipe does not fit this machine:\n {2}- recipe\.model \(nLayers 1, dModel 65536, contextLength 16\) has 5\.2e10 parameters/);
  });

  it('20,000 layers or a huge batch are refused when the memory is short, naming the stage and its batch', () => {
    const deep = recipe({ nLayers: 20000, dModel: 64, contextLength: 64 }, { batchSize: 32 });
    expect(footprintProblems(deep, modelConfigOf(deep), 16 * 2 ** 30)).toEqual([
      expect.stringMatching(/^recipe\.model \(nLayers 20000, dModel 64, contextLength 64\) with stages\[0\]\.batchSize 32 needs about \d+(\.\d)? GiB \(1\.0e9 parameters × 20 B \+ activations\); this machine has 16.0 GiB: lower dModel, nLayers, contextLength or batchSize$/),
    ]);
    const logits = recipe({ contextLength: 4096 }, { batchSize: 20000 });
    expect(footprintProblems(logits, modelConfigOf(logits), 2 ** 60)[0]).toMatch(/^recipe\.stages: a batch's logits take \S+ floats; one array holds at most 4\.3e9: lower batchSize/);
    expect(footprintProblems(recipe({}), modelConfigOf(recipe({})), 2 ** 30)).toEqual([]);
  });
});

describe('attention memory', () => {
  it('is O(T^2) up to the tiled threshold and O(T) past it, as the native arena lays it out', () => {
    expect(attentionSavedFloats(64)).toBe(64 * 64);
    expect(attentionSavedFloats(100)).toBe(100 * 112);
    expect(attentionSavedFloats(TILED_ATTENTION_FROM)).toBe(512 * 512);
    expect(attentionSavedFloats(4096)).toBe(4096);
    const cfg = parseGPTConfig({ vocabSize: 64, contextLength: 4096, dModel: 64, nHeads: 4, nLayers: 2 });
    // 4 rows of 4,096 tokens: about 195 MB of activations, where 4 rows x 4 heads x 4096^2 probabilities a layer took 2.1 GB more.
    expect(activationFloats(cfg, 4, 4096) * 4).toBeLessThan(250e6);
  });
});
