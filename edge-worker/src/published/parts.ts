/**
 * Large published values (a model artifact, a big catalog core) stored as several KV values and
 * read back in parallel. The first part sits under the version's own key and says, in its
 * header, how long the whole value is; the others follow under their own keys.
 *
 * Why parts: a KV value holds at most 25 MiB, and the bound on a model artifact or a catalog core
 * grows with the catalog (18 MB for Diginetica's 43 k items at the worst, ~17 MB for a core of
 * 1 M ten-byte ids). They do not make reads faster: `npm run bench:parts` found a fresh
 * isolate's first decision about as fast with the 13.8 MB model as one value as in parts of 8, 4
 * or 2 MiB, and slower in parts of 1 MiB (docs/SCALE.md).
 *
 * A catalog core in several parts (past 8 MiB) is joined again after reading (`readParts`). A
 * model artifact is not: its parts are cut between its sections (`partBytesFor`: 2 parts of 4.6 and 3.0 MB for Diginetica's 7.6 MB,
 * where parts of 2 MiB cut three sections) and the Worker views each section inside the part that
 * holds it (`readPartList`, `decodeArtifact`), so a fresh isolate does not copy 7.6 MB into new
 * memory before its first decision.
 */
import type { PublishedStore } from './isolate-cache';
import { zeroedBuffer } from '../model/zeroed';

/** The size of every part but the last. */
export const PART_BYTES = 2 * 1024 * 1024;

/** `bytes` cut into parts of `partBytes` (views, no copy). */
export function splitParts<B extends ArrayBufferLike>(bytes: Uint8Array<B>, partBytes = PART_BYTES): Array<Uint8Array<B>> {
  const parts: Array<Uint8Array<B>> = [];
  for (let at = 0; at === 0 || at < bytes.byteLength; at += partBytes) parts.push(bytes.subarray(at, at + partBytes));
  return parts;
}

/** How many parts a value of `total` bytes takes when its first part holds `firstBytes` (every part but the last is as long). */
export function partCount(firstBytes: number, total: number): number {
  return firstBytes > 0 ? Math.max(1, Math.ceil(total / firstBytes)) : 1;
}

/**
 * Every part of a value, given its first part (already read) and its whole length: the other parts
 * (every part as long as the first, the last shorter) read in parallel by `keyOf(part)`, from 1;
 * those already read with the first (`early`, from part 1) are used as they are. Not joined: a
 * reader that can use the parts where they lie (a model artifact, `decodeArtifact`) copies
 * nothing. Throws naming a part that is missing or of the wrong size.
 */
export async function readPartList(
  kv: PublishedStore,
  first: Uint8Array,
  total: number,
  keyOf: (part: number) => string,
  early: ReadonlyArray<ArrayBuffer | null> = [],
): Promise<Uint8Array[]> {
  if (first.byteLength >= total) {
    if (first.byteLength > total) throw new Error(`its first part holds ${first.byteLength} bytes, more than the ${total} it declares`);
    return [first];
  }
  const count = partCount(first.byteLength, total);
  // Parts read with the first (`early[i]` is part i + 1) are not read again; an early read beyond the count is left unused.
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => (i < early.length ? early[i]! : kv.get(keyOf(i + 1), 'arrayBuffer'))));
  return [
    first,
    ...rest.map((part, i) => {
      const expected = Math.min(first.byteLength, total - (i + 1) * first.byteLength);
      if (part === null) throw new Error(`part ${i + 2} of ${count} is missing`);
      if (part.byteLength !== expected) throw new Error(`part ${i + 2} of ${count} holds ${part.byteLength} bytes, expected ${expected}`);
      return new Uint8Array(part);
    }),
  ];
}

/** Parts joined in one 8-byte-aligned buffer (the first part itself when it is the whole). */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const length = parts.reduce((sum, part) => sum + part.byteLength, 0);
  // Every byte is copied in: a zeroed buffer's pages spare the zeroing before the copy (zeroed.ts).
  const whole = new Uint8Array(zeroedBuffer(length), 0, length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.byteLength;
  }
  return whole;
}

/** {@link readPartList}, joined in one 8-byte-aligned buffer. */
export async function readParts(...read: Parameters<typeof readPartList>): Promise<Uint8Array> {
  return joinParts(await readPartList(...read));
}

/** Bytes of `spans` ([start, end) each) that parts of `partBytes` would cut: what a reader of the parts in place copies. */
export function cutBytes(spans: ReadonlyArray<readonly [number, number]>, partBytes: number): number {
  let cut = 0;
  for (const [start, end] of spans) if (end > start && Math.floor(start / partBytes) !== Math.floor((end - 1) / partBytes)) cut += end - start;
  return cut;
}

/**
 * The largest part size {@link partBytesFor} chooses: `npm run bench:parts` measured parts of 2 to
 * 8 MiB alike (1 MiB slower); the smallest is {@link PART_BYTES}, so a 25 MiB value still takes
 * few enough parts for a pointer's hint to name them all.
 */
export const MAX_PART_BYTES = 8 * 1024 * 1024;

/**
 * The part size for a value of `total` bytes made of `spans` (a model artifact's sections), so
 * that part boundaries fall between spans and a reader uses every span where it lies: taken
 * from the span starts between {@link PART_BYTES} and {@link MAX_PART_BYTES}, the one whose
 * parts cut the fewest bytes, the nearest to {@link PART_BYTES} among equals; {@link PART_BYTES}
 * itself when it cuts no more, or when the value fits one part. Every part but the last is as
 * long, as `readPartList` expects.
 */
export function partBytesFor(total: number, spans: ReadonlyArray<readonly [number, number]>): number {
  if (total <= PART_BYTES) return PART_BYTES;
  let best = PART_BYTES;
  let bestCut = cutBytes(spans, PART_BYTES);
  for (const [start] of spans) {
    if (start < PART_BYTES || start > MAX_PART_BYTES || start % 8 !== 0) continue;
    const cut = cutBytes(spans, start);
    if (cut < bestCut || (cut === bestCut && Math.abs(start - PART_BYTES) < Math.abs(best - PART_BYTES))) {
      best = start;
      bestCut = cut;
    }
  }
  return best;
}

/**
 * A value's first part (`keyOf(0)`, the version's own key) and, read in the same round trip, the
 * `parts - 1` after it that its pointer says it has (`parts` is a hint: see `readParts` for those
 * it missed). Null when the first part is not stored.
 */
export async function readFirstParts(kv: PublishedStore, keyOf: (part: number) => string, parts: number): Promise<{ first: Uint8Array; early: Array<ArrayBuffer | null> } | null> {
  const [first, ...early] = await Promise.all(Array.from({ length: Math.max(1, parts) }, (_, i) => kv.get(keyOf(i), 'arrayBuffer')));
  return first ? { first: new Uint8Array(first), early } : null;
}
