/** Zeroed memory for a served model's mostly unwritten arrays. */
import { describe, expect, it } from 'vitest';
import { zeroedArrays, zeroedBuffer } from '../../../edge-worker/src/model/zeroed';

describe('zeroed memory', () => {
  it('gives zeros of at least the size asked, small or large, that hold what is written', () => {
    for (const bytes of [0, 1, 1000, 256 * 1024, 5_000_001]) {
      const buffer = zeroedBuffer(bytes);
      expect(buffer.byteLength).toBeGreaterThanOrEqual(bytes);
      expect(buffer.byteLength).toBeLessThan(bytes + 65_536);
      const view = new Uint8Array(buffer, 0, bytes);
      expect(view.every((b) => b === 0)).toBe(true);
      if (bytes) view[bytes - 1] = 7;
      expect(view[bytes - 1]).toBe(bytes ? 7 : undefined);
    }
    // A large one is a WebAssembly memory's pages, where the runtime has them.
    expect(zeroedBuffer(5_000_001).byteLength % 65_536).toBe(0);
  });

  it('carves arrays of their kinds and lengths, aligned, none overlapping another', () => {
    const [sums, votes, bytes, slots] = zeroedArrays([Float64Array, 100_001], [Uint32Array, 3], [Uint8Array, 5], [Int32Array, 70_000]);
    expect([sums.length, votes.length, bytes.length, slots.length]).toEqual([100_001, 3, 5, 70_000]);
    expect(sums).toBeInstanceOf(Float64Array);
    expect(slots).toBeInstanceOf(Int32Array);
    for (const view of [sums, votes, bytes, slots]) expect(view.byteOffset % 8).toBe(0);
    sums.fill(1.5);
    votes.fill(0xffffffff);
    bytes.fill(255);
    slots.fill(-1);
    expect(sums.every((v) => v === 1.5)).toBe(true);
    expect(votes.every((v) => v === 0xffffffff)).toBe(true);
    expect(bytes.every((v) => v === 255)).toBe(true);
    expect(slots.every((v) => v === -1)).toBe(true);
  });
});
