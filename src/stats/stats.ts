/**
 * The statistics every comparison in a report goes through: means with confidence intervals over seeds
 * (Student t, or a seeded percentile bootstrap), the unbiased pass@k estimator, examples-to-threshold on a
 * learning curve, two-arm differences, and the rule that turns a difference into a verdict.
 * Pure: no Node imports, so the dashboard can run it in the browser.
 */
import { Rng } from '../util/rng.js';

export type CIMethod = 't' | 'bootstrap' | 'logit-t' | 'log-t';

/**
 * A mean (of one arm, or of a difference between two arms) with its confidence interval.
 * With fewer than two values the interval is unknown: lo = -Infinity, hi = Infinity, which every verdict reads
 * as inconclusive (JSON writers must turn the infinities into null themselves).
 */
export interface Interval {
  mean: number;
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Number of values (seeds); for an unpaired difference, the smaller arm's. */
  n: number;
  method: CIMethod;
}

export interface CIOptions {
  /** Confidence level in (0, 1); default 0.95. */
  level?: number;
  /** 't' (default) or 'bootstrap'. */
  method?: CIMethod;
  /** Bootstrap resamples; default 4000. */
  resamples?: number;
  /** Seed for the bootstrap's generator, so the same values always give the same interval; default 0. */
  seed?: number | string;
  /**
   * 'rate' for values in [0, 1] (accuracies, pass@k): a t interval is formed on the logit scale (see rateCI),
   * so it never leaves [0, 1]; a difference of rates is cut to [-1, 1]. 'positive' for counts above 0 that spread
   * over orders of magnitude (examples to a threshold): the t interval is formed on the log scale (see
   * positiveCI), so it stays above 0 (a linear one over 36k, 192k and 33k examples reaches below 0); a difference
   * of counts is linear. Default 'linear'.
   */
  scale?: 'linear' | 'rate' | 'positive';
  /** For rates: the problems each value was scored on, for the shrinkage of rateCI; default RATE_ITEMS. */
  items?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Descriptive statistics

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) throw new Error('mean: no values');
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample variance with Bessel's correction (divides by n - 1); NaN for fewer than two values. */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / (xs.length - 1);
}

export function std(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** Linear-interpolation quantile (R's type 7) of already sorted values, q in [0, 1]. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile: no values');
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i];
}

// ---------------------------------------------------------------------------------------------------------------
// Student's t distribution, for intervals over a handful of seeds (where 1.96 would be far too narrow)

/** log Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    // Even step, then odd step of the continued fraction.
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 - I_(1-x)(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T <= t) for Student's t with df degrees of freedom (df may be fractional, as in Welch's test). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`studentTCdf: degrees of freedom must be positive, got ${df}`);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t, found by bisection on the CDF (monotone, so 200 halvings reach machine precision). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------------------------
// Confidence intervals for one arm

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new Error(`confidence level must be in (0, 1), got ${level}`);
}

function checkFinite(xs: readonly number[], what: string): void {
  if (xs.length === 0) throw new Error(`${what}: no values`);
  for (const x of xs) if (!Number.isFinite(x)) throw new Error(`${what}: values must be finite, got ${x}`);
}

function unknownInterval(m: number, n: number, level: number, method: CIMethod): Interval {
  return { mean: m, lo: -Infinity, hi: Infinity, level, n, method };
}

/** Mean of values (one per seed) with a t interval (default) or a percentile bootstrap interval. */
export function meanCI(values: readonly number[], options: CIOptions = {}): Interval {
  const { level = 0.95, method = 't' } = options;
  checkLevel(level);
  checkFinite(values, 'meanCI');
  if (options.scale === 'rate' && method === 't') return rateCI(values, level, options.items);
  // A count of 0 (a threshold met before any example) has no logarithm: such a set keeps the linear interval.
  if (options.scale === 'positive' && method === 't' && values.every((x) => x > 0)) return positiveCI(values, level);
  const m = mean(values);
  const n = values.length;
  if (n < 2) return unknownInterval(m, n, level, method);
  if (method === 'bootstrap') {
    const means = bootstrapMeans([values], [1], options);
    return { mean: m, lo: quantileSorted(means, (1 - level) / 2), hi: quantileSorted(means, (1 + level) / 2), level, n, method };
  }
  const half = studentTQuantile((1 + level) / 2, n - 1) * Math.sqrt(variance(values) / n);
  return { mean: m, lo: m - half, hi: m + half, level, n, method };
}

