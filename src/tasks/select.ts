/**
 * Choosing families: which ones a stage trains on and which are held out to measure transfer.
 * Every choice is reproducible from a seed and independent of registration order.
 */
import { Rng } from '../util/rng.js';
import './catalog.js'; // choices range over the built-in families: make sure they are registered
import type { Domain } from './family.js';
import { getFamily, listFamilies, parseDomain } from './registry.js';

export interface FamilyFilter {
  /** Family names, each checked to exist. */
  names?: readonly string[];
  /** Every family of these domains. */
  domains?: readonly Domain[];
}

/** The names a filter selects (union of names and domains), sorted. */
export function selectFamilies(filter: FamilyFilter): string[] {
  const names = new Set((filter.names ?? []).map((n) => getFamily(n).name));
  if (filter.domains?.length) for (const f of listFamilies(filter.domains.map(parseDomain))) names.add(f.name);
  return [...names].sort();
}

/**
 * `k` families chosen at random from `from` (names) or `domains` (all families when both are omitted), leaving
 * out `exclude`: the same (pool, k, seed, exclude) always gives the same families.
 */
export function chooseFamilies(options: {
  k: number;
  seed: number;
  from?: readonly string[];
  domains?: readonly Domain[];
  exclude?: readonly string[];
}): string[] {
  const excluded = new Set(options.exclude ?? []);
  const pool = options.from ? selectFamilies({ names: options.from }) : listFamilies(options.domains?.map(parseDomain)).map((f) => f.name);
  const candidates = pool.filter((n) => !excluded.has(n));
  if (!Number.isInteger(options.k) || options.k < 1 || options.k > candidates.length) {
    const where = options.from ? 'the `from` list' : options.domains ? `domains ${options.domains.join(', ')}` : 'all domains';
    const left = excluded.size ? ` once ${[...excluded].join(', ')} are left out` : '';
    throw new Error(`k must be from 1 to ${candidates.length} (the families in ${where}${left}), got ${options.k}`);
  }
  // Shuffle the sorted list, so the choice depends only on the seed and the set of candidates.
  return new Rng(`choose|${options.seed}`).shuffle(candidates.sort()).slice(0, options.k).sort();
}

/** Held-out families by name or domain, and every other family (optionally only of some domains) for training. */
export function splitFamilies(heldOut: FamilyFilter, trainDomains?: readonly Domain[]): { train: string[]; heldOut: string[] } {
  const held = selectFamilies(heldOut);
  const train = listFamilies(trainDomains?.map(parseDomain))
    .map((f) => f.name)
    .filter((n) => !held.includes(n));
  return { train, heldOut: held };
}
