/**
 * An artifact's rows in shards (see `ModelShards` in artifact.ts): cut when a model is published,
 * placed into a model read from its core as decisions need them. A shard is its byte ranges of
 * the artifact, one per row section, concatenated; both sides compute the ranges from the core.
 */
import { type ModelShards, artifactLength, decodeArtifact } from './artifact';
import { CODES_PER_BYTE } from './rows';

/** The shard holding an item's rows. */
export function shardOf(shards: ModelShards, item: number): number {
  return Math.min(shards.count - 1, Math.floor(item / shards.shardItems));
}

/** The byte ranges [start, end) of the artifact that hold shard k's rows, one per row section, in the order they are stored. */
export function shardRanges(shards: ModelShards, k: number): Array<[number, number]> {
  const first = k * shards.shardItems;
  const end = Math.min(shards.numItems, first + shards.shardItems);
  return shards.sections.map(({ at, offsets, width }): [number, number] => {
    const from = offsets[first] ?? 0;
    const to = offsets[end] ?? from;
    // Two score codes share a byte: a shard's first and last byte may hold a neighbour's code too, the same byte in both.
    return width === 0 ? [at + Math.floor(from / CODES_PER_BYTE), at + Math.ceil(to / CODES_PER_BYTE)] : [at + from * width, at + to * width];
  });
}

/** How many bytes shard k holds. */
export function shardLength(shards: ModelShards, k: number): number {
  let length = 0;
  for (const [start, end] of shardRanges(shards, k)) length += end - start;
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
  for (const [start, end] of shardRanges(shards, k)) {
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
  for (const [start, end] of shardRanges(shards, k)) {
    rows.set(bytes.subarray(at, at + end - start), start - shards.rowsStart);
    at += end - start;
  }
}

/** The shards holding the rows of these items, each once, ascending. */
export function shardsOf(shards: ModelShards, items: Iterable<number>): number[] {
  const out = new Set<number>();
  for (const item of items) out.add(shardOf(shards, item));
  return [...out].sort((a, b) => a - b);
}

/** The shards of an artifact whose core (its first `coreBytes` bytes) alone is at hand; throws unless its header says its rows begin where that core ends. */
export function shardsAfter(shards: ModelShards | undefined, coreBytes: number): ModelShards {
  if (shards?.rowsStart !== coreBytes) throw new Error(`its core of ${coreBytes} bytes is not the core its header describes`);
  return shards;
}

/**
 * The whole artifact again from its core (every byte before its rows) and its shards
 * (`shard(k)`, null when one is missing): what publishing cut, joined. A core that is the whole
 * artifact already comes back as it is.
 *
 * @example
 * const whole = joinShards(core, (k) => shardValues.get(k) ?? null);
 */
export function joinShards(core: Uint8Array, shard: (k: number) => Uint8Array | null): Uint8Array {
  const total = artifactLength(core);
  if (core.byteLength === total) return core;
  const whole = new Uint8Array(total);
  whole.set(core);
  const rows = whole.subarray(core.byteLength);
  // The structure only: where each shard's bytes go.
  const shards = shardsAfter(decodeArtifact([core, rows], { lazyRows: true, deferPostings: true }).shards, core.byteLength);
  for (let k = 0; k < shards.count; k++) {
    const bytes = shard(k);
    if (bytes === null) throw new Error(`its shard ${k} of ${shards.count} is missing`);
    placeShard(rows, shards, k, bytes);
  }
  return whole;
}
