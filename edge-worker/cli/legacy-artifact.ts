/**
 * Reading the artifact layouts the Worker no longer reads. Format 3, before the Worker read
 * artifacts in place: a JSON header (with the shop id table as a JSON array) and sections that
 * were 16-bit, bfloat16 or delta-varint encoded. Format 4, read in place but storing the postings
 * and every table's offsets, which format 5 derives at loading. Only `npm run migrate-model` reads
 * them, to write the same model in the current format ({@link migrateArtifact}); the Worker
 * refuses them.
 */
import { ARTIFACT_MAGIC, type ModelArtifact, type ModelHeader, artifactFormat, encodeArtifact, verifyArtifact } from '../src/model/artifact';
import { buildPostings } from '../src/model/postings';
import { featureNames } from '../src/model/features';
import { buildItemIdTable } from '../src/model/item-ids';
import { DEFAULT_INDEX_OPTIONS, keepRecentSessions, scoreTable } from '../src/model/model-index';
import type { NeighbourTable, RowTable } from '../src/model/types';

/** The formats this module reads. */
export const LEGACY_FORMATS = [3, 4];

interface LegacySection {
  name: string;
  kind: 'u16' | 'u32' | 'f32' | 'bf16' | 'vdelta';
  length: number;
  byteOffset: number;
  byteLength: number;
}

interface LegacyHeader extends ModelHeader {
  sections: LegacySection[];
  itemIds?: string[];
}

/** Zigzag LEB128 varints of successive differences, back to the values. */
function undelta(bytes: Uint8Array, length: number): Uint32Array {
  const out = new Uint32Array(length);
  let at = 0;
  let prev = 0;
  for (let i = 0; i < length; i++) {
    let z = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (at >= bytes.length) throw new Error('format 3 artifact: a varint section is truncated');
      const b = bytes[at++] ?? 0;
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
    }
    prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    out[i] = prev;
  }
  return out;
}

/** One section's values: ids and offsets as Uint32Array, scores and weights as Float32Array. */
function sectionValues(bytes: Uint8Array, start: number, s: LegacySection): Uint32Array | Float32Array {
  const raw = bytes.slice(start + s.byteOffset, start + s.byteOffset + s.byteLength);
  if (raw.byteLength !== s.byteLength) throw new Error(`format 3 artifact: section ${s.name} is truncated`);
  if (s.kind === 'vdelta') return undelta(raw, s.length);
  if (s.kind === 'u16') return Uint32Array.from(new Uint16Array(raw.buffer, 0, s.length));
  if (s.kind === 'u32') return new Uint32Array(raw.buffer, 0, s.length);
  if (s.kind === 'f32') return new Float32Array(raw.buffer, 0, s.length);
  return new Float32Array(Uint32Array.from(new Uint16Array(raw.buffer, 0, s.length), (h) => h * 0x10000).buffer);
}

/** A format 3 artifact as the current in-memory model (scores quantized as stored now, the id table built). */
export function readLegacyArtifact(bytes: Uint8Array): ModelArtifact {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== ARTIFACT_MAGIC) throw new Error('not a Rapport model artifact (bad magic)');
  const format = view.getUint16(4, true);
  if (format !== 3) throw new Error(`this reads format 3 only; the artifact is format ${format}`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as LegacyHeader;
  if (header.features.join(',') !== featureNames(header.candidateOptions).join(',')) throw new Error('the artifact was trained with a different feature set; retrain it');
  const payload = Math.ceil((12 + headerLength) / 8) * 8;
  const sections = new Map(header.sections.map((s) => [s.name, s]));
  const read = (name: string): Uint32Array | Float32Array => {
    const s = sections.get(name);
    if (!s) throw new Error(`format 3 artifact: section ${name} missing`);
    return sectionValues(bytes, payload, s);
  };
  const u32 = (name: string) => read(name) as Uint32Array;
  const f32 = (name: string) => read(name) as Float32Array;
  const table = (name: string): NeighbourTable => scoreTable(u32(`${name}.offsets`), u32(`${name}.items`), f32(`${name}.scores`));
  return {
    ...legacyModel(header, f32, table, { offsets: u32('sessions.offsets'), values: u32('sessions.values') }, { offsets: u32('postings.offsets'), values: u32('postings.values') }, sections.has('copurchase.offsets')),
    ...(header.itemIds ? { itemIds: buildItemIdTable(header.itemIds) } : {}),
  };
}

