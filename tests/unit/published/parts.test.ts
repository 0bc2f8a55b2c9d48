/** Large values as several KV values: cut, then read back in parallel and joined, or refused naming the part. */
import { describe, expect, it } from 'vitest';
import { readFirstParts, readParts, splitParts } from '../../../edge-worker/src/published/parts';
import type { PublishedStore } from '../../../edge-worker/src/published/isolate-cache';

/** An in-memory store holding `parts` under part-<i> keys (from 1), counting reads. */
function store(parts: Uint8Array[]): PublishedStore & { reads: string[] } {
  const reads: string[] = [];
  const get = async (key: string) => {
    reads.push(key);
    const part = parts[Number(key.slice('part-'.length))];
    return part ? part.slice().buffer : null;
  };
  return { reads, get: get as unknown as PublishedStore['get'], getWithMetadata: async () => ({ value: null, metadata: null }) };
}

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251);

describe('published parts', () => {
  it('cut a value into equal parts but the last, and join them again', async () => {
    const parts = splitParts(bytes, 300);
    expect(parts.map((p) => p.byteLength)).toEqual([300, 300, 300, 100]);
    const kv = store(parts);
    expect(Array.from(await readParts(kv, parts[0]!, bytes.byteLength, (i) => `part-${i}`))).toEqual(Array.from(bytes));
    expect(kv.reads.sort()).toEqual(['part-1', 'part-2', 'part-3']);
  });

  it('read nothing more for a value in one part, and keep an empty value one part', async () => {
    const kv = store([]);
    expect(await readParts(kv, bytes, bytes.byteLength, (i) => `part-${i}`)).toBe(bytes);
    expect(kv.reads).toEqual([]);
    expect(splitParts(new Uint8Array(0))).toHaveLength(1);
  });

  it('read the parts a pointer counts with the first, in one round trip, and only the ones it missed after', async () => {
    const parts = splitParts(bytes, 300);
    const keyOf = (i: number) => `part-${i}`;
    for (const [hint, after] of [[4, []], [2, ['part-2', 'part-3']], [7, []], [1, ['part-1', 'part-2', 'part-3']]] as const) {
      const kv = store(parts);
      const reading = readFirstParts(kv, keyOf, hint);
      // Every read the hint allows is asked for before any answer arrives.
      expect(kv.reads).toEqual(Array.from({ length: hint }, (_, i) => `part-${i}`));
      const read = (await reading)!;
      expect(Array.from(await readParts(kv, read.first, bytes.byteLength, keyOf, read.early)), `hint ${hint}`).toEqual(Array.from(bytes));
      expect(kv.reads.slice(hint), `hint ${hint}`).toEqual(after);
    }
    expect(await readFirstParts(store([]), keyOf, 3)).toBeNull();
  });

  it('refuse a missing or cut part by its number', async () => {
    const parts = splitParts(bytes, 300);
    await expect(readParts(store([parts[0]!, parts[1]!]), parts[0]!, 1000, (i) => `part-${i}`)).rejects.toThrow('part 3 of 4 is missing');
    await expect(readParts(store([parts[0]!, parts[1]!, parts[2]!, parts[3]!.subarray(0, 50)]), parts[0]!, 1000, (i) => `part-${i}`)).rejects.toThrow('part 4 of 4 holds 50 bytes, expected 100');
    await expect(readParts(store([]), bytes, 999, (i) => `part-${i}`)).rejects.toThrow('more than the 999 it declares');
  });
});
