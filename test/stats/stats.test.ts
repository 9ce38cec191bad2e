import { describe, expect, it } from 'vitest';
import {
  differenceCI,
  examplesToThreshold,
  mean,
  meanCI,
  meanPassAtK,
  positiveCI,
  rateCI,
  passAtK,
  std,
  studentTCdf,
  studentTQuantile,
  verdictFromInterval,
  type Interval,
} from '../../src/stats/stats.js';
import { Rng } from '../../src/util/rng.js';

describe('Student t', () => {
  // Reference values from scipy.stats.t.
  it.each([
    [0.975, 1, 12.706204736174698],
    [0.975, 2, 4.302652729749464],
    [0.975, 4, 2.7764451051977934],
    [0.975, 9, 2.2621571628540993],
    [0.975, 30, 2.0422724563012373],
    [0.95, 5, 2.0150483733330233],
    [0.995, 2, 9.924843200918287],
    [0.975, 50 / 17, 3.218758614532882],
  ])('quantile(%f, df=%f) = %f', (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 9);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-expected, 9);
  });

  it('cdf matches a known value and is symmetric', () => {
    expect(studentTCdf(-1.5, 3.5)).toBeCloseTo(0.10890909350767251, 12);
    expect(studentTCdf(1.5, 3.5)).toBeCloseTo(1 - 0.10890909350767251, 12);
    expect(studentTCdf(0, 7)).toBe(0.5);
  });
});

