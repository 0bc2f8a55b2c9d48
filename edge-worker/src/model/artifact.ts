/**
 * The binary model artifact: one KV value holding the index, the re-ranker and the id table as
 * typed-array sections behind a small JSON header; encode for publishing, decode at the edge.
 */
import type { ModelIndex, NeighbourTable } from './types';
import type { CandidateOptions } from './candidates';
import { FEATURES } from './features';
import type { DenseWeights, RerankerWeights } from './reranker';

/** Everything the edge needs to recommend, as stored in one KV value. */
export interface ModelArtifact {
  /** Identifies the trained model (e.g. for logging which model made a decision). */
  modelVersion: string;
  /** Where the training sessions came from. */
  dataset: string;
  candidateOptions: CandidateOptions;
  index: ModelIndex;
  reranker: RerankerWeights;
  /** Items bought together, when training had orders (absent: "together" falls back to co-visits). */
  copurchase?: NeighbourTable;
  /**
   * The shop's item id for each model id, when the training data's ids were not plain integers
   * (SKUs like "ABC-123"); absent, the model id is the item id.
   */
  itemIds?: string[];
}

/** First four bytes of every artifact: "RPRT". */
export const ARTIFACT_MAGIC = 0x54525052;

/** Version of the binary layout; bump when the layout (not the model) changes. */
export const ARTIFACT_FORMAT_VERSION = 3;

/** Section encodings: plain arrays, bfloat16 (the top half of a float32), or zigzag varints of successive differences. */
type ArrayKind = 'u16' | 'u32' | 'f32' | 'bf16' | 'vdelta';

interface SectionEntry {
  name: string;
  kind: ArrayKind;
  /** Number of values. */
  length: number;
  byteOffset: number;
  byteLength: number;
}

interface Header {
  modelVersion: string;
  dataset: string;
  numItems: number;
  features: string[];
  candidateOptions: CandidateOptions;
  layers: Array<{ inputs: number; outputs: number }>;
  sections: SectionEntry[];
  itemIds?: string[];
}

const PREAMBLE_BYTES = 12;

/** Id sections whose successive values are close (offsets, newest-first session ids), so their differences are small varints. */
const DELTA_SECTIONS = new Set(['sessions.offsets', 'postings.offsets', 'postings.values', 'rules.offsets', 'next.offsets', 'covisit.offsets', 'copurchase.offsets']);

function narrowest(values: Uint32Array): ArrayKind {
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) > 0xffff) return 'u32';
  return 'u16';
}

/** Whether every value survives bfloat16 exactly (the index builder rounds its scores so they do). */
function fitsBfloat16(values: Float32Array): boolean {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) if (((bits[i] ?? 0) & 0xffff) !== 0) return false;
  return true;
}

function kindOf(name: string, values: Uint32Array | Float32Array): ArrayKind {
  if (values instanceof Float32Array) return values.length > 0 && fitsBfloat16(values) ? 'bf16' : 'f32';
  return DELTA_SECTIONS.has(name) ? 'vdelta' : narrowest(values);
}

/** Successive differences, zigzag-mapped to unsigned and written as LEB128 varints. */
function encodeDeltas(values: Uint32Array): Uint8Array {
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    const d = v - prev;
    prev = v;
    let z = d >= 0 ? 2 * d : -2 * d - 1;
    while (z >= 0x80) {
      out.push((z % 0x80) | 0x80);
      z = Math.floor(z / 0x80);
    }
    out.push(z);
  }
  return Uint8Array.from(out);
}

function decodeDeltas(bytes: Uint8Array, length: number): Uint32Array {
  const out = new Uint32Array(length);
  let at = 0;
  let prev = 0;
  for (let i = 0; i < length; i++) {
    let z = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new Error('artifact varint section truncated');
      const b = bytes[at++] ?? 0;
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    out[i] = prev;
  }
  return out;
}

