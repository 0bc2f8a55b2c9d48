/** Large values as several KV values: cut, then read back in parallel and joined, or refused naming the part. */
import { describe, expect, it } from 'vitest';
import { cutBytes, MAX_PART_BYTES, PART_BYTES, partBytesFor, readFirstParts, readPartList, readParts, splitParts } from '../../../edge-worker/src/published/parts';
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

  it('read the parts back as they are stored, each its own bytes, for a reader that uses them in place', async () => {
    const parts = splitParts(bytes, 300);
    const read = await readPartList(store(parts), parts[0]!, bytes.byteLength, (i) => `part-${i}`);
    expect(read.map((part) => Array.from(part))).toEqual(parts.map((part) => Array.from(part)));
    expect(await readPartList(store([]), bytes, bytes.byteLength, (i) => `part-${i}`)).toEqual([bytes]);
    await expect(readPartList(store([parts[0]!, parts[1]!]), parts[0]!, 1000, (i) => `part-${i}`)).rejects.toThrow('part 3 of 4 is missing');
  });

  it('cut a large value between its spans (the sections of an artifact) where a part size allows, the nearest to 2 MiB', () => {
    const MiB = 1024 * 1024;
    // The sections of the bench's Diginetica artifact (7.6 MB): parts of 2 MiB would cut three of them, 2.7 MB in all.
    const layout: Array<[number, number]> = [
      [3576, 190246], [190248, 276444], [276448, 2088728], [2088728, 2174924], [2174928, 2261124], [2261128, 2433520], [2433520, 2433920],
      [2433920, 2477018], [2477024, 4649892], [4649896, 5193113], [5193120, 5193184], [5193184, 5236282], [5236288, 6047602], [6047608, 6516364],
      [6516368, 6559466], [6559472, 6965129], [6965136, 6965200], [6965200, 7008298], [7008304, 7380869], [7380872, 7390352], [7390352, 7433450],
      [7433456, 7619739], [7619744, 7621480],
    ];
    expect(cutBytes(layout, PART_BYTES)).toBe(2727820);
    const size = partBytesFor(7621480, layout);
    expect(size).toBe(4649896);
    expect(cutBytes(layout, size)).toBe(0);
    expect(Math.ceil(7621480 / size)).toBe(2);
    // A value that fits one part stays one; spans no size can keep whole leave the size that cuts least.
    expect(partBytesFor(PART_BYTES, layout)).toBe(PART_BYTES);
    const oneLargeSpan: Array<[number, number]> = [[0, 9 * MiB], [9 * MiB, 10 * MiB]];
    expect(partBytesFor(10 * MiB, oneLargeSpan)).toBe(PART_BYTES);
    // Never smaller than 2 MiB nor larger than the sizes measured alike, nor a size that would misalign the sections after it.
    const small: Array<[number, number]> = [[0, 1.5 * MiB], [1.5 * MiB, 3 * MiB]];
    expect(cutBytes(small, 1.5 * MiB)).toBe(0);
    expect(partBytesFor(3 * MiB, small)).toBe(PART_BYTES);
    const far: Array<[number, number]> = [[0, MAX_PART_BYTES + 8], [MAX_PART_BYTES + 8, MAX_PART_BYTES + 16]];
    expect(partBytesFor(MAX_PART_BYTES + 16, far)).toBe(PART_BYTES);
    const odd: Array<[number, number]> = [[0, 3 * MiB + 4], [3 * MiB + 4, 4 * MiB]];
    expect(partBytesFor(4 * MiB, odd)).toBe(PART_BYTES);
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
