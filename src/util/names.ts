/** Did-you-mean for names a user typed: the known name a typo most likely meant. */

/**
 * The candidate `word` most likely meant: the same letters in another case, one that starts the other, or else
 * the nearest within a few edits (one per three characters, at most `maxEdits`); null when nothing is that close.
 */
export function closestName(word: string, candidates: readonly string[], maxEdits = 2): string | null {
  const lower = word.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase) return sameCase;
  // A word cut short or run on (eval/test_accuracy for eval/test_acc): the longest candidate that starts the other.
  const stem = candidates.filter((c) => Math.min(c.length, word.length) >= 3 && (lower.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(lower)));
  if (stem.length) return stem.reduce((a, b) => (b.length > a.length ? b : a));
  const limit = Math.min(maxEdits, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}
