/** "Bought together" from orders: the co-purchase table and its answers. */
import { describe, expect, it } from 'vitest';
import { decodeArtifact, encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { buildCopurchase } from '../../../edge-worker/src/model/model-index';
import { neighbourRow, rowTableFromArrays } from '../../../edge-worker/src/model/rows';
import { boughtTogether, loadModel } from '../../../edge-worker/src/model/recommend';
import { syntheticArtifact } from './fixtures';

const row = (table: ReturnType<typeof buildCopurchase>, item: number) => Array.from(neighbourRow(table, item).items);

describe('bought together', () => {
  const orders = rowTableFromArrays([
    [1, 2],
    [1, 2, 3],
    [2, 1],
    [1, 4],
    [4, 1, 5],
    [3, 5],
    [6, 7],
  ]);
  const table = buildCopurchase(orders, 10, 20);

  it('pairs items bought together in at least two orders, strongest first', () => {
    expect(row(table, 1)).toEqual([2, 4]);
    expect(row(table, 2)).toEqual([1]);
    // One order together is a coincidence, not a pattern.
    expect(row(table, 6)).toEqual([]);
    expect(row(table, 3)).toEqual([]);
  });

  it('travels in the artifact and answers by item', () => {
    const artifact = syntheticArtifact();
    const model = loadModel(decodeArtifact(encodeArtifact({ ...artifact, copurchase: buildCopurchase(orders, artifact.index.numItems, 20) })));
    expect(boughtTogether(model, 1, 5).map((r) => [r.item, r.reason, r.because])).toEqual([
      [2, 'bought-together', 1],
      [4, 'bought-together', 1],
    ]);
    expect(boughtTogether(model, 1, 1)).toHaveLength(1);
  });

  it('is empty for a model trained without orders', () => {
    expect(boughtTogether(loadModel(syntheticArtifact()), 1, 5)).toEqual([]);
  });
});
