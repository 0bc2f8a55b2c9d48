/** HR, MRR and NDCG as the evaluation accumulates them. */
import { describe, expect, it } from 'vitest';
import { addCase, createMetrics, summarize } from '../../../edge-worker/src/model/metrics';

describe('next-item metrics', () => {
  it('scores hits by rank', () => {
    const acc = createMetrics();
    const ranked = Array.from({ length: 20 }, (_, i) => i + 1);
    addCase(acc, ranked, 1); // rank 1
    addCase(acc, ranked, 4); // rank 4
    addCase(acc, ranked, 15); // rank 15: counts for @20 only
    addCase(acc, ranked, 99); // miss
    const m = summarize(acc);
    expect(m['HR@20']).toBeCloseTo(75);
    expect(m['HR@10']).toBeCloseTo(50);
    expect(m['MRR@20']).toBeCloseTo((100 * (1 + 1 / 4 + 1 / 15)) / 4);
    expect(m['NDCG@10']).toBeCloseTo((100 * (1 + 1 / Math.log2(5))) / 4);
  });

  it('ignores anything ranked below 20', () => {
    const acc = createMetrics();
    addCase(acc, Array.from({ length: 30 }, (_, i) => i), 25);
    expect(summarize(acc)['HR@20']).toBe(0);
  });

  it('is all zeros with no cases', () => {
    expect(summarize(createMetrics())).toEqual({ 'HR@20': 0, 'MRR@20': 0, 'HR@10': 0, 'NDCG@10': 0 });
  });
});
