/**
 * Decide latency histograms: log-spaced buckets, 10 % apart, and their
 * percentiles. Pure; `timings.ts` keeps each isolate's histogram and flushes it.
 */

/** Bucket b holds timings up to 0.05 × 1.1^b ms. */
const BASE_MS = 0.05;
const GROWTH = 1.1;

/** The bucket of a timing in ms. */
export function bucketOf(ms: number): number {
  return ms <= BASE_MS ? 0 : Math.ceil(Math.log(ms / BASE_MS) / Math.log(GROWTH));
}

/** The upper bound of a bucket, in ms. */
export function bucketBound(bucket: number): number {
  return BASE_MS * GROWTH ** bucket;
}

/** The `p` quantile (0–1) of a histogram (bucket → count), as its bucket's upper bound. */
export function quantile(histogram: ReadonlyMap<number, number>, p: number): number {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen >= p * total) return bucketBound(bucket);
  }
  return 0;
}

/** An hour's key: its ISO start, to the hour. */
export function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}