describe('meanCI', () => {
  it('t interval over three seeds uses t(0.975, 2), not 1.96', () => {
    const ci = meanCI([1, 2, 3]);
    const half = 4.302652729749464 / Math.sqrt(3); // sd = 1
    expect(ci.mean).toBe(2);
    expect(ci.lo).toBeCloseTo(2 - half, 10);
    expect(ci.hi).toBeCloseTo(2 + half, 10);
    expect(ci).toMatchObject({ n: 3, level: 0.95, method: 't' });
  });

  it('a 90% interval is narrower than a 95% one', () => {
    const xs = [0.2, 0.5, 0.4, 0.9];
    const a = meanCI(xs, { level: 0.9 });
    const b = meanCI(xs, { level: 0.95 });
    expect(b.hi - b.lo).toBeGreaterThan(a.hi - a.lo);
  });

  it('one seed gives an unknown interval rather than a fake one', () => {
    expect(meanCI([0.7])).toMatchObject({ mean: 0.7, lo: -Infinity, hi: Infinity, n: 1 });
  });

  it('refuses non-finite values and empty input', () => {
    expect(() => meanCI([1, NaN])).toThrow(/finite/);
    expect(() => meanCI([])).toThrow(/no values/);
  });

  it('bootstrap is reproducible from its seed and close to the normal interval for many values', () => {
    const rng = new Rng(7);
    const xs = Array.from({ length: 400 }, () => 3 + 2 * rng.normal());
    const a = meanCI(xs, { method: 'bootstrap', seed: 1 });
    const b = meanCI(xs, { method: 'bootstrap', seed: 1 });
    const c = meanCI(xs, { method: 'bootstrap', seed: 2 });
    expect(a).toEqual(b);
    expect(a.lo).not.toBe(c.lo);
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    const normalHalf = (1.96 * std(xs)) / Math.sqrt(xs.length);
    expect((a.hi - a.lo) / 2).toBeGreaterThan(0.9 * normalHalf);
    expect((a.hi - a.lo) / 2).toBeLessThan(1.1 * normalHalf);
  });

  it('t interval covers the true mean about 95% of the time with 3 seeds', () => {
    const rng = new Rng(11);
    let covered = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const ci = meanCI([rng.normal(), rng.normal(), rng.normal()]);
      if (ci.lo <= 0 && 0 <= ci.hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });
});

describe('differenceCI', () => {
  it("Welch's interval uses Welch–Satterthwaite degrees of freedom", () => {
    const d = differenceCI([1, 2, 3], [4, 6, 8]);
    // var/n: 1/3 and 4/3; df = (5/3)^2 / ((1/3)^2/2 + (4/3)^2/2) = 50/17.
    const half = 3.218758614532882 * Math.sqrt(5 / 3);
    expect(d.mean).toBe(4);
    expect(d.lo).toBeCloseTo(4 - half, 9);
    expect(d.hi).toBeCloseTo(4 + half, 9);
  });

  it('paired differences remove the shared seed effect', () => {
    const a = [0.1, 0.5, 0.9];
    const b = [0.2, 0.61, 0.99];
    const paired = differenceCI(a, b, { paired: true });
    const unpaired = differenceCI(a, b);
    expect(paired.lo).toBeGreaterThan(0);
    expect(unpaired.lo).toBeLessThan(0);
    expect(paired.mean).toBeCloseTo(0.1, 12);
    expect(() => differenceCI([1, 2], [1, 2, 3], { paired: true })).toThrow(/same number/);
  });

  it('bootstrap difference is reproducible and brackets the observed difference', () => {
    const a = [0.31, 0.35, 0.29, 0.4, 0.33];
    const b = [0.52, 0.49, 0.6, 0.55, 0.5];
    const d1 = differenceCI(a, b, { method: 'bootstrap', seed: 3 });
    expect(differenceCI(a, b, { method: 'bootstrap', seed: 3 })).toEqual(d1);
    expect(d1.mean).toBeCloseTo(mean(b) - mean(a), 12);
    expect(d1.lo).toBeGreaterThan(0);
    expect(d1.lo).toBeLessThan(d1.mean);
    expect(d1.hi).toBeGreaterThan(d1.mean);
  });
});

describe('verdictFromInterval', () => {
  const iv = (lo: number, hi: number): Interval => ({ mean: (lo + hi) / 2, lo, hi, level: 0.95, n: 3, method: 't' });

  it('claimed increase: held above 0, not_held below 0, inconclusive across 0', () => {
    expect(verdictFromInterval(iv(0.01, 0.3), { direction: 'increase' })).toBe('held');
    expect(verdictFromInterval(iv(-0.3, -0.01), { direction: 'increase' })).toBe('not_held');
    expect(verdictFromInterval(iv(-0.1, 0.2), { direction: 'increase' })).toBe('inconclusive');
  });

  it('a meaningful-effect size turns a confidently tiny effect into not_held', () => {
    expect(verdictFromInterval(iv(-0.01, 0.02), { direction: 'increase', minEffect: 0.05 })).toBe('not_held');
    expect(verdictFromInterval(iv(0.001, 0.02), { direction: 'increase', minEffect: 0.05 })).toBe('not_held');
    expect(verdictFromInterval(iv(-0.01, 0.2), { direction: 'increase', minEffect: 0.05 })).toBe('inconclusive');
    expect(verdictFromInterval(iv(0.06, 0.2), { direction: 'increase', minEffect: 0.05 })).toBe('held');
  });

  it('claimed decrease is the mirror image', () => {
    expect(verdictFromInterval(iv(-0.3, -0.01), { direction: 'decrease' })).toBe('held');
    expect(verdictFromInterval(iv(0.01, 0.3), { direction: 'decrease' })).toBe('not_held');
    expect(verdictFromInterval(iv(-0.3, 0.01), { direction: 'decrease', minEffect: 0.05 })).toBe('inconclusive');
  });

  it('an unknown interval (one seed) is inconclusive', () => {
    expect(verdictFromInterval(meanCI([0.9]), { direction: 'increase' })).toBe('inconclusive');
  });

  it('needs three seeds: two give no verdict, however clear', () => {
    const two = differenceCI([0.1, 0.12], [0.9, 0.95], { paired: true });
    expect(two.lo).toBeGreaterThan(0);
    expect(verdictFromInterval(two, { direction: 'increase' })).toBe('inconclusive');
    expect(verdictFromInterval({ ...iv(0.01, 0.3), n: 2 }, { direction: 'decrease' })).toBe('inconclusive');
    expect(verdictFromInterval(differenceCI([0.1, 0.12, 0.11], [0.9, 0.95, 0.93], { paired: true }), { direction: 'increase' })).toBe('held');
  });

  it('an interval of width 0 (every seed the same difference) is not certainty', () => {
    // Two or three seeds that each gain one problem in 128 give a t interval [0.0078, 0.0078].
    const same = differenceCI([0.5, 0.25, 0.75], [0.5 + 1 / 128, 0.25 + 1 / 128, 0.75 + 1 / 128], { paired: true });
    expect(same.hi - same.lo).toBe(0);
    expect(verdictFromInterval(same, { direction: 'increase' })).toBe('inconclusive');
    expect(verdictFromInterval(same, { direction: 'decrease' })).toBe('inconclusive');
    const welch = differenceCI([0.5, 0.5, 0.5], [0.6, 0.6, 0.6]);
    expect(welch.hi - welch.lo).toBe(0);
    expect(verdictFromInterval(welch, { direction: 'increase' })).toBe('inconclusive');
  });

  it('the smallest effect that counts applies to the whole interval: held only when it lies above it', () => {
    expect(verdictFromInterval(iv(0.01, 0.3), { direction: 'increase', minEffect: 0.05 })).toBe('inconclusive');
    expect(verdictFromInterval(iv(0.05, 0.3), { direction: 'increase', minEffect: 0.05 })).toBe('held');
    expect(verdictFromInterval(iv(-0.3, -0.01), { direction: 'decrease', minEffect: 0.05 })).toBe('inconclusive');
  });
});

describe('passAtK', () => {
  /** 1 - C(n-c, k)/C(n, k), exactly, with big integers: the definition the stable product must agree with. */
  function exact(n: number, c: number, k: number): number {
    const choose = (a: number, b: number): bigint => {
      if (b > a) return 0n;
      let r = 1n;
      for (let i = 0; i < b; i++) r = (r * BigInt(a - i)) / BigInt(i + 1);
      return r;
    };
    const scale = 10n ** 30n;
    return 1 - Number((choose(n - c, k) * scale) / choose(n, k)) / 1e30;
  }

  it('matches hand-computed values', () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 14);
    expect(passAtK(10, 3, 2)).toBeCloseTo(1 - 21 / 45, 14);
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 14);
    expect(passAtK(200, 1, 100)).toBeCloseTo(0.5, 14);
    expect(passAtK(5, 0, 3)).toBe(0);
    expect(passAtK(5, 5, 1)).toBe(1);
    expect(passAtK(4, 2, 3)).toBe(1); // any 3 of 4 include one of the 2 correct
  });

  it('agrees with the exact binomial formula where the binomials overflow doubles', () => {
    for (const [n, c, k] of [
      [1000, 10, 500],
      [2000, 3, 64],
      [1500, 700, 20],
    ]) {
      expect(passAtK(n, c, k)).toBeCloseTo(exact(n, c, k), 12);
    }
  });

  it('pass@1 is the fraction correct, and pass@k never decreases in k', () => {
    expect(passAtK(16, 5, 1)).toBeCloseTo(5 / 16, 14);
    let prev = 0;
    for (let k = 1; k <= 16; k++) {
      const v = passAtK(16, 5, k);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });

  it('averages over problems and refuses bad arguments', () => {
    expect(meanPassAtK([{ n: 10, c: 3 }, { n: 10, c: 0 }], 1)).toBeCloseTo(0.15, 14);
    expect(() => passAtK(10, 11, 1)).toThrow(/c <= n/);
    expect(() => passAtK(10, 3, 11)).toThrow(/k <= n/);
    expect(() => passAtK(10, 3, 0)).toThrow(/1 <= k/);
  });
});

