/**
 * The parameter layout is written in TypeScript (config.ts paramLayout) and once in C++ (gpt.cpp layout, read
 * by param_spans and param_views): the native addon reports its own, and it must be the same tensor for
 * tensor (name, offset, size, decay) on several shapes, so a checkpoint's bytes mean the same to both engines.
 */
import { describe, expect, it } from 'vitest';
import { paramLayout, parseGPTConfig } from '../../src/model/config.js';
import { loadNativeAddon } from '../../src/model/native.js';

const SHAPES = [
  { nLayers: 1, nHeads: 1, dModel: 8, contextLength: 4, vocabSize: 5 },
  { nLayers: 2, nHeads: 4, dModel: 64, contextLength: 32, vocabSize: 97 },
  { nLayers: 3, nHeads: 2, dModel: 24, contextLength: 17, vocabSize: 40, mlpRatio: 2 },
  { nLayers: 4, nHeads: 4, dModel: 128, contextLength: 64, vocabSize: 65 },
];

describe('parameter layout: TypeScript and C++ agree', () => {
  for (const shape of SHAPES) {
    it(`${JSON.stringify(shape)}`, () => {
      const config = parseGPTConfig(shape);
      const ts = paramLayout(config).tensors.map(({ name, offset, size, decay }) => ({ name, offset, size, decay }));
      expect(loadNativeAddon().paramLayout(config)).toEqual(ts);
    });
  }
});
