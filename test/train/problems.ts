/** The problems a ValidationError lists for a recipe parseRecipe refuses; fails the test if it is accepted. */
import { expect } from 'vitest';
import { parseRecipe } from '../../src/train/recipe.js';
import { ValidationError } from '../../src/util/validation.js';

export function problemsOf(input: unknown): string[] {
  try {
    parseRecipe(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems;
  }
  throw new Error('the recipe was accepted');
}