describe('examplesToThreshold', () => {
  it('interpolates linearly between the points around the crossing', () => {
    const curve = [
      { x: 0, y: 0 },
      { x: 100, y: 0.5 },
      { x: 200, y: 0.95 },
      { x: 300, y: 0.99 },
    ];
    const r = examplesToThreshold(curve, 0.9);
    expect(r.reached).toBe(true);
    if (r.reached) expect(r.x).toBeCloseTo(100 + (0.4 / 0.45) * 100, 10);
  });

  it('takes the first crossing, even if the curve later dips, and sorts its input', () => {
    const r = examplesToThreshold(
      [
        { x: 30, y: 0.5 },
        { x: 10, y: 0.2 },
        { x: 20, y: 0.9 },
      ],
      0.9,
    );
    expect(r).toEqual({ reached: true, x: 20 });
  });

  it('a curve that starts above the threshold reaches it at its first point, an upper bound unless that point is 0', () => {
    // The crossing happened somewhere before the first evaluation: x = 5 is at most the count, not the count.
    expect(examplesToThreshold([{ x: 5, y: 0.95 }, { x: 10, y: 1 }], 0.9)).toEqual({ reached: true, x: 5, upperBound: true });
    expect(examplesToThreshold([{ x: 0, y: 0.95 }, { x: 10, y: 1 }], 0.9)).toEqual({ reached: true, x: 0 });
  });

  it('"not reached" is a value with the best score and where the curve ended', () => {
    expect(examplesToThreshold([{ x: 0, y: 0.1 }, { x: 50, y: 0.6 }, { x: 100, y: 0.4 }], 0.9)).toEqual({
      reached: false,
      bestY: 0.6,
      lastX: 100,
    });
    expect(() => examplesToThreshold([], 0.9)).toThrow(/empty/);
  });
});

