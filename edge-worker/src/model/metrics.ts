/**
 * Next-item evaluation metrics (HR, MRR, NDCG at 10 and 20), accumulated case by case as the
 * session-based recommendation literature reports them.
 */

/** Next-item metrics in percent, as reported by the session-based recommendation literature. */
export interface MetricSummary {
  'HR@20': number;
  'MRR@20': number;
  'HR@10': number;
  'NDCG@10': number;
}

/** Running sums over evaluated cases. */
export interface MetricAccumulator {
  cases: number;
  hit20: number;
  rr20: number;
  hit10: number;
  ndcg10: number;
}

/** A fresh accumulator. */
export function createMetrics(): MetricAccumulator {
  return { cases: 0, hit20: 0, rr20: 0, hit10: 0, ndcg10: 0 };
}

/** Adds one case: `ranked` is the model's list, best first (only its first 20 entries matter). */
export function addCase(acc: MetricAccumulator, ranked: ArrayLike<number>, target: number): void {
  acc.cases++;
  const depth = Math.min(20, ranked.length);
  for (let r = 0; r < depth; r++) {
    if (ranked[r] !== target) continue;
    acc.hit20++;
    acc.rr20 += 1 / (r + 1);
    if (r < 10) {
      acc.hit10++;
      acc.ndcg10 += 1 / Math.log2(r + 2);
    }
    return;
  }
}

/** Mean metrics in percent (zeros when no case was added). */
export function summarize(acc: MetricAccumulator): MetricSummary {
  const pct = (sum: number): number => (acc.cases === 0 ? 0 : (100 * sum) / acc.cases);
  return { 'HR@20': pct(acc.hit20), 'MRR@20': pct(acc.rr20), 'HR@10': pct(acc.hit10), 'NDCG@10': pct(acc.ndcg10) };
}