/**
 * Rates are shrunk toward 1/2 by half a problem, x -> (x (N - 1) + 0.5) / N for a rate over N problems, so that 0
 * and 1 have a finite logit (over 100 problems, the default when N is unknown: 0 -> 0.005, 1 -> 0.995). The
 * shrinkage is linear, so it maps the mean of the values to the mean of the shrunk values and is undone exactly.
 */
export const RATE_ITEMS = 100;
const logit = (p: number) => Math.log(p / (1 - p));
const expit = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The mean of rates in [0, 1] with a Student t interval formed on the logit scale of the shrunk values and mapped
 * back, so it stays inside [0, 1] (a linear t interval over 3 seeds of 0, 0 and 0.1 reaches below 0). The mean
 * reported is the arithmetic mean; the interval is widened to contain it where the back-transformed interval
 * (centred on the mean logit) would not. `items`: the problems each rate was scored on (>= 2).
 */
export function rateCI(values: readonly number[], level = 0.95, items = RATE_ITEMS): Interval {
  checkLevel(level);
  checkFinite(values, 'rateCI');
  if (!(items >= 2)) throw new Error(`rateCI: a rate needs at least 2 problems, got ${items}`);
  for (const x of values) if (x < -1e-9 || x > 1 + 1e-9) throw new Error(`rateCI: a rate lies in [0, 1], got ${x}`);
  const shrink = (x: number) => (Math.min(1, Math.max(0, x)) * (items - 1) + 0.5) / items;
  const unshrink = (p: number) => Math.min(1, Math.max(0, (p * items - 0.5) / (items - 1)));
  return tIntervalOnScale(values, level, (x) => logit(shrink(x)), (z) => unshrink(expit(z)), 'logit-t');
}

/**
 * The mean of counts above 0 with a Student t interval formed on the log scale and mapped back (a geometric
 * interval), so it stays above 0. As in rateCI the mean reported is the arithmetic mean, and the interval is
 * widened to contain it where the back-transformed one (centred on the geometric mean) would not.
 */
export function positiveCI(values: readonly number[], level = 0.95): Interval {
  checkLevel(level);
  checkFinite(values, 'positiveCI');
  for (const x of values) if (!(x > 0)) throw new Error(`positiveCI: a count on the log scale must be above 0, got ${x}`);
  return tIntervalOnScale(values, level, Math.log, Math.exp, 'log-t');
}

/**
 * The arithmetic mean of values with a Student t interval formed on the scale `to` maps them onto and mapped back
 * with `from` (monotone increasing), widened to contain the mean where the back-transformed interval (centred on
 * the mean on that scale) would not.
 */
function tIntervalOnScale(values: readonly number[], level: number, to: (x: number) => number, from: (z: number) => number, method: CIMethod): Interval {
  const m = mean(values);
  const n = values.length;
  if (n < 2) return unknownInterval(m, n, level, method);
  const z = values.map(to);
  if (variance(z) === 0) return { mean: m, lo: m, hi: m, level, n, method };
  const zm = mean(z);
  const half = studentTQuantile((1 + level) / 2, n - 1) * Math.sqrt(variance(z) / n);
  return { mean: m, lo: Math.min(from(zm - half), m), hi: Math.max(from(zm + half), m), level, n, method };
}

/** A difference of two rates lies in [-1, 1]: its interval is cut there. */
function cutToRateDifference(ci: Interval): Interval {
  return { ...ci, lo: Math.max(-1, ci.lo), hi: Math.min(1, ci.hi) };
}

/**
 * Sorted bootstrap distribution of sum_i sign_i * mean(resample of arms_i): each arm resampled with
 * replacement on its own, from a generator seeded by options.seed.
 */
