/** recommend(): ranked answers, reasons, and padding marked as padding. */
import { describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { completeModel, loadModel, recommend } from '../../../edge-worker/src/model/recommend';
import { PRODUCTS } from '../../../demo-shop/src/catalog';
import { demoModel } from '../../../demo-shop/scripts/demo-model';
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

  it('answers alike before and after it builds the postings it deferred', () => {
    const bytes = encodeArtifact(syntheticArtifact());
    const deferred = loadModel(bytes, { deferPostings: true });
    const { index } = deferred.artifact;
    const queries = [[5], [5, 6, 7], [120, 3, 77, 210], [299, 0], [42, 42, 43]];
    const before = queries.map((recent) => recommend(deferred, recent, 20));
    // Answered by scanning the sessions: nothing built yet.
    expect(index.postingsBuilt?.()).toBe(false);
    expect(before).toEqual(queries.map((recent) => recommend(model, recent, 20)));
    expect(completeModel(deferred)).toBe(true);
    expect(index.postingsBuilt?.()).toBe(true);
    expect(completeModel(deferred)).toBe(false);
    expect(queries.map((recent) => recommend(deferred, recent, 20))).toEqual(before);
    // Loaded without deferring, there is nothing to complete.
    expect(completeModel(model)).toBe(false);
  });

  it('never explains an item by itself, except as one the visitor looked at', () => {
    // The demo shop's model, on every product page after a look at its neighbours: the case
    // where "Shoppers who viewed X also viewed this" once named X itself.
    const demo = loadModel(demoModel().bytes);
    const ids = PRODUCTS.map((p) => demo.idOf(p.id)).filter((id) => id !== undefined);
    let checked = 0;
    ids.forEach((id, i) => {
      const recent = [ids[(i + 1) % ids.length]!, ids[(i + 2) % ids.length]!, id];
      for (const r of recommend(demo, recent, 20)) {
        if (r.reason === 'viewed-before' || r.because === null) continue;
        checked++;
        expect(r.because, `${r.reason} for ${r.item} after [${recent.join(', ')}]`).not.toBe(r.item);
      }
    });
    expect(checked).toBeGreaterThan(1000);
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
