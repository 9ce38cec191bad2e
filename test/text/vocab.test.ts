import { describe, expect, it } from 'vitest';
import {
  BOS,
  EOS,
  PAD,
  SEP,
  SYMBOLS,
  VOCAB_SIZE,
  checkSymbols,
  decode,
  decodeDebug,
  encode,
  findUnknownChar,
  vocab,
} from '../../src/text/index.js';

describe('vocabulary contract', () => {
  it('has specials 0..3, newline at 4 and printable ASCII at 5..99', () => {
    expect([PAD, BOS, SEP, EOS]).toEqual([0, 1, 2, 3]);
    expect(VOCAB_SIZE).toBe(100);
    expect(SYMBOLS.slice(0, 5)).toEqual(['<pad>', '<bos>', '<sep>', '<eos>', '\n']);
    expect(encode('\n')).toEqual([4]);
    expect(encode(' ')).toEqual([5]);
    expect(encode('~')).toEqual([99]);
    expect(encode('A')).toEqual([5 + 65 - 32]);
    expect(vocab.symbols).toBe(SYMBOLS);
    expect(vocab.vocabSize).toBe(100);
  });

  it('round-trips every character', () => {
    const all = SYMBOLS.slice(4).join('');
    expect(decode(encode(all))).toBe(all);
    expect(encode(all)).toEqual(Array.from({ length: 96 }, (_, i) => i + 4));
  });

  it('drops specials in a plain decode without stopping, and shows them in a debug decode', () => {
    const ids = [BOS, ...encode('1+2'), SEP, ...encode('3'), EOS, ...encode('x'), PAD];
    expect(decode(ids)).toBe('1+23x');
    expect(decodeDebug(ids)).toBe('⟨bos⟩1+2⟨sep⟩3⟨eos⟩x⟨pad⟩');
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => decode([100])).toThrow(/token id 100 is outside the vocabulary 0..99/);
    expect(() => decode([-1])).toThrow(RangeError);
  });
});

describe('unknown characters', () => {
  it('names the character, its position, line and column', () => {
    expect(() => encode('ab\ncdé')).toThrow("text: unknown character 'é' (U+00E9) at position 5 (line 2, column 3)");
  });

  it('gives the usual fixes for tabs and carriage returns', () => {
    expect(() => encode('a\tb')).toThrow(/tab \(U\+0009\) at position 1.*replace tabs with spaces/);
    expect(() => encode('a\r\nb')).toThrow(/carriage return.*line endings/);
  });

  it('reports a whole emoji, not half of it', () => {
    expect(findUnknownChar('ok 😀')).toEqual({ char: '😀', index: 3, line: 1, column: 4 });
  });
});

describe('checkSymbols', () => {
  it('accepts this vocabulary and names the first differing id otherwise', () => {
    expect(() => checkSymbols([...SYMBOLS])).not.toThrow();
    const other = [...SYMBOLS];
    other[7] = '?';
    expect(() => checkSymbols(other, 'ckpt')).toThrow(/ckpt: vocabulary differs .* at id 7/);
    expect(() => checkSymbols(SYMBOLS.slice(0, 50))).toThrow(/at id 50/);
  });
});
