/** The binary model artifact: round trips, reading in place, and refusing what this build cannot read. */
import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_FORMAT_VERSION,
  artifactLength,
  artifactSpans,
  decodeArtifact,
  encodeArtifact,
  readArtifactHeader,
  verifyArtifact,
} from '../../../edge-worker/src/model/artifact';
import { FEATURES } from '../../../edge-worker/src/model/features';
import { buildItemIdTable, findItemId, itemIdAt } from '../../../edge-worker/src/model/item-ids';
import { DEFAULT_INDEX_OPTIONS, buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { neighbourRow, rowLength, rowTableFromArrays, scoreAt } from '../../../edge-worker/src/model/rows';
import { loadModel, recommend } from '../../../edge-worker/src/model/recommend';
import { partBytesFor, splitParts } from '../../../edge-worker/src/published/parts';
import { syntheticArtifact, syntheticSessions } from './fixtures';

function header(bytes: Uint8Array): { headerLength: number; sections: Array<{ name: string; kind: string; byteOffset: number }>; bases: Record<string, string> } {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return { headerLength, ...JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) };
}

/** The artifact's byte offset of a section, from its header (to corrupt exactly one value). */
function sectionOffset(bytes: Uint8Array, name: string): number {
  const { headerLength, sections } = header(bytes);
  return Math.ceil((16 + headerLength) / 8) * 8 + sections.find((s) => s.name === name)!.byteOffset;
}

const sectionNames = (bytes: Uint8Array) => header(bytes).sections.map((s) => s.name);

