/** Random functions for many-shot ICL: documents, the exact ideal learner, the corpus, the recipe entry and the evaluation's windows. */
import { describe, expect, it } from 'vitest';
import { evaluateManyShot, manyShotPositions } from '../../src/eval/many-shot.js';
import type { Engine } from '../../src/model/engine.js';
import { corpusWindow } from '../../src/text/corpus.js';
import {
  expectedIdealAccuracy,
  functionDocument,
  functionsCorpus,
  functionTokens,
  idealAccuracy,
  keySeen,
  unseenFunctionDocuments,
  valueTokenIds,
  type FunctionsSpec,
} from '../../src/text/functions.js';
import { decode, encode, VOCAB_SIZE } from '../../src/text/vocab.js';
import { parseRecipe } from '../../src/train/recipe.js';
import { Rng } from '../../src/util/rng.js';

const spec: FunctionsSpec = { keys: 6, values: 4, demonstrations: 20, documents: 100, unseenDocuments: 40, seed: 2 };

/** A document from its keys, with f(x) = x mod values (values only matter to the model). */
const docOf = (keys: number[], values = 4) => Uint8Array.from(keys.flatMap((x) => [x, x % values]));

describe('random-function documents', () => {
  it('alternate keys and values, one function per document, as letters and digits', () => {
    const doc = functionDocument(new Rng(1), spec);
    expect(doc.length).toBe(40);
    const f = new Map<number, number>();
    for (let i = 0; i < 20; i++) {
      const [x, y] = [doc[2 * i], doc[2 * i + 1]];
      expect(x).toBeLessThan(6);
      expect(y).toBeLessThan(4);
      if (f.has(x)) expect(f.get(x)).toBe(y);
      f.set(x, y);
    }
    expect(decode(Array.from(functionTokens(docOf([0, 27, 3], 10))))).toBe('A0b7D3');
    expect(valueTokenIds(3)).toEqual(encode('012'));
  });

  it('draws a fresh function for each document', () => {
    const rng = new Rng(5);
    const tables = Array.from({ length: 30 }, () => {
      const doc = functionDocument(rng, { keys: 2, values: 10, demonstrations: 40 });
      const f = [-1, -1];
      for (let i = 0; i < doc.length; i += 2) f[doc[i]] = doc[i + 1];
      return f.join(',');
    });
    expect(new Set(tables).size).toBeGreaterThan(20); // 100 functions of 2 keys; 30 draws repeat a few
  });
});

describe('the ideal learner', () => {
  it('is right when the key was demonstrated before, else guesses among the values', () => {
    const doc = docOf([0, 1, 0, 2, 1, 3, 2, 0]);
    const seen = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => keySeen(doc, n));
    expect(seen).toEqual([false, false, true, false, true, false, true, true]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => idealAccuracy(doc, n, 4))).toEqual([0.25, 0.25, 1, 0.25, 1, 0.25, 1, 1]);
  });

  it('within a window sees only the demonstrations whose key lies in the last `window` tokens before the answer', () => {
    const doc = docOf([0, 1, 2, 3, 0]);
    // The answer of demonstration 5 is token 9; key 0 was token 0, so it needs a window of 9 tokens.
    expect(keySeen(doc, 5, 9)).toBe(true);
    expect(keySeen(doc, 5, 8)).toBe(false);
    expect(keySeen(doc, 5, 9.5)).toBe(true);
    expect(idealAccuracy(doc, 5, 10, 8)).toBe(0.1);
    expect(keySeen(docOf([2, 2]), 2, 3)).toBe(true);
    expect(keySeen(docOf([2, 2]), 2, 2)).toBe(false); // the window holds only the value of demonstration 1
  });

  it('averages exactly to 1 - (1 - 1/K)^(n - 1) (1 - 1/M) over every sequence of keys', () => {
    const K = 3;
    const M = 4;
    for (let n = 1; n <= 5; n++) {
      let sum = 0;
      const count = K ** n;
      for (let code = 0; code < count; code++) {
        const keys = Array.from({ length: n }, (_, i) => Math.floor(code / K ** i) % K);
        sum += idealAccuracy(docOf(keys), n, M);
      }
      expect(sum / count).toBeCloseTo(expectedIdealAccuracy(n, K, M), 12);
    }
    expect(expectedIdealAccuracy(1, 32, 10)).toBeCloseTo(0.1, 15);
    expect(expectedIdealAccuracy(2, 32, 10)).toBeCloseTo(1 - (31 / 32) * 0.9, 15);
  });
});

describe('the functions corpus', () => {
  it('splits 90/10 into whole documents, keeps unseen functions apart, and windows start at a document', () => {
    const corpus = functionsCorpus(spec);
    expect(corpus.documentLength).toBe(40);
    expect(corpus.train.length).toBe(90 * 40);
    expect(corpus.val.length).toBe(10 * 40);
    expect(corpus.unseen!.length).toBe(40 * 40);
    expect(Array.from(corpus.unseen!.subarray(0, 40))).toEqual(Array.from(functionTokens(unseenFunctionDocuments(spec)[0])));
    const window = corpusWindow(corpus, 'train', 11, new Rng(3));
    expect(decode(Array.from(window))).toMatch(/^([A-F][0-3]){6}$/);
    expect(() => functionsCorpus({ ...spec, keys: 60 })).toThrow(/keys 60.*keys <= 52/);
  });

  it('recipes take it, with its defaults and field errors', () => {
    const recipe = parseRecipe({ model: { contextLength: 64 }, stages: [{ objective: 'lm', corpus: { kind: 'functions' }, blockSize: 64, budget: { steps: 1 } }] });
    expect(recipe.stages[0].corpus).toMatchObject({ kind: 'functions', keys: 32, values: 10, demonstrations: 257 });
    expect(() => parseRecipe({ stages: [{ objective: 'lm', corpus: { kind: 'functions', key: 4 }, budget: { steps: 1 } }] })).toThrow(/key/);
    expect(() => parseRecipe({ stages: [{ objective: 'lm', corpus: { kind: 'functions', values: 11 }, budget: { steps: 1 } }] })).toThrow(/values/);
  });
});

