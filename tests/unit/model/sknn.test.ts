/** Session-kNN: neighbours and their votes. */
import { describe, expect, it } from 'vitest';
import { buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { rowTableFromArrays, rowValues } from '../../../edge-worker/src/model/rows';
import { createKnnScratch } from '../../../edge-worker/src/model/scratch';
import { sessionKnn } from '../../../edge-worker/src/model/sknn';
import type { ModelIndex } from '../../../edge-worker/src/model/types';
import { syntheticSessions } from './fixtures';

/** The textbook V-SKNN: similarity over every posting, then the newest `sampleSize`, then the top k. */
function bruteForce(index: ModelIndex, query: number[], k: number, sampleSize: number): Map<number, number> {
  const sim = new Map<number, number>();
  // Most recent first, as session-kNN sums them, so float32 rounding agrees.
  const weight = new Map<number, number>();
  for (let p = query.length - 1; p >= 0; p--) if (!weight.has(query[p]!)) weight.set(query[p]!, Math.fround((p + 1) / query.length));
  for (const [item, w] of weight) {
    for (const s of rowValues(index.postings, item)) sim.set(s, Math.fround((sim.get(s) ?? 0) + w));
  }
  const sample = [...sim.keys()].sort((a, b) => b - a).slice(0, sampleSize);
  const neighbours = sample.sort((a, b) => sim.get(b)! - sim.get(a)! || b - a).slice(0, k);
  const scores = new Map<number, number>();
  for (const s of neighbours) {
    const items = new Set(rowValues(index.sessions, s));
    for (const item of items) scores.set(item, Math.fround((scores.get(item) ?? 0) + sim.get(s)!));
  }
  return scores;
}

describe('session-kNN', () => {
  const index = buildModelIndex(rowTableFromArrays(syntheticSessions(3000, 200)));
  const scratch = createKnnScratch(index);

  it('matches a brute-force V-SKNN over the sampled sessions', () => {
    for (const query of [[5], [5, 6, 7], [40, 41, 40, 90, 91]]) {
      const got = sessionKnn(index, scratch, query, { k: 10, sampleSize: 25, maxQueryItems: 20, neighbourDecay: 0 });
      const want = bruteForce(index, query, 10, 25);
      expect(new Map(Array.from(got.items, (item, i) => [item, got.scores[i]!]))).toEqual(want);
      for (let i = 1; i < got.scores.length; i++) expect(got.scores[i - 1]!).toBeGreaterThanOrEqual(got.scores[i]!);
    }
  });
});
