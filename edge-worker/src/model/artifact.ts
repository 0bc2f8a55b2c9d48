/**
 * The binary model artifact: one KV value holding the index, the re-ranker and the id table as
 * typed-array sections behind a small JSON header. The Worker uses it in place: every section is
 * a fixed-width array at an aligned offset, so loading makes views over the fetched bytes and
 * decodes nothing (format 4; format 3's varints and widening took ~250 ms per fresh isolate).
 */
import type { Ids, IdRows, ModelIndex, NeighbourTable } from './types';
import type { CandidateOptions } from './candidates';
import { FEATURES } from './features';
import type { DenseWeights, RerankerWeights } from './reranker';
import { type ItemIdTable, findItemId, itemIdAt } from './item-ids';
import { SCORE_LEVELS, rowCount } from './rows';
import { FILL_DEPTH, popularOrder } from './popularity';

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
  itemIds?: ItemIdTable;
  /** The padding order (recently popular items), computed when encoding so a fresh isolate need not rank every item. */
  popular?: Ids;
}

/** First four bytes of every artifact: "RPRT". */
export const ARTIFACT_MAGIC = 0x54525052;

/** Version of the binary layout; bump when the layout (not the model) changes. */
export const ARTIFACT_FORMAT_VERSION = 4;

/** What an older format needs to serve again. */
const OLDER_FORMAT_ADVICE = 'convert it with `npm run migrate-model -- <old.bin> <new.bin>` or retrain it with `npm run train`';

/** Section element types, each read in place. */
type ArrayKind = 'u8' | 'u16' | 'u32' | 'f32';

type Section = Uint8Array | Uint16Array | Uint32Array | Float32Array;

interface SectionEntry {
  name: string;
  kind: ArrayKind;
  /** Number of values. */
  length: number;
  /** From the payload's start; a multiple of 8. */
  byteOffset: number;
}

/** What every format's JSON header says of the model (format 3 had the same, with other sections). */
export interface ModelHeader {
  modelVersion: string;
  dataset: string;
  numItems: number;
  features: string[];
  candidateOptions: CandidateOptions;
  layers: Array<{ inputs: number; outputs: number }>;
}

interface Header extends ModelHeader {
  sections: SectionEntry[];
}

/**
 * Magic, format version (u16), reserved (u16), header length (u32), the artifact's whole length
 * (u32): a reader holding only its first bytes (the first of several KV values) knows how many
 * more to fetch.
 */
const PREAMBLE_BYTES = 16;

const BYTES: Record<ArrayKind, number> = { u8: 1, u16: 2, u32: 4, f32: 4 };

/** Id sections: stored in 16 bits when every value fits. */
const ID_SECTIONS = /^(sessions\.values|postings\.values|\w+\.items|ids\.sorted|popular)$/;

function kindOf(values: Section): ArrayKind {
  if (values instanceof Float32Array) return 'f32';
  if (values instanceof Uint32Array) return 'u32';
  return values instanceof Uint16Array ? 'u16' : 'u8';
}

/** Ids in the narrowest width that holds them all. */
function narrowed(values: Ids): Ids {
  if (values instanceof Uint16Array) return values;
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) > 0xffff) return values;
  return Uint16Array.from(values);
}

/** A neighbour table's four sections, named `<name>.offsets|items|scores|levels`. */
function tableArrays(name: string, table: NeighbourTable): Array<[string, Section]> {
  return [
    [`${name}.offsets`, table.offsets],
    [`${name}.items`, table.items],
    [`${name}.scores`, table.scoreCodes],
    [`${name}.levels`, table.scoreLevels],
  ];
}

function namedArrays(artifact: ModelArtifact): Array<[string, Section]> {
  const { index, reranker, itemIds } = artifact;
  return [
    ['sessions.offsets', index.sessions.offsets],
    ['sessions.values', index.sessions.values],
    ['postings.offsets', index.postings.offsets],
    ['postings.values', index.postings.values],
    ['popularity', index.popularity],
    ['recentPopularity', index.recentPopularity],
    ['repeatRate', index.repeatRate],
    ['age', index.age],
    ['popular', artifact.popular ?? popularOrder(index.recentPopularity, FILL_DEPTH)],
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
    ...(itemIds ? ([['ids.offsets', itemIds.offsets], ['ids.bytes', itemIds.bytes], ['ids.sorted', itemIds.sorted]] as Array<[string, Section]>) : []),
  ];
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Serialises an artifact: magic, format version, header length, a small JSON header, then 8-byte-aligned typed arrays. */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  const arrays = namedArrays(artifact).map(([name, values]): [string, Section] => [name, ID_SECTIONS.test(name) ? narrowed(values as Ids) : values]);
  const sections: SectionEntry[] = [];
  let offset = 0;
  for (const [name, values] of arrays) {
    sections.push({ name, kind: kindOf(values), length: values.length, byteOffset: offset });
    offset = align(offset + values.byteLength, 8);
  }
  const header: Header = {
    modelVersion: artifact.modelVersion,
    dataset: artifact.dataset,
    numItems: artifact.index.numItems,
    features: FEATURES.map((f) => f.name),
    candidateOptions: artifact.candidateOptions,
    layers: artifact.reranker.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs })),
    sections,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align(PREAMBLE_BYTES + headerBytes.length, 8);
  const out = new Uint8Array(payloadStart + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, ARTIFACT_MAGIC, true);
  view.setUint16(4, ARTIFACT_FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  view.setUint32(12, out.byteLength, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  arrays.forEach(([, values], i) => out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), payloadStart + sections[i]!.byteOffset));
  return out;
}

function toBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/** The format version of an artifact's bytes, after checking the magic (so any older format can be named). */
export function artifactFormat(bytes: Uint8Array): number {
  if (bytes.byteLength < PREAMBLE_BYTES) throw new Error('artifact too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== ARTIFACT_MAGIC) throw new Error('not a Rapport model artifact (bad magic)');
  return view.getUint16(4, true);
}

/** An artifact's whole length in bytes, read from its first bytes (at least the preamble), after checking magic and format. */
export function artifactLength(first: Uint8Array): number {
  checkFormat(artifactFormat(first));
  return new DataView(first.buffer, first.byteOffset, first.byteLength).getUint32(12, true);
}

function checkFormat(formatVersion: number): void {
  if (formatVersion < ARTIFACT_FORMAT_VERSION) {
    throw new Error(`artifact format ${formatVersion} is older than the format this build reads (${ARTIFACT_FORMAT_VERSION}); ${OLDER_FORMAT_ADVICE}`);
  }
  if (formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new Error(`artifact format ${formatVersion} is newer than the format this build reads (${ARTIFACT_FORMAT_VERSION}); deploy the build that trained it`);
  }
}

function parsePreamble(bytes: Uint8Array): { header: Header; formatVersion: number; payloadStart: number } {
  const length = artifactLength(bytes);
  if (bytes.byteLength !== length) throw new Error(`artifact truncated: ${bytes.byteLength} of its ${length} bytes`);
  const formatVersion = ARTIFACT_FORMAT_VERSION;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (PREAMBLE_BYTES + headerLength > bytes.byteLength) throw new Error('artifact header truncated');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength))) as Header;
  return { header, formatVersion, payloadStart: align(PREAMBLE_BYTES + headerLength, 8) };
}

/** Reads an artifact's header only (cheap), e.g. to log its model version. */
export function readArtifactHeader(data: ArrayBuffer | Uint8Array): { modelVersion: string; dataset: string; numItems: number; formatVersion: number } {
  const { header, formatVersion } = parsePreamble(toBytes(data));
  return { modelVersion: header.modelVersion, dataset: header.dataset, numItems: header.numItems, formatVersion };
}

/** Bytes whose buffer starts 8-byte aligned, so every section can be viewed in place (a copy only for an odd slice). */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

/**
 * Reads an artifact in place: every array is a view on `data`, nothing is decoded or copied, so
 * loading costs O(sections), not O(size). Only the structure is checked here (sections present,
 * in bounds, of consistent lengths); {@link verifyArtifact} checks every value, once, at publishing.
 */
