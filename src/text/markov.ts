/**
 * Markov "genres": a corpus written in M random genres, each a Markov chain over a small alphabet whose transition
 * rows are drawn from a Dirichlet(concentration) prior (Edelman et al. 2024's in-context Markov chains). It is the
 * instrument of corpus breadth: a model pre-trained on text of 1, 4, ... genres or on infinitely many (a fresh
 * chain every document) is measured on documents of genres it never saw, where the only way to predict well is
 * to infer the chain from the document itself.
 *
 * Two reference learners bound that measurement, computed exactly per document:
 * - the Bayes-optimal learner: the chain is unknown and drawn from the prior, so the best prediction of the next
 *   letter is the posterior predictive (count(prev -> x) + a) / (count(prev -> .) + V a) (the in-context bigram);
 * - the unigram learner: the same with letter counts only, (count(x) + 1) / (t + V), which ignores the previous
 *   letter (the stage a model passes through before it forms the bigram mechanism).
 * Browser-safe: no Node imports.
 */
import { Rng } from '../util/rng.js';
import type { Corpus } from './corpus.js';
import { encode } from './vocab.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export interface MarkovSpec {
  /** Distinct genres the training documents are drawn from; Infinity: a fresh chain for every document. */
  genres: number;
  /** Letters of the alphabet (a, b, c, ...). */
  alphabet: number;
  /** Dirichlet concentration of each transition row: small values make genres distinct, large ones alike. */
  concentration: number;
  /** Letters per document; a training window is one document's first blockSize + 1 letters. */
  documentLength: number;
  /** Training and validation documents (the last 10% validate; from the same genres when M is finite). */
  documents: number;
  /** Documents of unseen genres (fresh chains, never trained on), for the unseen-genre loss. */
  unseenDocuments: number;
  /** Which chains make up the finite set of genres, and which documents are written. */
  genreSeed: number;
}

/** A recipe's corpus entry, as JSON carries it: `genres: infinity` is a string there. */
export type GeneratedCorpus = Omit<MarkovSpec, 'genres'> & { kind: 'markov'; genres: number | 'infinity' };

export function markovSpec(corpus: GeneratedCorpus): MarkovSpec {
  const { kind: _kind, ...rest } = corpus;
  return { ...rest, genres: corpus.genres === 'infinity' ? Infinity : corpus.genres };
}

/** A chain: row-stochastic transitions [V, V] (row = previous letter) and a uniform first letter. */
export interface Chain {
  V: number;
  transitions: Float64Array;
}

/** A Gamma(shape, 1) draw (Marsaglia and Tsang; shapes below 1 boosted by U^(1/shape)). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.uniform() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng.uniform();
    if (Math.log(u || Number.MIN_VALUE) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function drawChain(rng: Rng, V: number, concentration: number): Chain {
  const transitions = new Float64Array(V * V);
  for (let row = 0; row < V; row++) {
    let sum = 0;
    for (let j = 0; j < V; j++) sum += transitions[row * V + j] = gamma(rng, concentration);
    // A row of underflowed draws (tiny concentrations) falls back to one sure transition, still a valid chain.
    if (!(sum > 0)) transitions[row * V + rng.int(V)] = sum = 1;
    for (let j = 0; j < V; j++) transitions[row * V + j] /= sum;
  }
  return { V, transitions };
}

/** A document of `length` letter indices: a uniform first letter, then the chain's transitions. */
export function sampleDocument(rng: Rng, chain: Chain, length: number): Uint8Array {
  const { V, transitions } = chain;
  const doc = new Uint8Array(length);
  doc[0] = rng.int(V);
  for (let t = 1; t < length; t++) {
    const row = doc[t - 1] * V;
    let u = rng.uniform();
    let x = 0;
    while (x < V - 1 && (u -= transitions[row + x]) >= 0) x++;
    doc[t] = x;
  }
  return doc;
}

/** Per-position losses (nats) of the two reference learners on one document; entry t predicts letter t (t >= 1). */
export interface ReferenceLosses {
  bayes: Float64Array;
  unigram: Float64Array;
}

