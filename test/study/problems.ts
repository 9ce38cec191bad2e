/** The problems a ValidationError lists, for tests that check each message. */
import { expect } from 'vitest';
import { ValidationError } from '../../src/util/validation.js';

export function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}
