/**
 * logic/syllogism — does a conclusion follow from premises about made-up words?
 * `all dax are wug. all wug are fep. so all dax are fep?` -> `yes`. Premises form a tree of "all" links
 * (and, at the top level, one "no" link); a conclusion follows only when the links prove it, so reversed and
 * cross-branch questions answer `no`. About half the questions answer yes.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { defineFamily, exactScore, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'logic/syllogism';

export const SyllogismConfig = z.object({
  terms: z.number().int().min(3).max(8).default(3).describe('made-up words; premises link them into a tree'),
  negative: z.boolean().default(false).describe('add one "no A are B" premise and ask "no" questions too'),
});
export type SyllogismConfig = z.output<typeof SyllogismConfig>;

export const LEVELS: Partial<SyllogismConfig>[] = [
  { terms: 3 },
  { terms: 4 },
  { terms: 5, negative: true },
  { terms: 6, negative: true },
];

const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';

function word(rng: Rng): string {
  return rng.pick([...CONSONANTS]) + rng.pick([...VOWELS]) + rng.pick([...CONSONANTS]);
}

export function generate(rng: Rng, cfg: SyllogismConfig): Generated {
  const words = new Set<string>();
  while (words.size < cfg.terms) words.add(word(rng));
  const terms = [...words];
  // parent[i] < i: every term but the first is a subset ("all X are parent") of an earlier one.
  const parent = terms.map((_, i) => (i === 0 ? -1 : rng.int(i)));
  const ancestors = (i: number): number[] => (i < 0 ? [] : [i, ...ancestors(parent[i])]);
  const premises = terms.slice(1).map((t, i) => `all ${t} are ${terms[parent[i + 1]]}`);
  // "no P are Q" between two terms neither of which contains the other.
  let disjoint: [number, number] | null = null;
  if (cfg.negative) {
    for (let tries = 0; tries < 20 && !disjoint; tries++) {
      const p = rng.int(cfg.terms);
      const q = rng.int(cfg.terms);
      if (p !== q && !ancestors(p).includes(q) && !ancestors(q).includes(p)) disjoint = [p, q];
    }
    if (disjoint) premises.push(`no ${terms[disjoint[0]]} are ${terms[disjoint[1]]}`);
  }
  const wantYes = rng.int(2) === 0;
  const askNo = disjoint !== null && rng.int(2) === 0;
  // Try question pairs until one has the wanted answer; a tree always has both kinds for 3+ terms.
  for (;;) {
    const x = rng.int(cfg.terms);
    const y = rng.int(cfg.terms);
    if (x === y) continue;
    const follows = askNo
      ? (ancestors(x).includes(disjoint![0]) && ancestors(y).includes(disjoint![1])) ||
        (ancestors(x).includes(disjoint![1]) && ancestors(y).includes(disjoint![0]))
      : ancestors(x).includes(y);
    if (follows !== wantYes) continue;
    const question = `so ${askNo ? 'no' : 'all'} ${terms[x]} are ${terms[y]}?`;
    return { prompt: `${rng.shuffle(premises).join('. ')}. ${question}`, answer: follows ? 'yes' : 'no', meta: { askNo } };
  }
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
/** Each premise is at most 17 chars plus '. '; the question 19; the answer 3. */
export const maxLength = (cfg: SyllogismConfig) => (cfg.terms - 1 + (cfg.negative ? 1 : 0)) * 18 + 19 + 3;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'logic',
    description: 'does a conclusion follow from premises about made-up words (yes/no)',
    config: SyllogismConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