describe('positiveCI (intervals of counts on the log scale)', () => {
  it('36k, 192k and 33k examples: a linear t interval reaches below 0, the log one stays above 0 and holds the mean', () => {
    const values = [36_000, 192_000, 33_000];
    expect(meanCI(values).lo).toBeLessThan(0);
    const ci = positiveCI(values);
    expect(ci.method).toBe('log-t');
    expect(ci.mean).toBe(87_000);
    const z = values.map(Math.log);
    const half = studentTQuantile(0.975, 2) * (std(z) / Math.sqrt(3));
    expect(ci.lo).toBeCloseTo(Math.exp(mean(z) - half), 6);
    expect(ci.hi).toBeCloseTo(Math.exp(mean(z) + half), 6);
    expect(ci.lo).toBeGreaterThan(0);
    expect(ci.lo).toBeLessThan(ci.mean);
    expect(ci.hi).toBeGreaterThan(ci.mean);
    expect(meanCI(values, { scale: 'positive' })).toEqual(ci);
  });

  it('equal counts give a zero-width interval; a count of 0 keeps the linear interval; below 0 is an error', () => {
    expect(positiveCI([40, 40, 40])).toMatchObject({ mean: 40, lo: 40, hi: 40, method: 'log-t' });
    expect(meanCI([0, 10, 20], { scale: 'positive' })).toEqual(meanCI([0, 10, 20]));
    expect(() => positiveCI([0, 10, 20])).toThrow(/above 0, got 0/);
    expect(positiveCI([5]).lo).toBe(-Infinity); // one seed: no interval
  });

  it('a difference of counts is linear (either sign), the same as without the scale', () => {
    const a = [36_000, 192_000, 33_000];
    const b = [46_000, 35_000, 44_000];
    expect(differenceCI(a, b, { scale: 'positive', paired: true })).toEqual(differenceCI(a, b, { paired: true }));
  });
});

