/**
 * An artifact's rows in shards (see `ModelShards` in artifact.ts): cut when a model is published,
 * placed into a model read from its core as decisions need them. A shard is its byte ranges of
 * the artifact, one per row section, concatenated; both sides compute the ranges from the core.
 */
import type { ModelShards } from './artifact';

/** How many bytes shard k holds. */
export function shardLength(shards: ModelShards, k: number): number {
  let length = 0;
  for (const [start, end] of shards.ranges(k)) length += end - start;
  return length;
}

/**
 * Shard k's bytes, as published: its ranges of the whole artifact, in order.
 *
 * @example
 * const model = verifyArtifact(bytes);
 * const first = cutShard(bytes, model.shards!, 0);
 */
export function cutShard(artifact: Uint8Array, shards: ModelShards, k: number): Uint8Array {
  const out = new Uint8Array(shardLength(shards, k));
  let at = 0;
  for (const [start, end] of shards.ranges(k)) {
    out.set(artifact.subarray(start, end), at);
    at += end - start;
  }
  return out;
}

/**
 * Copies shard k's bytes into `rows`, the bytes of a model read from its core from `rowsStart` on
 * (zeros until their shard is placed). Throws when the bytes are not as long as the shard is: a
 * shard of another version or a truncated one is never placed.
 */
export function placeShard(rows: Uint8Array, shards: ModelShards, k: number, bytes: Uint8Array): void {
  const length = shardLength(shards, k);
  if (bytes.byteLength !== length) throw new Error(`model shard ${k} holds ${bytes.byteLength} bytes, expected ${length}`);
  let at = 0;
  for (const [start, end] of shards.ranges(k)) {
    rows.set(bytes.subarray(at, at + end - start), start - shards.rowsStart);
    at += end - start;
  }
}

/** The shards holding the rows of these items, each once, ascending. */
export function shardsOf(shards: ModelShards, items: Iterable<number>): number[] {
  const out = new Set<number>();
  for (const item of items) out.add(shards.shardOf(item));
  return [...out].sort((a, b) => a - b);
}
