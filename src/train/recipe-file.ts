/**
 * The recipe a run directory was started with (RUN/recipe.json, written by the trainer), read back for a
 * resume (Node only). A damaged file is reported with its path, not as a bare JSON error.
 */
import { readFileSync } from 'node:fs';
import { parseRecipe, type Recipe } from './recipe.js';

export function readSavedRecipe(path: string): Recipe {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new Error(`${path} is not valid JSON (${why}): the run's saved recipe is damaged; restore it, or start a new run from the original recipe file`);
  }
  return parseRecipe(data, path);
}
