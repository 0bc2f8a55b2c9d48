/**
 * Large published values (a model artifact, a big catalog core) stored as several KV values and
 * read back in parallel. The first part sits under the version's own key and says, in its
 * header, how long the whole value is; the others follow under their own keys.
 *
 * Why parts of 2 MiB: read from local KV (wrangler dev), a 13.5 MB artifact as one value took
 * 390–770 ms, as 4 parallel values 15–48 ms, as 8 10–32 ms, as 16 16–60 ms
 * (`docs/SCALE.md`); on Cloudflare, parallel reads of several values are likewise faster than one
 * large one, and each part stays far below the 25 MiB value limit.
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

/**
 * The whole value, given its first part (already read) and its whole length: the other parts
 * (every part as long as the first, the last shorter) read in parallel by `keyOf(part)`, from 1,
 * and joined in one 8-byte-aligned buffer. Throws naming a part that is missing or of the wrong size.
 */
export async function readParts(kv: PublishedStore, first: Uint8Array, total: number, keyOf: (part: number) => string): Promise<Uint8Array> {
  if (first.byteLength >= total) {
    if (first.byteLength > total) throw new Error(`its first part holds ${first.byteLength} bytes, more than the ${total} it declares`);
    return first;
  }
  const count = Math.ceil(total / first.byteLength);
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => kv.get(keyOf(i + 1), 'arrayBuffer')));
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
