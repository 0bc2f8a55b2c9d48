/**
 * Reading format 3, the artifact layout before the Worker read artifacts in place: a JSON header
 * (with the shop id table as a JSON array) and sections that were 16-bit, bfloat16 or
 * delta-varint encoded. Only `npm run migrate-model` reads it, to write the same model in the
 * current format ({@link migrateArtifact}); the Worker refuses it.
 */
import { ARTIFACT_MAGIC, type ModelArtifact, type ModelHeader, encodeArtifact, verifyArtifact } from '../src/model/artifact';
import { FEATURES } from '../src/model/features';
import { buildItemIdTable } from '../src/model/item-ids';
import { DEFAULT_INDEX_OPTIONS, keepRecentSessions, quantizeScores } from '../src/model/model-index';
import type { NeighbourTable } from '../src/model/types';

/** The format this module reads. */
export const LEGACY_FORMAT = 3;

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

/** A format 3 artifact as the current in-memory model (scores in one byte, the id table built). */
export function readLegacyArtifact(bytes: Uint8Array): ModelArtifact {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== ARTIFACT_MAGIC) throw new Error('not a Rapport model artifact (bad magic)');
  const format = view.getUint16(4, true);
  if (format !== LEGACY_FORMAT) throw new Error(`this reads format ${LEGACY_FORMAT} only; the artifact is format ${format}`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as LegacyHeader;
  if (header.features.join(',') !== FEATURES.map((f) => f.name).join(',')) throw new Error('the artifact was trained with a different feature set; retrain it');
  const payload = Math.ceil((12 + headerLength) / 8) * 8;
  const sections = new Map(header.sections.map((s) => [s.name, s]));
  const read = (name: string): Uint32Array | Float32Array => {
    const s = sections.get(name);
    if (!s) throw new Error(`format 3 artifact: section ${name} missing`);
    return sectionValues(bytes, payload, s);
  };
  const u32 = (name: string) => read(name) as Uint32Array;
  const f32 = (name: string) => read(name) as Float32Array;
  const table = (name: string): NeighbourTable => {
    const { codes, levels } = quantizeScores(f32(`${name}.scores`));
    return { offsets: u32(`${name}.offsets`), items: u32(`${name}.items`), scoreCodes: codes, scoreLevels: levels };
  };
  return {
    modelVersion: header.modelVersion,
    dataset: header.dataset,
    candidateOptions: header.candidateOptions,
    index: {
      numItems: header.numItems,
      sessions: { offsets: u32('sessions.offsets'), values: u32('sessions.values') },
      postings: { offsets: u32('postings.offsets'), values: u32('postings.values') },
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
    ...(sections.has('copurchase.offsets') ? { copurchase: table('copurchase') } : {}),
    ...(header.itemIds ? { itemIds: buildItemIdTable(header.itemIds) } : {}),
  };
}

/**
 * A format 3 artifact's bytes in the current format, same model version; session-kNN keeps the
 * most recent `maxSessions` sessions (which bounds the size), the item tables and the re-ranker
 * are carried over as they are. Throws for anything but a servable format 3 artifact.
 */
export function migrateArtifact(bytes: Uint8Array, maxSessions = DEFAULT_INDEX_OPTIONS.maxSessions): Uint8Array {
  const artifact = readLegacyArtifact(bytes);
  const index = keepRecentSessions(artifact.index, { maxSessions, maxPostings: DEFAULT_INDEX_OPTIONS.maxPostings });
  const migrated = encodeArtifact({ ...artifact, index });
  verifyArtifact(migrated);
  return migrated;
}
