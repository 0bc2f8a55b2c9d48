/** recommend(): ranked answers, reasons, and padding marked as padding. */
import { describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { loadModel, recommend } from '../../../edge-worker/src/model/recommend';
import { syntheticArtifact } from './fixtures';

const model = loadModel(encodeArtifact(syntheticArtifact()));
const REASONS = ['similar-sessions', 'viewed-after', 'viewed-together', 'viewed-before', 'popular'];

describe('recommend', () => {
  it('returns k distinct items, best first, each with a reason', () => {
    const recs = recommend(model, [5, 6, 7], 10);
    expect(recs).toHaveLength(10);
    expect(new Set(recs.map((r) => r.item)).size).toBe(10);
    for (let i = 1; i < recs.length; i++) expect(recs[i - 1]!.score).toBeGreaterThanOrEqual(recs[i]!.score);
    for (const r of recs) {
      expect(REASONS).toContain(r.reason);
      if (r.reason === 'viewed-before') expect(r.because).toBe(r.item);
      if (r.reason === 'viewed-after' || r.reason === 'viewed-together' || r.reason === 'similar-sessions') {
        expect([5, 6, 7]).toContain(r.because);
      }
    }
  });

  it('answers an empty or unknown history with padding only: popular items marked fill', () => {
    for (const recent of [[], [999999, -3, 1.5]]) {
      const recs = recommend(model, recent, 5);
      expect(recs).toHaveLength(5);
      expect(recs.every((r) => r.fill && r.reason === 'popular' && r.because === null && r.score === 0)).toBe(true);
    }
  });

  it('marks as fill only the padding after the model runs out of candidates', () => {
    const picks = recommend(model, [5, 6, 7], 10);
    expect(picks.every((r) => !r.fill && r.score > 0)).toBe(true);
    const padded = recommend(model, [5, 6, 7], 500);
    const firstFill = padded.findIndex((r) => r.fill);
    expect(firstFill).toBeGreaterThan(0);
    expect(padded.slice(0, firstFill).every((r) => !r.fill && r.score > 0)).toBe(true);
    expect(padded.slice(firstFill).every((r) => r.fill && r.reason === 'popular' && r.score === 0)).toBe(true);
    expect(new Set(padded.map((r) => r.item)).size).toBe(padded.length);
  });

  it('is deterministic for the same history', () => {
    expect(recommend(model, [10, 11], 8)).toEqual(recommend(model, [10, 11], 8));
  });
});