/** The same bytes with one section no longer listed in the header, as an artifact written without it (the header padded to its length, so nothing moves). */
function withoutSection(bytes: Uint8Array, name: string): Uint8Array {
  const { headerLength, ...fields } = header(bytes);
  const text = JSON.stringify({ ...fields, sections: fields.sections.filter((s) => s.name !== name) });
  const out = bytes.slice();
  out.set(new TextEncoder().encode(text.padEnd(headerLength, ' ')), 16);
  return out;
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

  it('is read in place: every stored array is a view on the fetched bytes, none a copy', () => {
    const bytes = encodeArtifact(syntheticArtifact());
    const { index, reranker } = decodeArtifact(bytes.buffer as ArrayBuffer);
    const arrays = [index.sessions.values, index.age, index.covisit.items, index.rules.scoreCodes, index.next.scoreLevels, reranker.mean];
    for (const array of arrays) expect(array.buffer).toBe(bytes.buffer);
  });

  it('stores neither postings nor offsets, and loading derives them exactly, capped as trained', () => {
    const sessions = rowTableFromArrays(syntheticSessions(3000, 120));
    for (const maxPostings of [DEFAULT_INDEX_OPTIONS.maxPostings, 7]) {
      const index = buildModelIndex(sessions, { ...DEFAULT_INDEX_OPTIONS, maxPostings });
      const bytes = encodeArtifact({ ...syntheticArtifact(), index });
      const names = sectionNames(bytes);
      expect(names.filter((n) => n.startsWith('postings') || (n.endsWith('.offsets') && n !== 'ids.offsets'))).toEqual([]);
      expect(names).toEqual(expect.arrayContaining(['sessions.lengths', 'rules.lengths', 'next.lengths', 'covisit.lengths']));
      const decoded = decodeArtifact(bytes).index;
      const longest = Math.max(...Array.from({ length: index.numItems }, (_, i) => rowLength(decoded.postings, i)));
      if (maxPostings === 7) expect(longest).toBe(7);
      else expect(longest).toBeGreaterThan(7);
      expect(Array.from(decoded.postings.offsets)).toEqual(Array.from(index.postings.offsets));
      expect(Array.from(decoded.postings.values)).toEqual(Array.from(index.postings.values));
      expect(Array.from(decoded.sessions.offsets)).toEqual(Array.from(index.sessions.offsets));
    }
  });

  it('stores session counts beside the repeat rates when they give the rates back exactly, and checks them at publishing', () => {
    const artifact = syntheticArtifact(300, 3000);
    const bytes = encodeArtifact(artifact);
    expect(sectionNames(bytes)).toEqual(expect.arrayContaining(['sessionCounts', 'repeatRate']));
    expect(Array.from(decodeArtifact(bytes).index.repeatRate)).toEqual(Array.from(artifact.index.repeatRate));
    // Written before the rates were stored beside the counts: the counts give them back.
    const older = withoutSection(bytes, 'repeatRate');
    expect(sectionNames(older)).not.toContain('repeatRate');
    expect(Array.from(verifyArtifact(older).index.repeatRate)).toEqual(Array.from(artifact.index.repeatRate));
    // A rate no whole count gives back: the rates alone, the postings built by counting.
    const odd = syntheticArtifact(300, 3000);
    odd.index.repeatRate[5] = 0.123;
    const oddBytes = encodeArtifact(odd);
    expect(sectionNames(oddBytes)).not.toContain('sessionCounts');
    expect(Array.from(decodeArtifact(oddBytes).index.repeatRate)).toEqual(Array.from(odd.index.repeatRate));
    expect(Array.from(decodeArtifact(oddBytes).index.postings.values)).toEqual(Array.from(odd.index.postings.values));
    // Counts bound each item's postings: one too low would drop a session, so publishing refuses it.
    const low = bytes.slice();
    const at = sectionOffset(low, 'sessionCounts');
    const view = new DataView(low.buffer);
    const item = Array.from({ length: 300 }, (_, i) => i).find((i) => view.getUint16(at + 2 * i, true) > 1)!;
    view.setUint16(at + 2 * item, view.getUint16(at + 2 * item, true) - 1, true);
    expect(() => verifyArtifact(low)).toThrow(/sessionCounts is below the sessions that hold item/);
  });

  it('stores the rules and next clicks as positions in their base rows when that is smaller, and reads back the same items', () => {
    const artifact = syntheticArtifact(300, 3000);
    const bytes = encodeArtifact(artifact);
    expect(header(bytes)).toMatchObject({ bases: { rules: 'covisit', next: 'rules' } });
    expect(sectionNames(bytes)).toEqual(expect.arrayContaining(['rules.positions', 'rules.extra', 'next.positions', 'next.extra']));
    expect(sectionNames(bytes)).not.toContain('rules.items');
    const decoded = decodeArtifact(bytes).index;
    for (const key of ['rules', 'next'] as const) expect(Array.from(decoded[key].items)).toEqual(Array.from(artifact.index[key].items));
    // A position past the end of its base row would read another item's neighbours: refused.
    const damaged = bytes.slice();
    damaged[sectionOffset(damaged, 'next.positions')] = 200;
    expect(() => decodeArtifact(damaged)).toThrow('artifact section next.positions points past its base row at 0');
  });

  it('lets a loaded model fill its rule and next-click rows on first use, the items loading them all at once gives', () => {
    const artifact = syntheticArtifact(300, 3000);
    const bytes = encodeArtifact(artifact);
    expect(sectionNames(bytes)).toEqual(expect.arrayContaining(['rules.escapes', 'next.escapes']));
    const lazy = decodeArtifact(bytes, { lazyRows: true }).index;
    // Nothing is filled before a row is read.
    for (const key of ['rules', 'next'] as const) expect(lazy[key].items.every((item) => item === 0)).toBe(true);
    // Rows read in any order, next clicks before the rules they are stored against, as training made them.
    for (let item = 299; item >= 0; item -= 7) {
      for (const key of ['next', 'rules'] as const) expect(Array.from(neighbourRow(lazy[key], item).items), `${key} ${item}`).toEqual(Array.from(neighbourRow(artifact.index[key], item).items));
    }
    // The loaded model answers as one whose rows were all filled at loading.
    const [eager, onFirstUse] = [loadModel(decodeArtifact(bytes)), loadModel(bytes)];
    for (const recent of [[5], [5, 6, 7], [120, 3, 77, 210], [299, 0]]) expect(recommend(onFirstUse, recent, 20)).toEqual(recommend(eager, recent, 20));
    // Written before the counts were stored (here: their sections renamed to names no reader knows), rows are filled at loading.
    const older = bytes.slice();
    const text = new TextDecoder().decode(older.subarray(16, 16 + header(older).headerLength)).replaceAll('.escapes"', '.ignored"');
    older.set(new TextEncoder().encode(text), 16);
    expect(sectionNames(older)).not.toContain('rules.escapes');
    const filled = decodeArtifact(older, { lazyRows: true }).index;
    for (const key of ['rules', 'next'] as const) {
      expect(filled[key].fill).toBeUndefined();
      expect(Array.from(filled[key].items)).toEqual(Array.from(artifact.index[key].items));
    }
  });

  it('refuses escape counts that do not match the positions: at publishing, and when a row is first read', () => {
    const bytes = encodeArtifact(syntheticArtifact(300, 3000));
    const at = sectionOffset(bytes, 'rules.escapes');
    expect(header(bytes).sections.find((s) => s.name === 'rules.escapes')!.kind).toBe('u8');
    // One escape moved from the first row that has one to the row after it: the total still adds up.
    const row = Array.from(bytes.subarray(at, at + 300)).findIndex((n) => n > 0);
    const damaged = bytes.slice();
    damaged[at + row]! -= 1;
    damaged[at + row + 1]! += 1;
    expect(() => verifyArtifact(damaged)).toThrow(`artifact section rules.escapes does not match its positions at row ${row}`);
    const lazy = decodeArtifact(damaged, { lazyRows: true }).index;
    expect(() => neighbourRow(lazy.rules, row)).toThrow(`artifact section rules.escapes does not match its positions at row ${row}`);
    const total = bytes.slice();
    total[at + row]! += 1;
    expect(() => decodeArtifact(total, { lazyRows: true })).toThrow(/artifact section rules.extra holds \d+ ids for \d+ escapes/);
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

  it('keeps neighbour scores as packed codes, read back as the values training saw', () => {
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

  it('reads an artifact from the parts it is stored in: each section inside its part in place, only one a boundary cuts copied', () => {
    const artifact = syntheticArtifact(300, 3000);
    const bytes = encodeArtifact(artifact);
    const spans = artifactSpans(bytes);
    const named = new Map(header(bytes).sections.map((s, i) => [s.name, spans[i]!]));
    const whole = loadModel(bytes);
    // Parts as KV returns them (each its own buffer): cut where publishing would, and at sizes that cut sections.
    for (const size of [partBytesFor(bytes.byteLength, spans), 4096, 5004, 8 * 1024]) {
      const parts = splitParts(bytes, size).map((part) => part.slice());
      const { index, reranker } = decodeArtifact(parts);
      const partOf = (at: number) => Math.floor(at / size);
      for (const [array, name] of [[index.sessions.values, 'sessions.values'], [index.covisit.items, 'covisit.items'], [index.covisit.scoreCodes, 'covisit.scores'], [index.age, 'age'], [reranker.mean, 'reranker.mean']] as const) {
        const [start, end] = named.get(name)!;
        const inOnePart = partOf(start) === partOf(end - 1);
        // In one part: a view on that part's own buffer; cut by a boundary: a copy of its bytes alone.
        expect(array.buffer === parts[partOf(start)]!.buffer, `${name} in parts of ${size}`).toBe(inOnePart);
        expect(array.buffer.byteLength, `${name} in parts of ${size}`).toBe(inOnePart ? parts[partOf(start)]!.byteLength : end - start);
      }
      const fromParts = loadModel(parts);
      for (const recent of [[5], [5, 6, 7], [120, 3, 77, 210], [299, 0]]) expect(recommend(fromParts, recent, 20), `parts of ${size}`).toEqual(recommend(whole, recent, 20));
    }
    // A part that is not aligned for its values (a view into a larger buffer) is copied from, not misread.
    const shifted = splitParts(bytes, 4096).map((part) => {
      const larger = new Uint8Array(part.byteLength + 2);
      larger.set(part, 2);
      return larger.subarray(2);
    });
    expect(recommend(loadModel(shifted), [5, 6, 7], 20)).toEqual(recommend(whole, [5, 6, 7], 20));
    expect(() => decodeArtifact([bytes.subarray(0, 20), bytes.subarray(20)])).toThrow('artifact header runs past its first part');
    expect(() => decodeArtifact(splitParts(bytes, 4096).slice(0, -1))).toThrow(/artifact truncated/);
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
    expect(header).toEqual({ modelVersion: 'test-1', dataset: 'synthetic', numItems: 101, formatVersion: ARTIFACT_FORMAT_VERSION, features: FEATURES.map((f) => f.name) });
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
    new DataView(badItem.buffer).setUint16(sectionOffset(badItem, 'covisit.items'), 5000, true);
    expect(() => decodeArtifact(badItem)).not.toThrow();
    expect(() => verifyArtifact(badItem)).toThrow(/covisit.* holds 5000, beyond 100/);
    const badLengths = bytes.slice();
    badLengths[sectionOffset(badLengths, 'covisit.lengths') + 2]! += 1;
    expect(() => decodeArtifact(badLengths)).toThrow(/covisit.items holds \d+ values, expected \d+/);
  });
});
