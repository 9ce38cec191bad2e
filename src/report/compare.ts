/**
 * Two runs' verdicts side by side: the same claims of two summary.json files lined up (e.g. a quick run on seeds
 * 11-13 and a full run on seeds 21-25), and where a verdict flips between the seed sets. A verdict that holds on
 * one set of seeds and not on another is a finding about the claim's robustness, and is said as such.
 * Pure: it reads parsed summaries, no files.
 */
import type { Verdict } from '../stats/stats.js';

/** What compare reads of a summary.json: its run, seed set and comparisons. */
export interface SummaryLike {
  format?: string;
  study: string;
  verdict: Verdict;
  run: { id: string };
  seedSet?: { mode: string; seeds: number[]; calibrationSeeds: number[] | null; heldOut: boolean } | null;
  settings?: { mode?: string; seeds?: number[] };
  comparisons: {
    metric: string;
    a: string;
    b: string;
    verdict: Verdict;
    difference: { mean: number | null; lo: number | null; hi: number | null };
    claim?: { index: number; text: string; part: string } | null;
    share?: number | null;
    miscalibration?: string | null;
  }[];
}

/** One run's side of a lined-up claim. */
export interface ClaimSide {
  verdict: Verdict;
  difference: { mean: number | null; lo: number | null; hi: number | null };
  share: number | null;
  miscalibration: string | null;
}

/**
 * flipped: held in one run, not held in the other; changed: a verdict in one, inconclusive in the other;
 * same: one verdict in both; missing: the claim was judged in only one run.
 */
export type Agreement = 'same' | 'changed' | 'flipped' | 'missing';

export interface LinedUpClaim {
  text: string;
  part: string | null;
  arms: string;
  a: ClaimSide | null;
  b: ClaimSide | null;
  agreement: Agreement;
}

export interface RunSide {
  run: string;
  study: string;
  verdict: Verdict;
  mode: string | null;
  seeds: number[] | null;
  calibrationSeeds: number[] | null;
}

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  claims: LinedUpClaim[];
  flipped: number;
  changed: number;
  /** The two runs share seeds: their verdicts are not independent replications. */
  sharedSeeds: number[];
}

function runSide(s: SummaryLike): RunSide {
  return {
    run: s.run.id,
    study: s.study,
    verdict: s.verdict,
    mode: s.seedSet?.mode ?? s.settings?.mode ?? null,
    seeds: s.seedSet?.seeds ?? s.settings?.seeds ?? null,
    calibrationSeeds: s.seedSet?.calibrationSeeds ?? null,
  };
}

type Entry = SummaryLike['comparisons'][number];

/** A claim's key across runs: its text and part when the summary names them, else its metric and arms in order. */
function keyed(s: SummaryLike): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const seen = new Map<string, number>();
  for (const c of s.comparisons) {
    const base = c.claim ? `${c.claim.part}|${c.claim.text}` : `${c.metric}|${c.a}|${c.b}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.set(n === 0 ? base : `${base}#${n + 1}`, c);
  }
  return out;
}

const side = (c: Entry | undefined): ClaimSide | null =>
  c ? { verdict: c.verdict, difference: c.difference, share: c.share ?? null, miscalibration: c.miscalibration ?? null } : null;

export function agreementOf(a: Verdict | null, b: Verdict | null): Agreement {
  if (a === null || b === null) return 'missing';
  if (a === b) return 'same';
  return a === 'inconclusive' || b === 'inconclusive' ? 'changed' : 'flipped';
}

/** Lines up the claims of run a and run b, in run a's order and then b's claims a lacks. */
export function compareRuns(a: SummaryLike, b: SummaryLike): RunComparison {
  const [ka, kb] = [keyed(a), keyed(b)];
  const keys = [...ka.keys(), ...[...kb.keys()].filter((k) => !ka.has(k))];
  const claims = keys.map((k): LinedUpClaim => {
    const [ca, cb] = [ka.get(k), kb.get(k)];
    const any = (ca ?? cb)!;
    return {
      text: any.claim?.text ?? `${any.metric}: ${any.b} vs ${any.a}`,
      part: any.claim?.part ?? null,
      arms: `${any.b} − ${any.a}`,
      a: side(ca),
      b: side(cb),
      agreement: agreementOf(ca?.verdict ?? null, cb?.verdict ?? null),
    };
  });
  const [ra, rb] = [runSide(a), runSide(b)];
  const sharedSeeds = (ra.seeds ?? []).filter((s) => (rb.seeds ?? []).includes(s));
  return { a: ra, b: rb, claims, flipped: claims.filter((c) => c.agreement === 'flipped').length, changed: claims.filter((c) => c.agreement === 'changed').length, sharedSeeds };
}
