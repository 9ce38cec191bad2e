/**
 * Corpora for language-model pre-training: any text, checked against the vocabulary, tokenized once and
 * split by position (the first 90% trains, the last 10% validates), so validation text is never trained on.
 * Runs in Node and in the browser; reading a file from disk is in corpus-file.ts.
 */
import { encode, unknownCharError } from './vocab.js';
import type { Rng } from '../util/rng.js';

/** The share of a corpus, from its start, that is training text. */
export const TRAIN_FRACTION = 0.9;

export interface Corpus {
  name: string;
  /** Token ids of the first TRAIN_FRACTION of the text. */
  train: Uint8Array;
  /** Token ids of the rest. */
  val: Uint8Array;
  /** Characters in the whole text. */
  chars: number;
  /**
   * Set for corpora of equal-length documents (markov.ts): a window is the start of one document, never two
   * documents joined, so every window is text of one genre.
   */
  documentLength?: number;
  /** Documents of a distribution never trained on (unseen genres), laid out as train is. */
  unseen?: Uint8Array;
  /**
   * Set for corpora of demonstrations `x y` (functions.ts) trained on their answers only: a window's targets
   * at odd token positions (the y's) weigh 1, the rest 0. Unset: every target weighs 1.
   */
  answersOnly?: boolean;
}

/** The loss weights [T] of a window's targets (target t is token t + 1 of the window). */
export function targetWeights(corpus: Pick<Corpus, 'answersOnly'>, T: number): Float32Array {
  const w = new Float32Array(T).fill(1);
  if (corpus.answersOnly) for (let t = 0; t < T; t++) w[t] = (t + 1) % 2;
  return w;
}

export type CorpusSplit = 'train' | 'val' | 'unseen';

/** Tokenizes `text` and splits it by position. Unknown characters fail with their position and a fix. */
export function makeCorpus(name: string, text: string, trainFraction = TRAIN_FRACTION): Corpus {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new Error(`corpus ${name}: trainFraction must be in (0, 1), got ${trainFraction}`);
  }
  const bad = unknownCharError(text, `corpus ${name}`);
  if (bad) throw bad;
  const ids = Uint8Array.from(encode(text));
  const cut = Math.floor(ids.length * trainFraction);
  if (cut < 2 || ids.length - cut < 2) {
    throw new Error(`corpus ${name}: ${ids.length} characters is too short to split; give at least 20`);
  }
  return { name, train: ids.subarray(0, cut), val: ids.subarray(cut), chars: ids.length };
}

/**
 * A random window of `length + 1` tokens from one split: inputs are [0, length), next-token targets [1, length].
 * The draw is reproducible from `rng`.
 */
export function corpusWindow(corpus: Corpus, split: CorpusSplit, length: number, rng: Rng): Uint8Array {
  const data = corpus[split];
  if (!data) throw new Error(`corpus ${corpus.name} has no ${split} split (only generated corpora of genres have unseen documents)`);
  if (corpus.documentLength) return documentWindow(corpus.name, data, corpus.documentLength, length, rng);
  if (data.length < length + 1) {
    throw new Error(
      `corpus ${corpus.name}: the ${split} split has ${data.length} tokens, fewer than a window of ${length + 1}; ` +
        `use a shorter context or a longer text`,
    );
  }
  const start = rng.int(data.length - length);
  return data.subarray(start, start + length + 1);
}

/** The first `length + 1` tokens of a random document. */
function documentWindow(name: string, data: Uint8Array, documentLength: number, length: number, rng: Rng): Uint8Array {
  if (length + 1 > documentLength) {
    throw new Error(
      `corpus ${name}: a window of ${length + 1} tokens is longer than its documents (${documentLength}); ` +
        `give the corpus a documentLength of at least ${length + 1} or a shorter blockSize`,
    );
  }
  const start = rng.int(data.length / documentLength) * documentLength;
  return data.subarray(start, start + length + 1);
}