function bootstrapMeans(arms: readonly (readonly number[])[], signs: readonly number[], options: CIOptions): number[] {
  const { resamples = 4000, seed = 0 } = options;
  if (!(Number.isInteger(resamples) && resamples >= 100)) throw new Error(`bootstrap: resamples must be an integer >= 100, got ${resamples}`);
  const rng = new Rng(seed);
  const out = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    arms.forEach((xs, a) => {
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[rng.int(xs.length)];
      total += signs[a] * (s / xs.length);
    });
    out[r] = total;
  }
  return out.sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------------------------------
// Two arms

export interface DifferenceOptions extends CIOptions {
  /**
   * True when the arms' values are matched by index (the same seeds, in the same order): the interval is then
   * over the per-seed differences, which removes the seed-to-seed variation both arms share.
   */
  paired?: boolean;
}

/**
 * mean(b) - mean(a) with a confidence interval: Welch's t (unequal variances, Welch–Satterthwaite degrees of
 * freedom) for independent arms, a one-sample t on the differences when paired, or a bootstrap of either.
 */
export function differenceCI(a: readonly number[], b: readonly number[], options: DifferenceOptions = {}): Interval {
  const { level = 0.95, method = 't', paired = false } = options;
  checkLevel(level);
  checkFinite(a, 'differenceCI (arm a)');
  checkFinite(b, 'differenceCI (arm b)');
  if (options.scale === 'rate') return cutToRateDifference(differenceCI(a, b, { ...options, scale: 'linear' }));
  if (options.scale === 'positive') return differenceCI(a, b, { ...options, scale: 'linear' }); // either sign
  if (paired) {
    if (a.length !== b.length) throw new Error(`differenceCI: paired arms need the same number of values, got ${a.length} and ${b.length}`);
    return meanCI(b.map((x, i) => x - a[i]), options);
  }
  const diff = mean(b) - mean(a);
  const n = Math.min(a.length, b.length);
  if (n < 2) return unknownInterval(diff, n, level, method);
  if (method === 'bootstrap') {
    const diffs = bootstrapMeans([b, a], [1, -1], options);
    return { mean: diff, lo: quantileSorted(diffs, (1 - level) / 2), hi: quantileSorted(diffs, (1 + level) / 2), level, n, method };
  }
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { mean: diff, lo: diff, hi: diff, level, n, method };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile((1 + level) / 2, df) * se;
  return { mean: diff, lo: diff - half, hi: diff + half, level, n, method };
}

export type Verdict = 'held' | 'not_held' | 'inconclusive';

export interface VerdictOptions {
  /** The direction the claim predicts for the difference (b - a). */
  direction: 'increase' | 'decrease';
  /** The smallest difference the claim would call meaningful (>= 0, in the metric's units); default 0. */
  minEffect?: number;
}

/** Seeds (values, or pairs of values) a comparison needs before its interval may give a verdict. */
export const MIN_SEEDS_FOR_VERDICT = 3;

/** Why an interval cannot give a verdict whatever it says, or null when it can. */
export function noVerdictReason(diff: Interval): 'few seeds' | 'zero variance' | null {
  if (diff.n < MIN_SEEDS_FOR_VERDICT || !Number.isFinite(diff.lo) || !Number.isFinite(diff.hi)) return 'few seeds';
  if (hasZeroWidth(diff)) return 'zero variance';
  return null;
}

/**
 * An interval of width 0 (up to rounding): every seed gave the same value, or the same difference. A t interval
 * then has no width, which says nothing about how the next seed would fall: it is never certainty.
 */
export function hasZeroWidth(ci: Interval): boolean {
  return Number.isFinite(ci.lo) && Number.isFinite(ci.hi) && ci.hi - ci.lo <= 1e-12 * Math.max(1, Math.abs(ci.mean));
}

/**
 * The verdict on a claimed difference, read off its confidence interval. For a claimed increase of at least
 * minEffect (a decrease is the mirror image): not_held when the interval lies wholly below minEffect (with
 * minEffect = 0: the difference is confidently negative or zero; with minEffect > 0: any effect there is, is
 * confidently too small to matter); held when the interval lies wholly above 0 and at or above minEffect;
 * inconclusive otherwise: when it straddles 0 or minEffect, when it comes from fewer than
 * MIN_SEEDS_FOR_VERDICT seeds, or when it has width 0 (zero variance: no interval can be formed).
 */
