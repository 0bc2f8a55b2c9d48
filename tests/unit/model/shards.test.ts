/** A model's rows in shards by item range: cut at publishing, placed as decisions need them. */
import { describe, expect, it } from 'vitest';
import { artifactShardCount, decodeArtifact, encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { knownItems } from '../../../edge-worker/src/model/candidates';
import { loadModel, recommend } from '../../../edge-worker/src/model/recommend';
import { cutShard, joinShards, placeShard, shardLength } from '../../../edge-worker/src/model/shards';
import { coreModel, syntheticArtifact, syntheticSessions } from './fixtures';

describe('model shards', () => {
  // Shards smaller than served ones, so that this small model has many.
  const shardBytes = 4096;
  const bytes = encodeArtifact(syntheticArtifact(3000, 6000), { shardBytes });
  const whole = loadModel(bytes);
  const shards = decodeArtifact(bytes).shards!;

  it('store the rows after the core and cover them exactly, shard by shard', () => {
    expect(shards.count).toBeGreaterThan(20);
    // The core is every section but the rows; the rows are most of the bytes.
    expect(shards.rowsStart).toBeLessThan(bytes.byteLength / 2);
    const rows = new Uint8Array(bytes.byteLength - shards.rowsStart);
    let total = 0;
    for (let k = 0; k < shards.count; k++) {
      const shard = cutShard(bytes, shards, k);
      expect(shard.byteLength).toBeLessThan(2 * shardBytes);
      placeShard(rows, shards, k, shard);
      total += shard.byteLength;
    }
    // Between sections lie a few bytes of alignment padding, which no shard needs (zeros in both).
    expect(rows).toEqual(bytes.subarray(shards.rowsStart));
    expect(total).toBeGreaterThan(0.99 * rows.byteLength);
    expect(total).toBeLessThanOrEqual(rows.byteLength + shards.count * 6);
  });

  it('answer a query from the core and its items’ shards alone, as the whole model does', () => {
    const queries = syntheticSessions(400, 3000).map((session, s) => session.slice(0, 1 + (s % session.length)));
    let placedAlone = 0;
    for (const query of queries) {
      const core = coreModel(bytes);
      const placed = core.place(knownItems(whole.artifact.index, query));
      placedAlone += placed.length;
      expect(recommend(core.model, query, 20), `query ${query.join(' ')}`).toEqual(recommend(whole, query, 20));
    }
    // Far fewer shards than the model has: what a decision reads.
    expect(placedAlone / queries.length).toBeLessThan(shards.count / 2);
  });

  it('answer wrongly without them, which is why a decision places them first', () => {
    const core = coreModel(bytes);
    const query = [11, 12, 13];
    expect(recommend(core.model, query, 20)).not.toEqual(recommend(whole, query, 20));
  });

  it('join again into the artifact they were cut from, and name one that is missing', () => {
    const core = bytes.slice(0, shards.rowsStart);
    // Counted from the header alone, as a reader that fetches every shard counts them.
    expect(artifactShardCount(core)).toBe(shards.count);
    // A core cut anywhere else is not the one the header describes.
    expect(() => joinShards(core.subarray(0, core.byteLength - 8), () => null)).toThrow(`its core of ${core.byteLength - 8} bytes is not the core its header describes`);
    expect(joinShards(core, (k) => cutShard(bytes, shards, k))).toEqual(bytes);
    expect(() => joinShards(core, (k) => (k === 7 ? null : cutShard(bytes, shards, k)))).toThrow(`its shard 7 of ${shards.count} is missing`);
    // A core that is the whole artifact needs none.
    expect(joinShards(bytes, () => null)).toBe(bytes);
  });

  it('refuse bytes not as long as the shard', () => {
    const rows = new Uint8Array(bytes.byteLength - shards.rowsStart);
    const shard = cutShard(bytes, shards, 1);
    expect(shard.byteLength).toBe(shardLength(shards, 1));
    expect(() => placeShard(rows, shards, 1, shard.subarray(1))).toThrow(/model shard 1 holds \d+ bytes, expected \d+/);
  });
});