/** The Bayes-optimal (in-context bigram) and in-context unigram losses at every position of `doc` [L]. */
export function referenceLosses(doc: Uint8Array, V: number, concentration: number): ReferenceLosses {
  const L = doc.length;
  const bayes = new Float64Array(L);
  const unigram = new Float64Array(L);
  const pair = new Float64Array(V * V); // count(prev -> x)
  const from = new Float64Array(V); // count(prev -> .)
  const single = new Float64Array(V); // count(x) so far
  bayes[0] = unigram[0] = Math.log(V);
  single[doc[0]]++;
  for (let t = 1; t < L; t++) {
    const prev = doc[t - 1];
    const x = doc[t];
    bayes[t] = -Math.log((pair[prev * V + x] + concentration) / (from[prev] + V * concentration));
    unigram[t] = -Math.log((single[x] + 1) / (t + V));
    pair[prev * V + x]++;
    from[prev]++;
    single[x]++;
  }
  return { bayes, unigram };
}

/** Letter indices [L] as vocabulary token ids. */
export function documentTokens(doc: Uint8Array): Uint8Array {
  let text = '';
  for (const x of doc) text += LETTERS[x];
  return Uint8Array.from(encode(text));
}

/** The chains of a finite set of genres, the same for every trial with this seed and alphabet. */
export function genreChains(spec: MarkovSpec): Chain[] {
  return Array.from({ length: spec.genres }, (_, i) => drawChain(new Rng(`markov|${spec.genreSeed}|${spec.alphabet}|${spec.concentration}|genre ${i}`), spec.alphabet, spec.concentration));
}

/**
 * The training-and-validation documents ([documents, documentLength] letter indices, row-major) and the
 * unseen-genre documents. Unseen genres are fresh continuous draws from the prior under their own seed: with
 * probability 1 none equals a training genre.
 */
export function markovDocuments(spec: MarkovSpec): { seen: Uint8Array[]; unseen: Uint8Array[] } {
  const rng = new Rng(`markov|${spec.genreSeed}|documents`);
  const chains = Number.isFinite(spec.genres) ? genreChains(spec) : null;
  const seen = Array.from({ length: spec.documents }, () => {
    const chain = chains ? rng.pick(chains) : drawChain(rng, spec.alphabet, spec.concentration);
    return sampleDocument(rng, chain, spec.documentLength);
  });
  return { seen, unseen: unseenDocuments(spec) };
}

/** Documents of unseen genres: a fresh chain each, under a seed of their own. */
export function unseenDocuments(spec: Pick<MarkovSpec, 'genreSeed' | 'alphabet' | 'concentration' | 'documentLength' | 'unseenDocuments'>): Uint8Array[] {
  const rng = new Rng(`markov|${spec.genreSeed}|unseen`);
  return Array.from({ length: spec.unseenDocuments }, () => sampleDocument(rng, drawChain(rng, spec.alphabet, spec.concentration), spec.documentLength));
}

/** Concatenated documents as one split's tokens [n * documentLength]. */
function concat(docs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(docs.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of docs) {
    out.set(documentTokens(d), at);
    at += d.length;
  }
  return out;
}

/** The corpus of a spec: train and val documents of the training genres, and documents of unseen genres. */
export function markovCorpus(spec: MarkovSpec): Corpus {
  if (spec.alphabet > LETTERS.length) throw new Error(`markov corpus: alphabet ${spec.alphabet} is more than ${LETTERS.length} letters`);
  const { seen, unseen } = markovDocuments(spec);
  const cut = Math.max(1, Math.floor(seen.length * 0.9));
  if (cut >= seen.length) throw new Error(`markov corpus: ${spec.documents} documents is too few to split; give at least 10`);
  const genres = Number.isFinite(spec.genres) ? String(spec.genres) : 'infinity';
  return {
    name: `markov-${genres}-genres`,
    train: concat(seen.slice(0, cut)),
    val: concat(seen.slice(cut)),
    unseen: concat(unseen),
    documentLength: spec.documentLength,
    chars: seen.length * spec.documentLength,
  };
}