/** The model both older formats store under the same section names, given readers of one's sections. */
function legacyModel(header: ModelHeader, f32: (name: string) => Float32Array, table: (name: string) => NeighbourTable, sessions: RowTable, postings: RowTable, copurchase: boolean): ModelArtifact {
  return {
    modelVersion: header.modelVersion,
    dataset: header.dataset,
    candidateOptions: header.candidateOptions,
    index: {
      numItems: header.numItems,
      sessions,
      postings,
      popularity: f32('popularity'),
      recentPopularity: f32('recentPopularity'),
      repeatRate: f32('repeatRate'),
      age: f32('age'),
      rules: table('rules'),
      next: table('next'),
      covisit: table('covisit'),
    },
    reranker: {
      mean: f32('reranker.mean'),
      std: f32('reranker.std'),
      layers: header.layers.map((l, i) => ({ ...l, kernel: f32(`reranker.${i}.kernel`), bias: f32(`reranker.${i}.bias`) })),
    },
    ...(copurchase ? { copurchase: table('copurchase') } : {}),
  };
}

type Format4Kind = 'u8' | 'u16' | 'u32' | 'f32';

interface Format4Header extends ModelHeader {
  sections: Array<{ name: string; kind: Format4Kind; length: number; byteOffset: number }>;
}

/**
 * A format 4 artifact as the current in-memory model: the same sections, read by copying, with
 * the postings rebuilt from the sessions (format 4 stored them, built with the same cap).
 */
export function readFormat4Artifact(bytes: Uint8Array): ModelArtifact {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16 || view.getUint32(0, true) !== ARTIFACT_MAGIC) throw new Error('not a Rapport model artifact (bad magic)');
  if (view.getUint16(4, true) !== 4) throw new Error(`this reads format 4 only; the artifact is format ${view.getUint16(4, true)}`);
  if (view.getUint32(12, true) !== bytes.byteLength) throw new Error(`format 4 artifact truncated: ${bytes.byteLength} of its ${view.getUint32(12, true)} bytes`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as Format4Header;
  if (header.features.join(',') !== featureNames(header.candidateOptions).join(',')) throw new Error('the artifact was trained with a different feature set; retrain it');
  const payload = Math.ceil((16 + headerLength) / 8) * 8;
  const sections = new Map(header.sections.map((s) => [s.name, s]));
  const width = { u8: 1, u16: 2, u32: 4, f32: 4 };
  const read = (name: string): Uint8Array | Uint32Array | Float32Array => {
    const s = sections.get(name);
    if (!s) throw new Error(`format 4 artifact: section ${name} missing`);
    const raw = bytes.slice(payload + s.byteOffset, payload + s.byteOffset + s.length * width[s.kind]);
    if (raw.byteLength !== s.length * width[s.kind]) throw new Error(`format 4 artifact: section ${name} is truncated`);
    if (s.kind === 'f32') return new Float32Array(raw.buffer, 0, s.length);
    if (s.kind === 'u8') return raw;
    return s.kind === 'u32' ? new Uint32Array(raw.buffer, 0, s.length) : Uint32Array.from(new Uint16Array(raw.buffer, 0, s.length));
  };
  const u32 = (name: string) => read(name) as Uint32Array;
  const f32 = (name: string) => read(name) as Float32Array;
  // One byte per score in format 4: each code's level, quantized again as this format stores scores.
  const table = (name: string): NeighbourTable => {
    const levels = f32(`${name}.levels`);
    const scores = Float32Array.from(read(`${name}.scores`), (code) => levels[code] ?? 0);
    return scoreTable(u32(`${name}.offsets`), u32(`${name}.items`), scores);
  };
  const sessions = { offsets: u32('sessions.offsets'), values: u32('sessions.values') };
  const stored = u32('postings.offsets');
  let cap = 0;
  for (let item = 0; item < header.numItems; item++) cap = Math.max(cap, (stored[item + 1] ?? 0) - (stored[item] ?? 0));
  return {
    ...legacyModel(header, f32, table, sessions, buildPostings(sessions, header.numItems, cap), sections.has('copurchase.offsets')),
    ...(sections.has('ids.offsets') ? { itemIds: { offsets: u32('ids.offsets'), bytes: read('ids.bytes') as Uint8Array, sorted: u32('ids.sorted') } } : {}),
    popular: u32('popular'),
  };
}

/**
 * An older artifact's bytes (format 3 or 4) in the current format, same model version;
 * session-kNN keeps the most recent `maxSessions` sessions (which bounds the size), the item
 * tables and the re-ranker are carried over as they are. Throws for anything but a servable
 * format 3 or 4 artifact.
 */
export function migrateArtifact(bytes: Uint8Array, maxSessions = DEFAULT_INDEX_OPTIONS.maxSessions): Uint8Array {
  const format = artifactFormat(bytes);
  if (!LEGACY_FORMATS.includes(format)) throw new Error(`migrate-model reads formats ${LEGACY_FORMATS.join(' and ')}; this artifact is format ${format}`);
  const artifact = format === 3 ? readLegacyArtifact(bytes) : readFormat4Artifact(bytes);
  const index = keepRecentSessions(artifact.index, { maxSessions, maxPostings: DEFAULT_INDEX_OPTIONS.maxPostings });
  const migrated = encodeArtifact({ ...artifact, index });
  verifyArtifact(migrated);
  return migrated;
}
