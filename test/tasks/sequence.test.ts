import { describe, expect, it } from 'vitest';
import { answerWeights, decodeAnswer, encodeInstance, encodePrompt, sequenceLength } from '../../src/tasks/sequence.js';
import { BOS, EOS, SEP, decodeDebug, encode } from '../../src/text/vocab.js';

describe('training sequences', () => {
  const inst = { prompt: '12+34', answer: '46' };

  it('are BOS prompt SEP answer EOS, with the answer start marked', () => {
    const seq = encodeInstance(inst);
    expect(decodeDebug(seq.tokens)).toBe('⟨bos⟩12+34⟨sep⟩46⟨eos⟩');
    expect(seq.answerStart).toBe(7);
    expect(seq.tokens.slice(seq.answerStart)).toEqual([...encode('46'), EOS]);
    expect(seq.tokens.length).toBe(sequenceLength(inst.prompt.length + inst.answer.length));
  });

  it('weigh the answer and EOS targets only', () => {
    const seq = encodeInstance(inst);
    // Targets are tokens[1..]; the first weighted target is the first answer token.
    expect(Array.from(answerWeights(seq))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('prompt encodings end with SEP, for sampling', () => {
    expect(encodePrompt(inst)).toEqual([BOS, ...encode('12+34'), SEP]);
    expect(() => encodePrompt({ prompt: '½' })).toThrow(/prompt: unknown character '½'/);
  });

  it('sampled answers are read up to the first EOS', () => {
    expect(decodeAnswer([...encode('46'), EOS, ...encode('junk')])).toBe('46');
    expect(decodeAnswer(encode('46'))).toBe('46');
    expect(decodeAnswer([EOS])).toBe('');
  });
});
