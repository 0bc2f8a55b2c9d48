/** The binary model artifact: round trips, reading in place, and refusing what this build cannot read. */
import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_FORMAT_VERSION,
  artifactLength,
  decodeArtifact,
  encodeArtifact,
  readArtifactHeader,
  verifyArtifact,
} from '../../../edge-worker/src/model/artifact';
import { buildItemIdTable, findItemId, itemIdAt } from '../../../edge-worker/src/model/item-ids';
import { scoreAt } from '../../../edge-worker/src/model/rows';
import { syntheticArtifact } from './fixtures';

/** The artifact's byte offset of a section, from its header (to corrupt exactly one value). */
function sectionOffset(bytes: Uint8Array, name: string): number {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as { sections: Array<{ name: string; byteOffset: number }> };
  return Math.ceil((16 + headerLength) / 8) * 8 + header.sections.find((s) => s.name === name)!.byteOffset;
}

describe('model artifact', () => {
  it('round-trips every table and the re-ranker weights exactly', () => {
    const artifact = syntheticArtifact();
    const decoded = decodeArtifact(encodeArtifact(artifact));
    expect(decoded.modelVersion).toBe('test-1');
    expect(decoded.dataset).toBe('synthetic');
    expect(decoded.candidateOptions).toEqual(artifact.candidateOptions);
    expect(decoded.index.numItems).toBe(artifact.index.numItems);
    for (const key of ['sessions', 'postings'] as const) {
      expect(Array.from(decoded.index[key].offsets)).toEqual(Array.from(artifact.index[key].offsets));
      expect(Array.from(decoded.index[key].values)).toEqual(Array.from(artifact.index[key].values));
    }
    for (const key of ['rules', 'next', 'covisit'] as const) {
      expect(artifact.index[key].items.length).toBeGreaterThan(0);
      expect(Array.from(decoded.index[key].offsets)).toEqual(Array.from(artifact.index[key].offsets));
      expect(Array.from(decoded.index[key].items)).toEqual(Array.from(artifact.index[key].items));
      expect(Array.from(decoded.index[key].scoreCodes)).toEqual(Array.from(artifact.index[key].scoreCodes));
      expect(Array.from(decoded.index[key].scoreLevels)).toEqual(Array.from(artifact.index[key].scoreLevels));
    }
    for (const key of ['popularity', 'recentPopularity', 'repeatRate', 'age'] as const) {
      expect(Array.from(decoded.index[key])).toEqual(Array.from(artifact.index[key]));
    }
    expect(Array.from(decoded.reranker.mean)).toEqual(Array.from(artifact.reranker.mean));
    expect(decoded.reranker.layers.map((l) => Array.from(l.kernel))).toEqual(artifact.reranker.layers.map((l) => Array.from(l.kernel)));
  });

  it('is read in place: every array is a view on the fetched bytes, none a copy', () => {
    const bytes = encodeArtifact(syntheticArtifact());
    const { index, reranker } = decodeArtifact(bytes.buffer as ArrayBuffer);
    const arrays = [index.sessions.values, index.postings.values, index.popularity, index.rules.items, index.rules.scoreCodes, index.covisit.offsets, reranker.mean];
    for (const array of arrays) expect(array.buffer).toBe(bytes.buffer);
  });

  it('stores ids in 16 bits when they fit and in 32 bits when one does not', () => {
    const small = syntheticArtifact(300, 500);
    const large = syntheticArtifact(300, 500);
    large.index.sessions.values[0] = 70000;
    const smallDecoded = decodeArtifact(encodeArtifact(small));
    const largeDecoded = decodeArtifact(encodeArtifact(large));
    expect(smallDecoded.index.sessions.values).toBeInstanceOf(Uint16Array);
    expect(largeDecoded.index.sessions.values).toBeInstanceOf(Uint32Array);
    expect(largeDecoded.index.sessions.values[0]).toBe(70000);
    expect(smallDecoded.index.rules.items).toBeInstanceOf(Uint16Array);
  });

  it('keeps neighbour scores in one byte, read back as the values training saw', () => {
    const { index } = syntheticArtifact(300, 500);
    const decoded = decodeArtifact(encodeArtifact({ ...syntheticArtifact(300, 500), index }));
    for (let q = 0; q < 50; q++) expect(scoreAt(decoded.index.covisit, q)).toBe(scoreAt(index.covisit, q));
    expect(scoreAt(index.covisit, 0)).toBeGreaterThan(0);
  });

  it('decodes from an ArrayBuffer and from an unaligned view (copied once)', () => {
    const bytes = encodeArtifact(syntheticArtifact(100, 300));
    expect(decodeArtifact(bytes.slice().buffer).index.numItems).toBe(101);
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    expect(Array.from(decodeArtifact(shifted.subarray(1)).index.postings.values)).toEqual(Array.from(decodeArtifact(bytes).index.postings.values));
  });

  it('carries a shop id table, found again by binary search over its bytes', () => {
    const ids = ['', 'b-2', 'A-1', 'ä-3', 'a-10', 'a-1', '😀'];
    const table = buildItemIdTable(ids);
    expect(ids.map((_, m) => itemIdAt(table, m))).toEqual(ids);
    expect(ids.map((id) => findItemId(table, id))).toEqual(ids.map((_, m) => m));
    expect(findItemId(table, 'a-2')).toBeUndefined();
    expect(itemIdAt(table, 99)).toBe('');
    const artifact = { ...syntheticArtifact(6, 200), itemIds: table };
    const decoded = verifyArtifact(encodeArtifact(artifact)).itemIds!;
    expect(ids.map((id) => findItemId(decoded, id))).toEqual(ids.map((_, m) => m));
  });

  it('exposes the header cheaply', () => {
    const header = readArtifactHeader(encodeArtifact(syntheticArtifact(100, 300)));
    expect(header).toEqual({ modelVersion: 'test-1', dataset: 'synthetic', numItems: 101, formatVersion: ARTIFACT_FORMAT_VERSION });
  });

  it('refuses bad magic, older and newer formats (saying what to do) and truncation', () => {
    const bytes = encodeArtifact(syntheticArtifact(100, 300));
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(() => decodeArtifact(badMagic)).toThrow(/magic/);
    const older = bytes.slice();
    new DataView(older.buffer).setUint16(4, 3, true);
    expect(() => decodeArtifact(older)).toThrow(/format 3 is older .* migrate-model/);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint16(4, ARTIFACT_FORMAT_VERSION + 1, true);
    expect(() => decodeArtifact(newer)).toThrow(/newer/);
    expect(() => decodeArtifact(bytes.subarray(0, bytes.byteLength - 16))).toThrow(/truncated: \d+ of its \d+ bytes/);
    expect(artifactLength(bytes.subarray(0, 64))).toBe(bytes.byteLength);
  });

  it('verifies at publishing what reading in place does not: ids in range, offsets in order', () => {
    const bytes = encodeArtifact(syntheticArtifact(100, 300));
    expect(() => verifyArtifact(bytes)).not.toThrow();
    const badItem = bytes.slice();
    new DataView(badItem.buffer).setUint16(sectionOffset(badItem, 'rules.items'), 5000, true);
    expect(() => decodeArtifact(badItem)).not.toThrow();
    expect(() => verifyArtifact(badItem)).toThrow(/rules.* holds 5000, beyond 100/);
    const badOffsets = bytes.slice();
    new DataView(badOffsets.buffer).setUint32(sectionOffset(badOffsets, 'covisit.offsets') + 8, 0xffff, true);
    expect(() => verifyArtifact(badOffsets)).toThrow(/covisit.offsets decreases/);
  });
});
