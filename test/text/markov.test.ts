/** Markov genres: chains, documents, the two reference learners, the corpus, and training on it. */
import { describe, expect, it } from 'vitest';
import { evaluateGenreLoss, genrePositions } from '../../src/eval/genre-loss.js';
import { createEngine } from '../../src/model/engines.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { corpusWindow } from '../../src/text/corpus.js';
import { drawChain, markovCorpus, markovDocuments, markovSpec, referenceLosses, sampleDocument, type GeneratedCorpus, type MarkovSpec } from '../../src/text/markov.js';
import { encode, VOCAB_SIZE } from '../../src/text/vocab.js';
import { parseRecipe } from '../../src/train/recipe.js';
import { Rng } from '../../src/util/rng.js';

const spec: MarkovSpec = { genres: 4, alphabet: 4, concentration: 0.5, documentLength: 33, documents: 200, unseenDocuments: 20, genreSeed: 3 };

/** Mean per-position log loss of a smoothed in-context bigram with pseudo-count `a` (a = concentration is Bayes). */
function smoothedBigramLoss(doc: Uint8Array, V: number, a: number): number {
  return referenceLosses(doc, V, a).bayes.slice(1).reduce((s, v) => s + v, 0) / (doc.length - 1);
}

describe('markov chains and the reference learners', () => {
  it('draws row-stochastic chains and documents over the alphabet', () => {
    const rng = new Rng(1);
    for (const concentration of [0.05, 1, 20]) {
      const chain = drawChain(rng, 5, concentration);
      for (let row = 0; row < 5; row++) {
        const p = chain.transitions.subarray(row * 5, row * 5 + 5);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
      }
      const doc = sampleDocument(rng, chain, 200);
      expect(Math.max(...doc)).toBeLessThan(5);
    }
  });

  it('documents follow their chain: empirical transitions match the drawn ones', () => {
    const rng = new Rng(2);
    const chain = drawChain(rng, 3, 1);
    const doc = sampleDocument(rng, chain, 60_000);
    const counts = new Float64Array(9);
    for (let t = 1; t < doc.length; t++) counts[doc[t - 1] * 3 + doc[t]]++;
    for (let row = 0; row < 3; row++) {
      const total = counts[row * 3] + counts[row * 3 + 1] + counts[row * 3 + 2];
      for (let j = 0; j < 3; j++) expect(counts[row * 3 + j] / total).toBeCloseTo(chain.transitions[row * 3 + j], 1);
    }
  });

  it('computes the posterior predictive and the unigram counts by hand', () => {
    // V = 2, a = 1, document a a b: position 1 predicts a after a with no counts: 1/2; position 2 predicts b
    // after a having seen a->a once: (0 + 1) / (1 + 2). Unigram: (1 + 1) / (1 + 2), then (0 + 1) / (2 + 2).
    const ref = referenceLosses(Uint8Array.from([0, 0, 1]), 2, 1);
    expect([...ref.bayes]).toEqual([Math.log(2), Math.log(2), Math.log(3)].map((v) => expect.closeTo(v, 12)));
    expect([...ref.unigram]).toEqual([Math.log(2), -Math.log(2 / 3), Math.log(4)].map((v) => expect.closeTo(v, 12)));
  });

  it('the Bayes learner beats every other smoothing on documents drawn from its prior, and the unigram learner', () => {
    const rng = new Rng(4);
    const V = 4;
    const a = 0.5;
    const docs = Array.from({ length: 400 }, () => sampleDocument(rng, drawChain(rng, V, a), 48));
    const mean = (f: (d: Uint8Array) => number) => docs.reduce((s, d) => s + f(d), 0) / docs.length;
    const bayes = mean((d) => smoothedBigramLoss(d, V, a));
    for (const other of [0.05, 0.2, 2, 10]) expect(bayes).toBeLessThan(mean((d) => smoothedBigramLoss(d, V, other)));
    const unigram = mean((d) => referenceLosses(d, V, a).unigram.slice(1).reduce((s, v) => s + v, 0) / 47);
    expect(bayes).toBeLessThan(unigram);
    expect(unigram).toBeLessThan(Math.log(V));
    // Learning in context: later positions are predicted better than the first ones.
    const at = (t: number) => docs.reduce((s, d) => s + referenceLosses(d, V, a).bayes[t], 0) / docs.length;
    expect(at(40)).toBeLessThan(at(1) - 0.2);
  });
});