/** A section's bytes in its encoding. */
function sectionBytes(kind: ArrayKind, values: Uint32Array | Float32Array): Uint8Array {
  if (kind === 'vdelta' && values instanceof Uint32Array) return encodeDeltas(values);
  if (kind === 'bf16') {
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const out = Uint16Array.from(bits, (b) => b >>> 16);
    return new Uint8Array(out.buffer);
  }
  const typed = kind === 'u16' ? new Uint16Array(values) : kind === 'u32' ? new Uint32Array(values) : new Float32Array(values);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** A neighbour table's three sections, named `<name>.offsets|items|scores`. */
function tableArrays(name: string, table: NeighbourTable): Array<[string, Uint32Array | Float32Array]> {
  return [
    [`${name}.offsets`, table.offsets],
    [`${name}.items`, table.items],
    [`${name}.scores`, table.scores],
  ];
}

function namedArrays(artifact: ModelArtifact): Array<[string, Uint32Array | Float32Array]> {
  const { index, reranker } = artifact;
  return [
    ['sessions.offsets', index.sessions.offsets],
    ['sessions.values', index.sessions.values],
    ['postings.offsets', index.postings.offsets],
    ['postings.values', index.postings.values],
    ['popularity', index.popularity],
    ['recentPopularity', index.recentPopularity],
    ['repeatRate', index.repeatRate],
    ['age', index.age],
    ...tableArrays('rules', index.rules),
    ...tableArrays('next', index.next),
    ...tableArrays('covisit', index.covisit),
    ['reranker.mean', reranker.mean],
    ['reranker.std', reranker.std],
    ...reranker.layers.flatMap((layer, i): Array<[string, Float32Array]> => [
      [`reranker.${i}.kernel`, layer.kernel],
      [`reranker.${i}.bias`, layer.bias],
    ]),
    ...(artifact.copurchase ? tableArrays('copurchase', artifact.copurchase) : []),
  ];
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Serialises an artifact: magic, format version, header length, a small JSON header, then aligned typed arrays. */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  const arrays = namedArrays(artifact);
  const sections: SectionEntry[] = [];
  const encoded: Uint8Array[] = [];
  let offset = 0;
  for (const [name, values] of arrays) {
    const kind = kindOf(name, values);
    const bytes = sectionBytes(kind, values);
    offset = align(offset, 4);
    sections.push({ name, kind, length: values.length, byteOffset: offset, byteLength: bytes.byteLength });
    encoded.push(bytes);
    offset += bytes.byteLength;
  }
  const header: Header = {
    modelVersion: artifact.modelVersion,
    dataset: artifact.dataset,
    numItems: artifact.index.numItems,
    features: FEATURES.map((f) => f.name),
    candidateOptions: artifact.candidateOptions,
    layers: artifact.reranker.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs })),
    sections,
    ...(artifact.itemIds ? { itemIds: artifact.itemIds } : {}),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align(PREAMBLE_BYTES + headerBytes.length, 8);
  const out = new Uint8Array(payloadStart + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, ARTIFACT_MAGIC, true);
  view.setUint16(4, ARTIFACT_FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  sections.forEach((section, i) => out.set(encoded[i] ?? new Uint8Array(0), payloadStart + section.byteOffset));
  return out;
}

/** Reads an artifact's header only (cheap), e.g. to log its model version. */
export function readArtifactHeader(data: ArrayBuffer | Uint8Array): { modelVersion: string; dataset: string; numItems: number; formatVersion: number } {
  const { header, formatVersion } = parsePreamble(toBytes(data));
  return { modelVersion: header.modelVersion, dataset: header.dataset, numItems: header.numItems, formatVersion };
}

function toBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function parsePreamble(bytes: Uint8Array): { header: Header; formatVersion: number; payloadStart: number } {
  if (bytes.byteLength < PREAMBLE_BYTES) throw new Error('artifact too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== ARTIFACT_MAGIC) throw new Error('not a Rapport model artifact (bad magic)');
  const formatVersion = view.getUint16(4, true);
  if (formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new Error(`artifact format ${formatVersion} unsupported (this build reads ${ARTIFACT_FORMAT_VERSION})`);
  }
  const headerLength = view.getUint32(8, true);
  if (PREAMBLE_BYTES + headerLength > bytes.byteLength) throw new Error('artifact header truncated');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength))) as Header;
  return { header, formatVersion, payloadStart: align(PREAMBLE_BYTES + headerLength, 8) };
}

/**
 * Decodes an artifact. 32-bit sections become views on the input when aligned (no copy);
 * 16-bit, bfloat16 and varint sections are widened once, so the returned arrays are what the
 * model code expects.
 */
export function decodeArtifact(data: ArrayBuffer | Uint8Array): ModelArtifact {
  const bytes = toBytes(data);
  const { header, payloadStart } = parsePreamble(bytes);
  const expected = FEATURES.map((f) => f.name);
  if (header.features.join(',') !== expected.join(',')) {
    throw new Error('artifact was trained with a different feature set; retrain it with this build');
  }
  const sections = new Map(header.sections.map((s) => [s.name, s]));
  const read = (name: string): Uint32Array | Float32Array => {
    const s = sections.get(name);
    if (s === undefined) throw new Error(`artifact section ${name} missing`);
    const start = bytes.byteOffset + payloadStart + s.byteOffset;
    if (payloadStart + s.byteOffset + s.byteLength > bytes.byteLength) throw new Error(`artifact section ${name} truncated`);
    const raw = bytes.subarray(payloadStart + s.byteOffset, payloadStart + s.byteOffset + s.byteLength);
    const copy = (): ArrayBuffer => bytes.buffer.slice(start, start + s.byteLength) as ArrayBuffer;
    if (s.kind === 'vdelta') return decodeDeltas(raw, s.length);
    if (s.kind === 'bf16') {
      const halves = start % 2 === 0 ? new Uint16Array(bytes.buffer, start, s.length) : new Uint16Array(copy());
      return new Float32Array(Uint32Array.from(halves, (h) => h * 0x10000).buffer);
    }
    const aligned = start % 4 === 0;
    if (s.kind === 'f32') return aligned ? new Float32Array(bytes.buffer, start, s.length) : new Float32Array(copy());
    if (s.kind === 'u32') return aligned ? new Uint32Array(bytes.buffer, start, s.length) : new Uint32Array(copy());
    return Uint32Array.from(start % 2 === 0 ? new Uint16Array(bytes.buffer, start, s.length) : new Uint16Array(copy()));
  };
  const u32 = (name: string): Uint32Array => {
    const a = read(name);
    if (!(a instanceof Uint32Array)) throw new Error(`artifact section ${name} has the wrong type`);
    return a;
  };
  const f32 = (name: string): Float32Array => {
    const a = read(name);
    if (!(a instanceof Float32Array)) throw new Error(`artifact section ${name} has the wrong type`);
    return a;
  };
  if (header.itemIds && (!Array.isArray(header.itemIds) || header.itemIds.length !== header.numItems)) {
    throw new Error('artifact item id table does not match its item count');
  }
  const table = (name: string): NeighbourTable => ({ offsets: u32(`${name}.offsets`), items: u32(`${name}.items`), scores: f32(`${name}.scores`) });
  const layers: DenseWeights[] = header.layers.map((l, i) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    kernel: f32(`reranker.${i}.kernel`),
    bias: f32(`reranker.${i}.bias`),
  }));
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
    reranker: { mean: f32('reranker.mean'), std: f32('reranker.std'), layers },
    ...(sections.has('copurchase.offsets') ? { copurchase: table('copurchase') } : {}),
    ...(header.itemIds ? { itemIds: header.itemIds } : {}),
  };
}