/**
 * An engine that answers by lookup: at a key it finds the same key earlier in the tokens it was given and puts
 * its logit on the value after it, else on the first value. Within a window it is the ideal learner but for its
 * fixed guess, so its accuracy is known exactly from the documents.
 */
function lookupEngine(contextLength: number): Engine {
  const logits = (tokens: Int32Array, B: number, T: number) => {
    const out = new Float32Array(B * T * VOCAB_SIZE);
    const first = valueTokenIds(1)[0];
    for (let b = 0; b < B; b++) {
      // Every window starts at a key (a letter), as training windows do.
      if (!/[A-Za-z]/.test(decode([tokens[b * T]]))) throw new Error(`a window starts at ${decode([tokens[b * T]])}, not at a key`);
      for (let t = 0; t < T; t++) {
        let answer = first;
        for (let s = t - 2; s >= 0; s--) if (tokens[b * T + s] === tokens[b * T + t] && s + 1 < t) answer = tokens[b * T + s + 1];
        out[(b * T + t) * VOCAB_SIZE + answer] = 1;
      }
    }
    return out;
  };
  return { config: { contextLength }, logits } as unknown as Engine;
}

describe('manyShot evaluation', () => {
  it('scores each model within its window: a lookup engine scores what the window ideal learner sees, the ideal and guess rows exact', () => {
    const big: FunctionsSpec = { ...spec, keys: 5, demonstrations: 24 };
    const docs = unseenFunctionDocuments({ ...big, unseenDocuments: 30 });
    for (const window of [12, 48]) {
      const rows = evaluateManyShot(lookupEngine(48), big, 30, window, 7);
      expect(manyShotPositions(big, 48)).toEqual([1, 2, 4, 8, 16, 24]);
      for (const metric of ['accuracy', 'ideal', 'window', 'guess']) expect(rows.filter((r) => r.metric === metric).map((r) => r.x)).toEqual([1, 2, 4, 8, 16, 24]);
      expect(rows.every((r) => r.suite === 'manyShot' && r.split === 'unseen' && r.step === 7 && r.n === 30)).toBe(true);
      for (const n of [1, 2, 4, 8, 16, 24]) {
        const at = (metric: string) => rows.find((r) => r.metric === metric && r.x === n)!.value;
        const mean = (f: (d: Uint8Array) => number) => docs.reduce((s, d) => s + f(d), 0) / docs.length;
        expect(at('accuracy')).toBeCloseTo(mean((d) => (keySeen(d, n, window) ? 1 : d[2 * n - 1] === 0 ? 1 : 0)), 12);
        expect(at('ideal')).toBeCloseTo(mean((d) => idealAccuracy(d, n, 4)), 12);
        expect(at('window')).toBeCloseTo(mean((d) => idealAccuracy(d, n, 4, window)), 12);
        expect(at('guess')).toBe(0.25);
      }
      if (window === 48) expect(rows.filter((r) => r.metric === 'window').map((r) => r.value)).toEqual(rows.filter((r) => r.metric === 'ideal').map((r) => r.value));
    }
    // A 12-token window holds 6 demonstrations: at 24 the window learner is far below the full one.
    const short = evaluateManyShot(lookupEngine(48), big, 30, 12, 7);
    const at24 = (metric: string) => short.find((r) => r.metric === metric && r.x === 24)!.value;
    expect(at24('window')).toBeLessThan(at24('ideal'));
  });
});

describe('training on answers only', () => {
  it('weighs the odd tokens of a window (the answers f(x)) and nothing else', async () => {
    const { targetWeights } = await import('../../src/text/corpus.js');
    expect(Array.from(targetWeights({}, 5))).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(targetWeights({ answersOnly: true }, 5))).toEqual([1, 0, 1, 0, 1]); // targets 1, 3, 5 are answers
    expect(functionsCorpus({ ...spec, loss: 'answers' }).answersOnly).toBe(true);
    expect(functionsCorpus(spec).answersOnly).toBe(false);
  });
});

describe('lm on answers only', () => {
  it("estimates the loss over the answers' targets alone", async () => {
    const { LmObjective } = await import('../../src/train/objectives/lm.js');
    // A stub whose loss is 1 nat on every answer (targets t + 1 odd) and 100 on every key.
    const engine = { logprobs: (_tokens: Int32Array, B: number, T: number) => Float32Array.from({ length: B * T }, (_, j) => ((j % T) % 2 === 0 ? -1 : -100)) } as unknown as Engine;
    const answers = new LmObjective(functionsCorpus({ ...spec, loss: 'answers' }), 4, 11, 3);
    expect(answers.estimateLoss(engine, 'val', new Rng(1))).toBeCloseTo(1, 6);
    const all = new LmObjective(functionsCorpus(spec), 4, 11, 3);
    expect(all.estimateLoss(engine, 'val', new Rng(1))).toBeCloseTo((6 * 1 + 5 * 100) / 11, 4);
  });
});
