/**
 * Random functions, the instrument of many-shot in-context learning (Agarwal et al. 2024): every document is a
 * stream of demonstrations `x f(x)` of one function f from K keys (letters A-Z, a-z) to M values (digits 0-9),
 * drawn fresh for the document (each f(x) uniform and independent), with each x uniform over the keys. Two tokens
 * a demonstration, so 256 demonstrations are 512 tokens. No function is ever seen twice: the only way to answer
 * f(x) is to find x earlier in the document.
 *
 * The ideal learner, exact per document: it answers right when x appeared in an earlier demonstration, and
 * otherwise guesses among the M values (f being uniform, nothing else in the document tells f(x)). Its expected
 * accuracy at demonstration n (n - 1 before it) is therefore 1 - (1 - 1/K)^(n - 1) (1 - 1/M) in closed form. The
 * no-memory guess, 1/M, is the floor. A learner that reads only the last W tokens (a model used within its
 * training window) sees only the demonstrations whose key lies in that window.
 * Browser-safe: no Node imports.
 */
import { Rng } from '../util/rng.js';
import type { Corpus } from './corpus.js';
import { encode } from './vocab.js';

export const KEY_SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const VALUE_SYMBOLS = '0123456789';

export interface FunctionsSpec {
  /** Keys x (A, B, ...; at most 52). */
  keys: number;
  /** Values f(x) (0, 1, ...; at most 10). */
  values: number;
  /** Demonstrations per document: 2 tokens each. */
  demonstrations: number;
  /** Training and validation documents (the last 10% validate), each of a fresh function. */
  documents: number;
  /** Documents for the many-shot evaluation (fresh functions under a seed of their own). */
  unseenDocuments: number;
  /** Which documents are written. */
  seed: number;
  /** Train on every token, or on the answers f(x) only (the keys are uniform noise); default all. */
  loss?: 'all' | 'answers';
}

/** A recipe's corpus entry, as JSON carries it. */
export type FunctionsCorpus = FunctionsSpec & { kind: 'functions' };

export function functionsSpec(corpus: FunctionsCorpus): FunctionsSpec {
  const { kind: _kind, ...rest } = corpus;
  return rest;
}

/**
 * One document: symbol indices [2 * demonstrations], keys at even positions (0..K-1) and values at odd ones
 * (0..M-1), the value after each key being f(key).
 */
export function functionDocument(rng: Rng, spec: Pick<FunctionsSpec, 'keys' | 'values' | 'demonstrations'>): Uint8Array {
  const f = Uint8Array.from({ length: spec.keys }, () => rng.int(spec.values));
  const doc = new Uint8Array(2 * spec.demonstrations);
  for (let i = 0; i < spec.demonstrations; i++) {
    const x = rng.int(spec.keys);
    doc[2 * i] = x;
    doc[2 * i + 1] = f[x];
  }
  return doc;
}

/** Symbol indices [2 * demonstrations] as vocabulary token ids. */
export function functionTokens(doc: Uint8Array): Uint8Array {
  let text = '';
  for (let t = 0; t < doc.length; t++) text += (t % 2 === 0 ? KEY_SYMBOLS : VALUE_SYMBOLS)[doc[t]];
  return Uint8Array.from(encode(text));
}

/** The token ids of the M values, in value order: the answers a model chooses among. */
export function valueTokenIds(values: number): number[] {
  return encode(VALUE_SYMBOLS.slice(0, values));
}

/**
 * Whether demonstration n (1-based) of `doc` has its key among the demonstrations a learner sees: all earlier
 * ones, or with `window` set only those whose key token lies in the last `window` tokens before the answer
 * (the answer of demonstration n is token 2n - 1).
 */
export function keySeen(doc: Uint8Array, n: number, window = Infinity): boolean {
  const answer = 2 * n - 1;
  const start = Math.max(0, answer - window);
  const x = doc[2 * (n - 1)];
  for (let t = 2 * Math.ceil(start / 2); t < 2 * (n - 1); t += 2) if (doc[t] === x) return true;
  return false;
}

/** The ideal learner's expected accuracy on demonstration n of one document: 1 when its key was seen, else 1/M. */
export function idealAccuracy(doc: Uint8Array, n: number, values: number, window = Infinity): number {
  return keySeen(doc, n, window) ? 1 : 1 / values;
}

/** Its expectation over documents: 1 - (1 - 1/K)^(n - 1) (1 - 1/M). */
export function expectedIdealAccuracy(n: number, keys: number, values: number): number {
  return 1 - Math.pow(1 - 1 / keys, n - 1) * (1 - 1 / values);
}

function documents(spec: FunctionsSpec, stream: string, count: number): Uint8Array[] {
  const rng = new Rng(`functions|${spec.seed}|${spec.keys}|${spec.values}|${stream}`);
  return Array.from({ length: count }, () => functionDocument(rng, spec));
}

/** Documents of functions never trained on, for the evaluation. */
export function unseenFunctionDocuments(spec: FunctionsSpec): Uint8Array[] {
  return documents(spec, 'unseen', spec.unseenDocuments);
}

function concat(docs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(docs.reduce((n, d) => n + d.length, 0));
  docs.forEach((d, i) => out.set(functionTokens(d), i * d.length));
  return out;
}

export function checkFunctionsSpec(spec: FunctionsSpec): void {
  if (spec.keys > KEY_SYMBOLS.length) throw new Error(`functions corpus: keys ${spec.keys} is more than the ${KEY_SYMBOLS.length} key symbols; give keys <= ${KEY_SYMBOLS.length}`);
  if (spec.values > VALUE_SYMBOLS.length) throw new Error(`functions corpus: values ${spec.values} is more than the ${VALUE_SYMBOLS.length} digits; give values <= ${VALUE_SYMBOLS.length}`);
}

/** The corpus of a spec: train and val documents, and unseen documents, each of a fresh function. */
export function functionsCorpus(spec: FunctionsSpec): Corpus {
  checkFunctionsSpec(spec);
  const seen = documents(spec, 'documents', spec.documents);
  const cut = Math.floor(seen.length * 0.9);
  if (cut < 1 || cut >= seen.length) throw new Error(`functions corpus: ${spec.documents} documents is too few to split; give at least 10`);
  return {
    name: `functions-${spec.keys}-to-${spec.values}`,
    train: concat(seen.slice(0, cut)),
    val: concat(seen.slice(cut)),
    unseen: concat(unseenFunctionDocuments(spec)),
    documentLength: 2 * spec.demonstrations,
    chars: seen.length * 2 * spec.demonstrations,
    answersOnly: spec.loss === 'answers',
  };
}