describe('the markov corpus', () => {
  it('splits seen documents 90/10, keeps unseen genres apart, and windows start at a document', () => {
    const corpus = markovCorpus(spec);
    expect(corpus.train.length).toBe(180 * 33);
    expect(corpus.val.length).toBe(20 * 33);
    expect(corpus.unseen!.length).toBe(20 * 33);
    const letters = new Set(encode('abcd'));
    for (const id of corpus.train) expect(letters.has(id)).toBe(true);
    const rng = new Rng(5);
    for (let i = 0; i < 50; i++) {
      const w = corpusWindow(corpus, 'train', 32, rng);
      const start = w.byteOffset - corpus.train.byteOffset;
      expect(start % 33).toBe(0);
      expect(w.length).toBe(33);
    }
    expect(() => corpusWindow(corpus, 'train', 40, rng)).toThrow(/documentLength of at least 41/);
  });

  it('draws finite genres from their set and a fresh chain per document for infinity', () => {
    const distinctBigrams = (genres: number) => {
      const { seen } = markovDocuments({ ...spec, genres, alphabet: 8, concentration: 0.1, documents: 300 });
      // With sharp chains (concentration 0.1) each genre uses few transitions; more genres use more of the 64.
      const pairs = new Set<number>();
      for (const d of seen) for (let t = 1; t < d.length; t++) pairs.add(d[t - 1] * 8 + d[t]);
      return pairs.size;
    };
    expect(distinctBigrams(1)).toBeLessThan(distinctBigrams(Infinity));
    expect(markovDocuments(spec).seen).toEqual(markovDocuments(spec).seen);
    expect(markovDocuments(spec).unseen).toEqual(markovDocuments({ ...spec, genres: Infinity }).unseen);
  });

  it('recipes take a generated corpus, with its defaults and field errors', () => {
    const recipe = parseRecipe({ model: { contextLength: 32 }, stages: [{ objective: 'lm', corpus: { kind: 'markov', genres: 'infinity' }, budget: { steps: 1 } }] });
    expect(recipe.stages[0].corpus).toMatchObject({ kind: 'markov', genres: 'infinity', alphabet: 8, documentLength: 65 });
    expect(JSON.parse(JSON.stringify(recipe))).toEqual(recipe); // recipes travel as JSON
    expect(() => parseRecipe({ stages: [{ objective: 'lm', corpus: { kind: 'markov', genre: 4 }, budget: { steps: 1 } }] })).toThrow(/genre/);
  });
});

describe('genreLoss on a model', () => {
  const config = parseGPTConfig({ nLayers: 1, nHeads: 2, dModel: 16, contextLength: 32, vocabSize: VOCAB_SIZE });

  it('writes loss, bayes and unigram at log-spaced positions and as means; an untrained model is near uniform over the vocabulary', () => {
    const rows = evaluateGenreLoss(createEngine('reference', config, 1), spec, 16, 32, 9);
    expect(genrePositions(32)).toEqual([1, 2, 4, 8, 16, 32]);
    for (const metric of ['loss', 'bayes', 'unigram']) {
      const mine = rows.filter((r) => r.metric === metric);
      expect(mine.map((r) => r.x)).toEqual([null, 1, 2, 4, 8, 16, 32]);
      expect(mine.every((r) => r.suite === 'genreLoss' && r.split === 'unseen' && r.step === 9 && r.n === 16)).toBe(true);
    }
    const mean = (metric: string) => rows.find((r) => r.metric === metric && r.x === null)!.value;
    expect(mean('loss')).toBeGreaterThan(Math.log(VOCAB_SIZE) - 0.5);
    expect(mean('bayes')).toBeLessThan(Math.log(4));
  });

  it('pre-training on the genres brings the loss on unseen genres below uniform over the alphabet', async () => {
    const { train } = await import('../../src/train/trainer.js');
    const corpus = { kind: 'markov', genres: 'infinity', alphabet: 4, concentration: 0.5, documentLength: 33, documents: 2000, unseenDocuments: 64 };
    const recipe = { seed: 1, model: { nLayers: 2, nHeads: 2, dModel: 32, contextLength: 32 }, stages: [{ objective: 'lm', corpus, budget: { steps: 300 }, batchSize: 16, schedule: { lr: 3e-3 }, eval: { interval: 300, iters: 4 } }] };
    const result = train(recipe, { outDir: null, engine: 'native' });
    expect(result.last['eval/unseen_loss']).toBeLessThan(Math.log(4));
    const rows = evaluateGenreLoss(result.engine, markovSpec(parseRecipe(recipe).stages[0].corpus as GeneratedCorpus), 64, 32, 300);
    const loss = rows.find((r) => r.metric === 'loss' && r.x === null)!.value;
    expect(loss).toBeLessThan(Math.log(4));
  });
});