export function decodeArtifact(data: ArrayBuffer | Uint8Array): ModelArtifact {
  const bytes = aligned(toBytes(data));
  const { header, payloadStart } = parsePreamble(bytes);
  const expected = FEATURES.map((f) => f.name);
  if (header.features.join(',') !== expected.join(',')) {
    throw new Error('artifact was trained with a different feature set; retrain it with this build');
  }
  const { numItems } = header;
  const sections = new Map(header.sections.map((s) => [s.name, s]));
  const read = (name: string, kinds: readonly ArrayKind[], length?: number): Section => {
    const s = sections.get(name);
    if (s === undefined) throw new Error(`artifact section ${name} missing`);
    if (!kinds.includes(s.kind)) throw new Error(`artifact section ${name} is ${s.kind}, expected ${kinds.join(' or ')}`);
    if (length !== undefined && s.length !== length) throw new Error(`artifact section ${name} holds ${s.length} values, expected ${length}`);
    const start = bytes.byteOffset + payloadStart + s.byteOffset;
    if (s.byteOffset % 8 !== 0 || payloadStart + s.byteOffset + s.length * BYTES[s.kind] > bytes.byteLength) throw new Error(`artifact section ${name} truncated`);
    const { buffer } = bytes;
    if (s.kind === 'f32') return new Float32Array(buffer, start, s.length);
    if (s.kind === 'u32') return new Uint32Array(buffer, start, s.length);
    return s.kind === 'u16' ? new Uint16Array(buffer, start, s.length) : new Uint8Array(buffer, start, s.length);
  };
  const f32 = (name: string, length?: number) => read(name, ['f32'], length) as Float32Array;
  const offsets = (name: string, rows: number) => read(name, ['u32'], rows + 1) as Uint32Array;
  const last = (o: Uint32Array) => o[o.length - 1] ?? 0;
  const ids = (name: string, length: number) => read(name, ['u16', 'u32'], length) as Ids;
  const table = (name: string): NeighbourTable => {
    const o = offsets(`${name}.offsets`, numItems);
    const levels = f32(`${name}.levels`);
    if (levels.length === 0 || levels.length > SCORE_LEVELS) throw new Error(`artifact section ${name}.levels holds ${levels.length} levels, expected 1 to ${SCORE_LEVELS}`);
    return { offsets: o, items: ids(`${name}.items`, last(o)), scoreCodes: read(`${name}.scores`, ['u8'], last(o)) as Uint8Array, scoreLevels: levels };
  };
  const rows = (name: string, count: number): IdRows => {
    const o = offsets(`${name}.offsets`, count);
    return { offsets: o, values: ids(`${name}.values`, last(o)) };
  };
  const sessionCount = (sections.get('sessions.offsets')?.length ?? 1) - 1;
  const layers: DenseWeights[] = header.layers.map((l, i) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    kernel: f32(`reranker.${i}.kernel`, l.inputs * l.outputs),
    bias: f32(`reranker.${i}.bias`, l.outputs),
  }));
  let itemIds: ItemIdTable | undefined;
  if (sections.has('ids.offsets')) {
    const o = offsets('ids.offsets', numItems);
    itemIds = { offsets: o, bytes: read('ids.bytes', ['u8'], last(o)) as Uint8Array, sorted: ids('ids.sorted', numItems) };
  }
  return {
    modelVersion: header.modelVersion,
    dataset: header.dataset,
    candidateOptions: header.candidateOptions,
    index: {
      numItems,
      sessions: rows('sessions', sessionCount),
      postings: rows('postings', numItems),
      popularity: f32('popularity', numItems),
      recentPopularity: f32('recentPopularity', numItems),
      repeatRate: f32('repeatRate', numItems),
      age: f32('age', numItems),
      rules: table('rules'),
      next: table('next'),
      covisit: table('covisit'),
    },
    reranker: { mean: f32('reranker.mean', FEATURES.length), std: f32('reranker.std', FEATURES.length), layers },
    ...(sections.has('copurchase.offsets') ? { copurchase: table('copurchase') } : {}),
    ...(itemIds ? { itemIds } : {}),
    popular: ids('popular', sections.get('popular')?.length ?? 0),
  };
}

/** Throws unless a CSR table's offsets never decrease. */
function checkOffsets(name: string, offsets: Uint32Array): void {
  for (let r = 1; r < offsets.length; r++) if ((offsets[r] ?? 0) < (offsets[r - 1] ?? 0)) throw new Error(`artifact section ${name}.offsets decreases at row ${r}`);
}

/** Throws unless every id is below `bound`. */
function checkIds(name: string, values: ArrayLike<number>, bound: number): void {
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) >= bound) throw new Error(`artifact section ${name} holds ${values[i]}, beyond ${bound - 1}`);
}

function checkRows(name: string, rows: IdRows | NeighbourTable, bound: number): void {
  checkOffsets(name, rows.offsets);
  checkIds(name, 'values' in rows ? rows.values : rows.items, bound);
}

/**
 * Decodes an artifact and checks every value the request path indexes with (offsets in order, item
 * and session ids in range, an id table where every id is found again), so a published artifact
 * is read in place without checks. Publishing runs it; loading does not.
 */
export function verifyArtifact(data: ArrayBuffer | Uint8Array): ModelArtifact {
  const artifact = decodeArtifact(data);
  const { index, copurchase, itemIds } = artifact;
  const { numItems } = index;
  checkRows('sessions', index.sessions, numItems);
  checkRows('postings', index.postings, rowCount(index.sessions));
  checkIds('popular', artifact.popular ?? new Uint16Array(0), numItems);
  for (const [name, table] of [['rules', index.rules], ['next', index.next], ['covisit', index.covisit], ['copurchase', copurchase]] as const) {
    if (!table) continue;
    checkRows(name, table, numItems);
    checkIds(`${name}.scores`, table.scoreCodes, table.scoreLevels.length);
  }
  if (itemIds) {
    checkOffsets('ids', itemIds.offsets);
    checkIds('ids.sorted', itemIds.sorted, numItems);
    for (let m = 0; m < numItems; m++) {
      if (findItemId(itemIds, itemIdAt(itemIds, m)) !== m) throw new Error(`artifact id table does not find model id ${m} (${JSON.stringify(itemIdAt(itemIds, m))}) again`);
    }
  }
  return artifact;
}
