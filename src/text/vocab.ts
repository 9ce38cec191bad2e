/**
 * The one character vocabulary every family, corpus and checkpoint shares.
 *
 * Ids are a contract (checkpoints record `symbols`; the trainer and sampler rely on the specials):
 *   0 PAD, 1 BOS, 2 SEP (between prompt and answer), 3 EOS, 4 '\n', 5..99 printable ASCII 32..126 in order.
 * Runs unchanged in Node and in the browser.
 */

export const PAD = 0;
export const BOS = 1;
export const SEP = 2;
export const EOS = 3;
/** The first id that stands for a character rather than a special token. */
export const FIRST_CHAR_ID = 4;

const SPECIAL_NAMES = ['pad', 'bos', 'sep', 'eos'] as const;
/** The characters, in id order from FIRST_CHAR_ID: newline, then printable ASCII 32..126. */
const CHARS: string[] = ['\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];

/** Every symbol in id order: specials as `<pad>` etc., then the characters. Recorded in a checkpoint's config. */
export const SYMBOLS: readonly string[] = Object.freeze([...SPECIAL_NAMES.map((n) => `<${n}>`), ...CHARS]);
export const VOCAB_SIZE = SYMBOLS.length; // 100

/** char code -> token id, or -1 for characters outside the vocabulary. */
const ID_OF_CODE = new Int16Array(128).fill(-1);
CHARS.forEach((c, i) => (ID_OF_CODE[c.charCodeAt(0)] = FIRST_CHAR_ID + i));

/** The first character of `text` outside the vocabulary, with its position, or null when all are known. */
export function findUnknownChar(text: string): { char: string; index: number; line: number; column: number } | null {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128 && ID_OF_CODE[code] >= 0) {
      if (code === 10) {
        line++;
        lineStart = i + 1;
      }
      continue;
    }
    // Report a whole astral character (emoji etc.), not half of a surrogate pair.
    const char = String.fromCodePoint(text.codePointAt(i)!);
    return { char, index: i, line, column: i - lineStart + 1 };
  }
  return null;
}

/** How to write a character in an error message so that invisible ones are visible. */
export function describeChar(char: string): string {
  const code = char.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const names: Record<number, string> = { 9: 'tab', 13: 'carriage return', 0: 'NUL', 0xa0: 'no-break space', 0xfeff: 'byte order mark' };
  return names[code] ? `${names[code]} (${hex})` : `'${char}' (${hex})`;
}

/** A hint for the usual culprits, appended to unknown-character errors. */
function fixFor(char: string): string {
  if (char === '\r') return 'convert the line endings to \\n (e.g. dos2unix)';
  if (char === '\t') return 'replace tabs with spaces';
  return "replace it; the vocabulary is '\\n' and printable ASCII (space to '~')";
}

/** The error for text containing a character outside the vocabulary; `where` names the source. */
export function unknownCharError(text: string, where = 'text'): Error | null {
  const bad = findUnknownChar(text);
  if (!bad) return null;
  return new Error(
    `${where}: unknown character ${describeChar(bad.char)} at position ${bad.index} ` +
      `(line ${bad.line}, column ${bad.column}): ${fixFor(bad.char)}`,
  );
}

/** Text -> token ids. Throws, naming the character and its position, on anything outside the vocabulary. */
export function encode(text: string, where = 'text'): number[] {
  const ids = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const id = code < 128 ? ID_OF_CODE[code] : -1;
    if (id < 0) throw unknownCharError(text, where)!;
    ids[i] = id;
  }
  return ids;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= VOCAB_SIZE) {
    throw new RangeError(`decode: token id ${id} is outside the vocabulary 0..${VOCAB_SIZE - 1}`);
  }
}

/**
 * Token ids -> text. Special tokens are dropped (PAD, BOS, SEP, EOS) and decoding never stops early:
 * use `decodeDebug` to see them, or `decodeAnswer` in src/tasks to read a sampled answer up to EOS.
 */
export function decode(ids: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    checkId(id);
    if (id >= FIRST_CHAR_ID) out += CHARS[id - FIRST_CHAR_ID];
  }
  return out;
}

/** Token ids -> text with special tokens shown as ⟨pad⟩ ⟨bos⟩ ⟨sep⟩ ⟨eos⟩, for logs and debugging. */
export function decodeDebug(ids: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    checkId(id);
    out += id >= FIRST_CHAR_ID ? CHARS[id - FIRST_CHAR_ID] : `⟨${SPECIAL_NAMES[id]}⟩`;
  }
  return out;
}

/** The tokenizer as one object, for code that passes it around or records it in a checkpoint. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly symbols: readonly string[];
  readonly pad: number;
  readonly bos: number;
  readonly sep: number;
  readonly eos: number;
  encode(text: string): number[];
  decode(ids: ArrayLike<number>): string;
  decodeDebug(ids: ArrayLike<number>): string;
}

export const vocab: Tokenizer = Object.freeze({
  vocabSize: VOCAB_SIZE,
  symbols: SYMBOLS,
  pad: PAD,
  bos: BOS,
  sep: SEP,
  eos: EOS,
  encode: (text: string) => encode(text),
  decode,
  decodeDebug,
});

/** Throws unless `symbols` (e.g. from a checkpoint's config.json) is exactly this vocabulary. */
export function checkSymbols(symbols: readonly string[], where = 'checkpoint'): void {
  const i = SYMBOLS.findIndex((s, j) => symbols[j] !== s);
  if (i >= 0 || symbols.length !== SYMBOLS.length) {
    const at = i >= 0 ? i : Math.min(symbols.length, SYMBOLS.length);
    throw new Error(
      `${where}: vocabulary differs from this build's at id ${at} ` +
        `(${JSON.stringify(symbols[at])} vs ${JSON.stringify(SYMBOLS[at])}); it was saved by an incompatible version`,
    );
  }
}
