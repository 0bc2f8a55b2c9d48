/** Session-kNN: neighbours and their votes. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_OPTIONS, buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { rowTableFromArrays, rowValues } from '../../../edge-worker/src/model/rows';
import { createKnnScratch } from '../../../edge-worker/src/model/scratch';
import { findNeighbours, sessionKnn, sessionsHolding } from '../../../edge-worker/src/model/sknn';
import { buildPostings } from '../../../edge-worker/src/model/postings';
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

  it("looks up an item's sessions as its postings row lists them", () => {
    // Empty sessions (at the start, between, at the end) and an item twice in one session, in 16 and 32 bits.
    const arrays = [[], [3, 1], [1, 1, 2], [], [], [2, 3, 1], [0], [1], []];
    for (const sessions of [rowTableFromArrays(arrays), { ...rowTableFromArrays(arrays), values: Uint32Array.from(rowTableFromArrays(arrays).values) }]) {
      for (const cap of [1, 2, 3, 10]) {
        const postings = buildPostings(sessions, 5, cap);
        for (let item = 0; item < 5; item++) expect(Array.from(sessionsHolding(sessions, item, cap)), `item ${item}, cap ${cap}`).toEqual(Array.from(rowValues(postings, item)));
      }
    }
    expect(Array.from(sessionsHolding(rowTableFromArrays([[1], [1], [1]]), 1, 2))).toEqual([2, 1]);
    expect(Array.from(sessionsHolding(rowTableFromArrays([]), 1, 5))).toEqual([]);
  });

  it('finds the same neighbours in the sessions while the postings are not built', () => {
    // Postings capped at 4 sessions an item, below the sample: the scan must stop counting an item where its list ends.
    for (const maxPostings of [4, 1000]) {
      const built = buildModelIndex(rowTableFromArrays(syntheticSessions(3000, 200)), { ...DEFAULT_INDEX_OPTIONS, maxPostings });
      // As a model loaded with deferred postings looks: reading them builds them.
      const deferredIndex = (): ModelIndex & { read: boolean } => ({
        ...built,
        read: false,
        get postings() {
          this.read = true;
          return built.postings;
        },
        postingsBuilt() {
          return this.read;
        },
        postingsCap: maxPostings,
      });
      const a = createKnnScratch(built);
      const b = createKnnScratch(built);
      // Up to 8 distinct items are looked up one by one, up to 31 fit the scan's mask; a longer query (40 here, with no limit on query items) reads the postings.
      const span = (n: number, step: number) => Array.from({ length: n }, (_, i) => i * step);
      const queries = [[5], [5, 6, 7], [40, 41, 40, 90, 91], [199, 0, 199], [7, 250, -1, 8], [], span(8, 7), span(9, 7), span(31, 6), span(40, 5)];
      for (const query of queries) {
        for (const [sampleSize, maxQueryItems] of [[1, 20], [3, 20], [25, 20], [500, 20], [25, 100], [500, 100]] as const) {
          const options = { k: 10, sampleSize, maxQueryItems, neighbourDecay: 0 };
          const deferred = deferredIndex();
          const merged = findNeighbours(built, a, query, options, 0);
          const scanned = findNeighbours(deferred, b, query, options, 0);
          const label = `cap ${maxPostings}, sample ${sampleSize}, [${query.join(', ')}]`;
          expect(deferred.read, label).toBe(Math.min(new Set(query.filter((item) => item >= 0 && item < built.numItems)).size, maxQueryItems) > 31);
          expect(Array.from(scanned.sessions), label).toEqual(Array.from(merged.sessions));
          expect(Array.from(scanned.sessions, (s) => b.sim[s]), label).toEqual(Array.from(merged.sessions, (s) => a.sim[s]));
          expect(sessionKnn(deferredIndex(), b, query, options), label).toEqual(sessionKnn(built, a, query, options));
        }
      }
    }
  });
});
