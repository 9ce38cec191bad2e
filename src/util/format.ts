/**
 * Numbers and intervals as a reader sees them, written once for report.html, the report's findings and the
 * dashboard, so a mean reads the same on the page and in the report. Pure: runs in Node and the browser.
 */

/** A number for a table: integers as they are, large values rounded, tiny ones in 3 significant digits, "—" when unknown. */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x)) return String(x);
  // About three significant digits past the point at most: 946.299 reads 946.3 beside 2305 and 5557.
  if (Math.abs(x) >= 1000) return String(Math.round(x));
  if (Math.abs(x) >= 100) return x.toFixed(1);
  if (Math.abs(x) < 1e-3) return x.toPrecision(digits);
  return x.toFixed(digits);
}

/**
 * An interval as `[lo, hi]`, the one wording everywhere (findings, report tables, dashboard). Unknown bounds
 * (null in JSON, infinite in memory) mean fewer than two seeds: no interval, and it says so.
 */
export function formatInterval(ci: { lo: number | null; hi: number | null; n?: number }, digits = 3): string {
  const known = (v: number | null): v is number => v !== null && Number.isFinite(v);
  if (known(ci.lo) && known(ci.hi)) return `[${formatNumber(ci.lo, digits)}, ${formatNumber(ci.hi, digits)}]`;
  return `[no interval: ${ci.n === undefined ? '< 2 seeds' : `${ci.n} seed${ci.n === 1 ? '' : 's'}`}]`;
}
