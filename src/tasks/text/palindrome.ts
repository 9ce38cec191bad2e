/**
 * text/palindrome — is the string a palindrome? `pal:abcba` -> `yes`. Half are palindromes; most of the others
 * are one character away from one, so reading only the ends does not work.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng.js';
import { LOWER, defineFamily, exactScore, randomString, type Generated } from '../family.js';
import { registerFamily } from '../registry.js';

export const NAME = 'text/palindrome';

export const PalindromeConfig = z.object({
  minLength: z.number().int().min(2).max(100).default(3),
  maxLength: z.number().int().min(2).max(100).default(5),
  nearMissRate: z.number().min(0).max(1).default(0.7).describe('share of non-palindromes made by breaking a palindrome'),
});
export type PalindromeConfig = z.output<typeof PalindromeConfig>;

export const LEVELS: Partial<PalindromeConfig>[] = [
  { minLength: 3, maxLength: 5 },
  { minLength: 6, maxLength: 10 },
  { minLength: 11, maxLength: 20 },
  { minLength: 21, maxLength: 40 },
];

function palindrome(rng: Rng, length: number): string {
  const half = randomString(rng, LOWER, Math.floor(length / 2));
  const middle = length % 2 ? randomString(rng, LOWER, 1) : '';
  return half + middle + [...half].reverse().join('');
}

const isPalindrome = (s: string) => s === [...s].reverse().join('');

export function generate(rng: Rng, cfg: PalindromeConfig): Generated {
  const length = rng.intBetween(cfg.minLength, Math.max(cfg.minLength, cfg.maxLength));
  let text: string;
  if (rng.int(2) === 0) text = palindrome(rng, length);
  else if (rng.uniform() < cfg.nearMissRate) {
    // Change one character of a palindrome (not the middle one, which would keep it a palindrome).
    const chars = [...palindrome(rng, length)];
    let i = rng.int(length);
    if (length % 2 === 1 && i === (length - 1) / 2) i = 0;
    chars[i] = LOWER[(LOWER.indexOf(chars[i]) + rng.intBetween(1, 25)) % 26];
    text = chars.join('');
  } else text = randomString(rng, LOWER, length);
  return { prompt: `pal:${text}`, answer: isPalindrome(text) ? 'yes' : 'no', meta: { length } };
}

export const score = exactScore;
export const key = (g: Generated) => g.prompt;
export const maxLength = (cfg: PalindromeConfig) => 4 + Math.max(cfg.minLength, cfg.maxLength) + 3;

export const family = registerFamily(
  defineFamily({
    name: NAME,
    domain: 'text',
    description: 'say whether a string is a palindrome (near misses included)',
    config: PalindromeConfig,
    levels: LEVELS,
    generate,
    score,
    key,
    maxLength,
  }),
);
