/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the first points are not pulled toward
 * zero. weight 0 = the raw values; 0.99 = very smooth. Pure.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return [...values];
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n += 1;
    return last / (1 - Math.pow(w, n));
  });
}
