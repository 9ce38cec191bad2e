/**
 * src/text: the one vocabulary and the corpora. Browser-safe; Node-only file loading is in corpus-file.ts.
 *
 *   PAD, BOS, SEP, EOS, VOCAB_SIZE, SYMBOLS   ids 0..3 are specials, 4 is '\n', 5..99 are ASCII 32..126
 *   encode(text) -> number[]                 throws naming an unknown character and its position
 *   decode(ids) -> string                    drops specials, never stops early
 *   decodeDebug(ids) -> string               specials shown as ⟨sep⟩ etc.
 *   vocab: Tokenizer                         all of the above as one object
 *   checkSymbols(symbols)                    a checkpoint's vocabulary matches this one
 *   makeCorpus(name, text) -> Corpus         tokenized, first 90% train / last 10% val
 *   corpusWindow(corpus, split, T, rng)      T+1 tokens for next-token training
 */
export {
  PAD,
  BOS,
  SEP,
  EOS,
  FIRST_CHAR_ID,
  VOCAB_SIZE,
  SYMBOLS,
  vocab,
  encode,
  decode,
  decodeDebug,
  findUnknownChar,
  unknownCharError,
  describeChar,
  checkSymbols,
  type Tokenizer,
} from './vocab.js';
export { makeCorpus, corpusWindow, TRAIN_FRACTION, type Corpus } from './corpus.js';
