/** The re-ranker's links from each candidate back to the session's last item, counted on the query's side. */
import { describe, expect, it } from 'vitest';
import { decodeArtifact, encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { type CandidateOptions, DEFAULT_CANDIDATE_OPTIONS, generateCandidates } from '../../../edge-worker/src/model/candidates';
import { FEATURES } from '../../../edge-worker/src/model/features';
import { DEFAULT_INDEX_OPTIONS, buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { positionInRow, rowTableFromArrays, scoreAt } from '../../../edge-worker/src/model/rows';
import { createKnnScratch } from '../../../edge-worker/src/model/scratch';
import type { ModelIndex, NeighbourTable } from '../../../edge-worker/src/model/types';
import { syntheticArtifact } from './fixtures';

/** Sessions in time order; item 3 is the query's last item below. */
const SESSIONS = [
  [1, 2, 3],
  [2, 3, 1, 3],
  [4, 1, 3],
  [3, 2],
  [5, 6],
  [1, 4, 2],
];

/** The score of `to` in `from`'s row of a table (0 when absent). */
function rowScore(table: NeighbourTable, from: number, to: number): number {
  const q = positionInRow(table, from, to);
  return q < 0 ? 0 : scoreAt(table, q);
}

/** Each candidate's two links, by item. */
function linksOf(index: ModelIndex, query: number[], options: CandidateOptions = DEFAULT_CANDIDATE_OPTIONS): Map<number, [number, number]> {
  const set = generateCandidates(index, createKnnScratch(index), query, options);
  return new Map(Array.from(set.items, (item, c) => [item, [set.rulesToLast[c]!, set.covisitWithLast[c]!]]));
}

describe('links back to the last item', () => {
  it('are counted in the sessions holding the last item, as the rule and co-visit tables count them', () => {
    const index = buildModelIndex(rowTableFromArrays(SESSIONS));
    const links = linksOf(index, [4, 3]);
    // 1 → 3: 1/2 in the first session, 1 in the second (its first 3 comes before the 1) and the third: 2.5.
    // 1 and 3 share three sessions; 1 is in four, 3 in four: 3 / √16.
    expect(links.get(1)![0]).toBeCloseTo(2.5, 6);
    expect(links.get(1)![1]).toBeCloseTo(3 / 4, 6);
    // 2 → 3 at distance 1 twice and 3 once; 2 and 3 share three sessions, 2 is in four.
    expect(links.get(2)![0]).toBeCloseTo(2 + 1 / 3, 6);
    expect(links.get(2)![1]).toBeCloseTo(3 / 4, 6);
    // The last item itself links to nothing.
    expect(links.get(3)).toEqual([0, 0]);
    // Rows this short hold every pair, and few distinct scores are stored exactly: the tables agree.
    for (const [item, [rule, together]] of links) {
      if (item === 3) continue;
      expect(rule, `rule ${item} → 3`).toBeCloseTo(rowScore(index.rules, item, 3), 6);
      expect(together, `co-visit ${item}, 3`).toBeCloseTo(rowScore(index.covisit, item, 3), 6);
    }
  });

  it('count only the newest sessions an item keeps, as session-kNN samples them', () => {
    const index = buildModelIndex(rowTableFromArrays(SESSIONS), { ...DEFAULT_INDEX_OPTIONS, maxPostings: 2 });
    // 3's two newest sessions are [3, 2] and [4, 1, 3]: only the second has 1 before 3.
    expect(linksOf(index, [4, 3]).get(1)![0]).toBeCloseTo(1, 6);
  });

  it('are the same before a loaded model builds its postings and after', () => {
    const bytes = encodeArtifact(syntheticArtifact(120, 1500));
    const built = decodeArtifact(bytes).index;
    const deferred = decodeArtifact(bytes, { deferPostings: true }).index;
    for (const query of [[7], [7, 8, 9], [30, 31, 30, 60]]) {
      const a = generateCandidates(built, createKnnScratch(built), query, DEFAULT_CANDIDATE_OPTIONS);
      const b = generateCandidates(deferred, createKnnScratch(deferred), query, DEFAULT_CANDIDATE_OPTIONS);
      expect(b.rulesToLast).toEqual(a.rulesToLast);
      expect(b.covisitWithLast).toEqual(a.covisitWithLast);
      expect(a.rulesToLast.some((v) => v > 0)).toBe(true);
    }
    expect(deferred.postingsBuilt?.()).toBe(false);
  });

  it('are read from the candidates’ own rows for a model trained before them, which is served as it was trained', () => {
    const { linksToLast, ...before } = DEFAULT_CANDIDATE_OPTIONS;
    expect(linksToLast).toBeDefined();
    const artifact = { ...syntheticArtifact(120, 1500), candidateOptions: before };
    const decoded = decodeArtifact(encodeArtifact(artifact));
    expect(decoded.candidateOptions.linksToLast).toBeUndefined();
    const { index } = decoded;
    const links = linksOf(index, [7, 8], decoded.candidateOptions);
    let linked = 0;
    for (const [item, [rule, together]] of links) {
      expect(rule).toBe(rowScore(index.rules, item, 8));
      expect(together).toBe(rowScore(index.covisit, item, 8));
      if (rule > 0) linked++;
    }
    expect(linked).toBeGreaterThan(0);
  });

  it('are named in the artifact, which is refused when its names and options disagree', () => {
    const bytes = encodeArtifact(syntheticArtifact(60, 300));
    const text = new TextDecoder().decode(bytes.subarray(0, 4096));
    expect(text).toContain(FEATURES.find((f) => f.name.startsWith('rulesToLast'))!.name);
    // Same-length edits of the JSON header: the option renamed away, then a window out of range.
    const patched = (from: string, to: string): Uint8Array => {
      const at = text.indexOf(from);
      expect(at).toBeGreaterThan(0);
      const out = bytes.slice();
      out.set(new TextEncoder().encode(to), at);
      return out;
    };
    expect(() => decodeArtifact(patched('"linksToLast"', '"linksToLasT"'))).toThrow(/different feature set/);
    expect(() => decodeArtifact(patched('"window":10', '"window":99'))).toThrow(/window of 1 to 64/);
  });
});