describe('rateCI (intervals of rates on the logit scale)', () => {
  it('0, 0 and 0.1 over three seeds: a linear t interval reaches below 0, the logit one stays in [0, 1]', () => {
    const values = [0, 0, 0.1];
    const linear = meanCI(values);
    expect(linear.lo).toBeCloseTo(-0.110, 3);
    const rate = rateCI(values);
    expect(rate.method).toBe('logit-t');
    expect(rate.mean).toBeCloseTo(1 / 30, 12);
    // By hand: shrink x -> (99x + 0.5) / 100, logit, t(0.975, 2) * sd / sqrt(3), expit, unshrink.
    const z = values.map((x) => Math.log((99 * x + 0.5) / (100 - 99 * x - 0.5)));
    const zm = mean(z);
    const half = studentTQuantile(0.975, 2) * (std(z) / Math.sqrt(3));
    const back = (v: number) => (100 / (1 + Math.exp(-v)) - 0.5) / 99;
    expect(rate.lo).toBe(0); // back(zm - half) is below 0 before the cut
    expect(back(zm - half)).toBeLessThan(0.001);
    expect(rate.hi).toBeCloseTo(back(zm + half), 12);
    expect(rate.hi).toBeCloseTo(0.564, 3);
    expect(meanCI(values, { scale: 'rate' })).toEqual(rate);
  });

  it('shrinks by half a problem of the problems each rate was scored on: over 32, 0 counts as 0.5 / 32', () => {
    const values = [0, 0.25, 0.125];
    const ci = rateCI(values, 0.95, 32);
    const z = values.map((x) => { const p = (x * 31 + 0.5) / 32; return Math.log(p / (1 - p)); });
    const half = studentTQuantile(0.975, 2) * (std(z) / Math.sqrt(3));
    const back = (v: number) => (32 / (1 + Math.exp(-v)) - 0.5) / 31;
    expect(ci.hi).toBeCloseTo(back(mean(z) + half), 12);
    expect(ci.lo).toBeCloseTo(Math.max(0, back(mean(z) - half)), 12);
    // Fewer problems shrink harder: 0 sits closer to 1/2 on the logit scale, and the interval is narrower.
    expect(ci.hi).toBeLessThan(rateCI(values).hi);
    expect(meanCI(values, { scale: 'rate', items: 32 })).toEqual(ci);
    expect(() => rateCI(values, 0.95, 1)).toThrow(/at least 2 problems/);
  });

  it('stays inside [0, 1] near both edges and always contains the mean', () => {
    for (const values of [[0.98, 1, 0.9], [1, 1, 0.5], [0, 0.02, 0.4, 0], [0.5, 0.52, 0.49]]) {
      const ci = rateCI(values);
      expect(ci.lo).toBeGreaterThanOrEqual(0);
      expect(ci.hi).toBeLessThanOrEqual(1);
      expect(ci.lo).toBeLessThanOrEqual(ci.mean);
      expect(ci.hi).toBeGreaterThanOrEqual(ci.mean);
    }
    expect(meanCI([0.98, 1, 0.9]).hi).toBeGreaterThan(1); // what the linear interval did
  });

  it('in the middle of [0, 1] it is close to the linear interval; equal values give width 0 at their value', () => {
    const values = [0.45, 0.5, 0.55, 0.5, 0.52];
    const rate = rateCI(values);
    const linear = meanCI(values);
    expect(Math.abs(rate.lo - linear.lo)).toBeLessThan(0.005);
    expect(Math.abs(rate.hi - linear.hi)).toBeLessThan(0.005);
    const same = rateCI([0, 0, 0]);
    expect([same.lo, same.hi]).toEqual([0, 0]);
    expect(rateCI([0.3]).lo).toBe(-Infinity);
    expect(() => rateCI([0.5, 1.5])).toThrow(/a rate lies in \[0, 1\]/);
  });

  it('covers the true rate about 95% of the time for 3 seeds of 64 items each at p = 0.9', () => {
    const rng = new Rng(7);
    let covered = 0;
    const reps = 2000;
    for (let r = 0; r < reps; r++) {
      const values = [0, 1, 2].map(() => {
        let c = 0;
        for (let i = 0; i < 64; i++) if (rng.uniform() < 0.9) c++;
        return c / 64;
      });
      const ci = rateCI(values);
      if (ci.lo <= 0.9 && 0.9 <= ci.hi) covered++;
    }
    expect(covered / reps).toBeGreaterThan(0.92);
  });

  it('a difference of rates is cut to [-1, 1], paired or not', () => {
    const a = [0, 0.9, 0];
    const b = [1, 0.1, 1];
    expect(differenceCI(a, b, { paired: true }).lo).toBeLessThan(-1);
    const cut = differenceCI(a, b, { paired: true, scale: 'rate' });
    expect(cut.lo).toBe(-1);
    expect(cut.hi).toBe(1);
    expect(cut.mean).toBeCloseTo(0.4, 12);
    const welch = differenceCI([0, 0.95, 0.05], [1, 0.05, 0.95], { scale: 'rate' });
    expect(welch.lo).toBeGreaterThanOrEqual(-1);
    expect(welch.hi).toBeLessThanOrEqual(1);
  });
});