export function verdictFromInterval(diff: Interval, options: VerdictOptions): Verdict {
  const { direction, minEffect = 0 } = options;
  if (!(minEffect >= 0)) throw new Error(`verdict: minEffect must be >= 0, got ${minEffect}`);
  if (noVerdictReason(diff) !== null) return 'inconclusive';
  const sign = direction === 'increase' ? 1 : -1;
  // Flip a claimed decrease so that "the claim holds" always means "the interval is on the positive side".
  const lo = Math.min(sign * diff.lo, sign * diff.hi);
  const hi = Math.max(sign * diff.lo, sign * diff.hi);
  if (hi < minEffect || (minEffect === 0 && hi <= 0)) return 'not_held';
  if (lo > 0 && lo >= minEffect) return 'held';
  return 'inconclusive';
}

// ---------------------------------------------------------------------------------------------------------------
// pass@k

/**
 * The unbiased pass@k estimator of Chen et al. 2021: from n samples of which c are correct, the probability that
 * at least one of k samples drawn without replacement is correct, 1 - C(n-c, k) / C(n, k). Computed as
 * 1 - prod_{i=n-c+1..n} (1 - k/i), which never forms the huge binomials.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k)) throw new Error(`passAtK: n, c, k must be integers, got ${n}, ${c}, ${k}`);
  if (!(n >= 1 && c >= 0 && c <= n)) throw new Error(`passAtK: need n >= 1 and 0 <= c <= n, got n=${n}, c=${c}`);
  if (!(k >= 1 && k <= n)) throw new Error(`passAtK: need 1 <= k <= n, got k=${k}, n=${n}`);
  if (n - c < k) return 1; // every draw of k samples contains a correct one
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

/** pass@k averaged over problems, each with its own n samples and c correct. */
export function meanPassAtK(problems: readonly { n: number; c: number }[], k: number): number {
  if (problems.length === 0) throw new Error('meanPassAtK: no problems');
  return mean(problems.map((p) => passAtK(p.n, p.c, k)));
}

// ---------------------------------------------------------------------------------------------------------------
// Examples to threshold

export interface CurvePoint {
  /** Examples (or tokens, or steps) seen. */
  x: number;
  /** Score at that point. */
  y: number;
}

export type ThresholdResult =
  | {
      reached: true;
      x: number;
      /** Set when the curve was already at the threshold at its first point x > 0: the crossing came at or before x. */
      upperBound?: true;
    }
  | { reached: false; /** Best score on the curve. */ bestY: number; /** Last x measured: "not reached by lastX". */ lastX: number };

/**
 * The first x at which a learning curve reaches the threshold (y >= threshold), interpolated linearly between
 * the last point below it and the first point at or above it. A curve that already starts at or above the
 * threshold reaches it at its first x, which is only an upper bound (upperBound: true) unless that x is 0; one that
 * never does gives reached: false, not an error.
 */
export function examplesToThreshold(curve: readonly CurvePoint[], threshold: number): ThresholdResult {
  if (curve.length === 0) throw new Error('examplesToThreshold: empty curve');
  const points = [...curve].sort((p, q) => p.x - q.x);
  for (const p of points) if (!Number.isFinite(p.x) || Number.isNaN(p.y)) throw new Error(`examplesToThreshold: bad point (${p.x}, ${p.y})`);
  if (points[0].y >= threshold) return points[0].x > 0 ? { reached: true, x: points[0].x, upperBound: true } : { reached: true, x: points[0].x };
  for (let i = 1; i < points.length; i++) {
    const { x: x1, y: y1 } = points[i];
    if (y1 >= threshold) {
      const { x: x0, y: y0 } = points[i - 1];
      return { reached: true, x: x0 + ((threshold - y0) / (y1 - y0)) * (x1 - x0) };
    }
  }
  return { reached: false, bestY: Math.max(...points.map((p) => p.y)), lastX: points[points.length - 1].x };
}
