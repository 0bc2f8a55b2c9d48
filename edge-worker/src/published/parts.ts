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
 */
import type { PublishedStore } from './isolate-cache';

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
 * The whole value, given its first part (already read) and its whole length: the other parts
 * (every part as long as the first, the last shorter) read in parallel by `keyOf(part)`, from 1,
 * and joined in one 8-byte-aligned buffer; those already read with the first (`early`, from
 * part 1) are used as they are. Throws naming a part that is missing or of the wrong size.
 */
export async function readParts(
  kv: PublishedStore,
  first: Uint8Array,
  total: number,
  keyOf: (part: number) => string,
  early: ReadonlyArray<ArrayBuffer | null> = [],
): Promise<Uint8Array> {
  if (first.byteLength >= total) {
    if (first.byteLength > total) throw new Error(`its first part holds ${first.byteLength} bytes, more than the ${total} it declares`);
    return first;
  }
  const count = partCount(first.byteLength, total);
  // Parts read with the first (`early[i]` is part i + 1) are not read again; an early read beyond the count is left unused.
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => (i < early.length ? early[i]! : kv.get(keyOf(i + 1), 'arrayBuffer'))));
  const whole = new Uint8Array(total);
  whole.set(first, 0);
  rest.forEach((part, i) => {
    const at = (i + 1) * first.byteLength;
    const expected = Math.min(first.byteLength, total - at);
    if (part === null) throw new Error(`part ${i + 2} of ${count} is missing`);
    if (part.byteLength !== expected) throw new Error(`part ${i + 2} of ${count} holds ${part.byteLength} bytes, expected ${expected}`);
    whole.set(new Uint8Array(part), at);
  });
  return whole;
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
