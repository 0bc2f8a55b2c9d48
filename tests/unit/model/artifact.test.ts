/** The binary model artifact: encode/decode round trips and refusing what this build cannot read. */
import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_FORMAT_VERSION,
  decodeArtifact,
  encodeArtifact,
  readArtifactHeader,
} from '../../../edge-worker/src/model/artifact';
import { syntheticArtifact } from './fixtures';

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
      expect(Array.from(decoded.index[key].scores)).toEqual(Array.from(artifact.index[key].scores));
    }
    expect(Array.from(decoded.index.popularity)).toEqual(Array.from(artifact.index.popularity));
    expect(Array.from(decoded.index.recentPopularity)).toEqual(Array.from(artifact.index.recentPopularity));
    expect(Array.from(decoded.index.repeatRate)).toEqual(Array.from(artifact.index.repeatRate));
    expect(Array.from(decoded.index.age)).toEqual(Array.from(artifact.index.age));
    expect(Array.from(decoded.reranker.mean)).toEqual(Array.from(artifact.reranker.mean));
    expect(decoded.reranker.layers.map((l) => Array.from(l.kernel))).toEqual(artifact.reranker.layers.map((l) => Array.from(l.kernel)));
  });

  it('stores small item ids in 16 bits and large ones in 32 bits', () => {
    const small = syntheticArtifact(300, 500);
    const large = syntheticArtifact(300, 500);
    large.index.sessions.values[0] = 70000;
    const smallBytes = encodeArtifact(small).byteLength;
    const largeBytes = encodeArtifact(large).byteLength;
    expect(largeBytes - smallBytes).toBeGreaterThanOrEqual(2 * large.index.sessions.values.length - 8);
    expect(decodeArtifact(encodeArtifact(large)).index.sessions.values[0]).toBe(70000);
  });

  it('decodes from an ArrayBuffer and from an unaligned view', () => {
    const bytes = encodeArtifact(syntheticArtifact(100, 300));
    expect(decodeArtifact(bytes.slice().buffer).index.numItems).toBe(101);
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    expect(Array.from(decodeArtifact(shifted.subarray(1)).index.postings.values)).toEqual(
      Array.from(decodeArtifact(bytes).index.postings.values),
    );
  });

  it('stores neighbour scores in 16 bits and id sequences as varint differences, losslessly', () => {
    const artifact = syntheticArtifact(300, 500);
    const plain = encodeArtifact(artifact).byteLength;
    artifact.index.postings.values[0] = 4_000_000_000;
    artifact.index.postings.values[1] = 3;
    const decoded = decodeArtifact(encodeArtifact(artifact));
    expect(Array.from(decoded.index.postings.values)).toEqual(Array.from(artifact.index.postings.values));
    const rules = artifact.index.rules.scores.length;
    // One value bfloat16 can't hold sends its section back to 32 bits, exactly.
    artifact.index.rules.scores[0] = 1 / 3;
    const bytes = encodeArtifact(artifact);
    expect(bytes.byteLength - plain).toBeGreaterThanOrEqual(2 * rules - 8);
    expect(decodeArtifact(bytes).index.rules.scores[0]).toBe(Math.fround(1 / 3));
  });

  it('exposes the header cheaply', () => {
    const header = readArtifactHeader(encodeArtifact(syntheticArtifact(100, 300)));
    expect(header).toEqual({ modelVersion: 'test-1', dataset: 'synthetic', numItems: 101, formatVersion: ARTIFACT_FORMAT_VERSION });
  });

  it('rejects bad magic, other format versions and truncation', () => {
    const bytes = encodeArtifact(syntheticArtifact(100, 300));
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(() => decodeArtifact(badMagic)).toThrow(/magic/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint16(4, ARTIFACT_FORMAT_VERSION + 1, true);
    expect(() => decodeArtifact(future)).toThrow(/format/);
    expect(() => decodeArtifact(bytes.subarray(0, bytes.byteLength - 16))).toThrow(/truncated/);
  });
});
