/**
 * The binary model artifact: one KV value holding the index, the re-ranker and the id table as
 * typed-array sections behind a small JSON header. The Worker uses it in place: every section is
 * a fixed-width array at an aligned offset, so loading makes views over the fetched bytes (format
 * 3's varints and widening took ~250 ms per fresh isolate). What can be derived is not stored
 * (format 5): session-kNN's postings are the sessions inverted, every table's offsets are its
 * row lengths summed, and the rules and next clicks are positions in another table's rows, so
 * loading rebuilds those (postings.ts, relativeRows) instead of reading 6 MB more (the repeat
 * rates are stored although clicks and session counts give them back: recomputed, they cost a
 * fresh isolate ~7 ms for 172 KB); click counts take 16 bits, neighbour scores 4
 * (SCORE_BITS). A loaded model fills the rule and next-click rows on first use: each row's
 * escape count is stored (`<name>.escapes`, 1 byte an item) so a row is found without the rows
 * before it; artifacts without those sections are filled at once.
 */
import type { Ids, IdRows, ModelIndex, NeighbourTable } from './types';
import type { CandidateOptions } from './candidates';
import { FEATURES, featureNames } from './features';
import type { DenseWeights, RerankerWeights } from './reranker';
import { type ItemIdTable, findItemId, itemIdAt } from './item-ids';
import { SCORE_LEVELS, packedCodeBytes, positionInRow, rowCount, rowEnd, rowLength, rowStart, scoreCode } from './rows';
import { buildPostings, lengthsFromOffsets, offsetsFromLengths } from './postings';
import { FILL_DEPTH, popularOrder } from './popularity';
import { zeroedBuffer } from './zeroed';

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
  /** Where the item tables' rows lie, shard by shard (artifacts that store them last); absent in artifacts written before. */
  shards?: ModelShards;
}

/**
 * The rows of the item tables (co-visits, rules, next clicks: their ids, positions, extra ids and
 * scores) are stored after everything else, so an artifact is a core (every byte before
 * `rowsStart`: the sessions, the per-item arrays, the tables' row lengths and escape counts, the
 * re-ranker) and its rows, which cut into shards by item range: shard k holds the rows of items
 * [k·shardItems, (k+1)·shardItems). A decision reads rows of its query items only (the links back
 * to the last item are counted in the sessions: candidates.ts), so it needs the core and its
 * query items' shards, not the whole artifact.
 */
export interface ModelShards {
  shardItems: number;
  count: number;
  numItems: number;
  /** Where the rows start, in bytes from the artifact's first byte: every byte before is the core. */
  rowsStart: number;
  /**
   * The row sections in the order they are stored: where each starts (bytes from the artifact's
   * first), each item's first element in it (by item, one more than there are items), and the
   * bytes of an element (0: score codes, two to a byte). `shards.ts` cuts them by item range.
   */
  sections: ReadonlyArray<{ at: number; offsets: Uint32Array; width: number }>;
}

/**
 * An artifact's bytes: whole, or as the consecutive parts it is stored in (KV values, see
 * `published/parts.ts`), each section then viewed inside the part that holds it.
 */
export type ArtifactBytes = ArrayBuffer | Uint8Array | readonly Uint8Array[];

/** First four bytes of every artifact: "RPRT". */
export const ARTIFACT_MAGIC = 0x54525052;

/** Version of the binary layout; bump when the layout (not the model) changes. */
export const ARTIFACT_FORMAT_VERSION = 5;

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
  /** The postings' cap: each item's most recent sessions that loading keeps when it inverts the sessions. */
  postingsCap: number;
  /** Tables stored relative to another (see {@link RELATIVE_TABLES}): table name → its base's name. */
  bases: Record<string, string>;
  /** Where the row sections start (from the payload's start) and how many items a shard of them holds (see {@link ModelShards}); absent in artifacts written before. */
  rows?: { start: number; shardItems: number };
}

/** The row sections of the item tables, stored last: what shards hold. */
const ROW_SECTIONS = /^(covisit|rules|next)\.(items|positions|extra|scores)$/;

/** About how many bytes of rows a shard holds: a product page's decision reads one. */
export const SHARD_BYTES = 128 * 1024;

/**
 * Tables whose items mostly recur in another table's row for the same item, so they are stored as
 * positions in that row (one byte instead of an id): on Diginetica 71 % of the sequential rules
 * are among the co-visits and 99 % of the next clicks among the rules. Each is stored so only when
 * that is smaller; the base is read first.
 */
const RELATIVE_TABLES: ReadonlyArray<readonly [table: 'rules' | 'next', base: 'covisit' | 'rules']> = [
  ['rules', 'covisit'],
  ['next', 'rules'],
];

/** A position that says "not in the base row": the item is the table's next `extra` id. */
const ESCAPE = 0xff;

/** A table's items as positions in its base's row of the same item, ESCAPE for those not there (listed in order in `extra`). */
function relativeItems(table: NeighbourTable, base: NeighbourTable, numItems: number): { positions: Uint8Array; extra: Ids } {
  const positions = new Uint8Array(table.items.length);
  const extra: number[] = [];
  for (let item = 0; item < numItems; item++) {
    table.fill?.(item);
    const baseStart = rowStart(base, item);
    for (let q = rowStart(table, item), end = rowEnd(table, item); q < end; q++) {
      const at = positionInRow(base, item, table.items[q] ?? 0);
      const position = at < 0 ? ESCAPE : at - baseStart;
      if (position >= ESCAPE) extra.push(table.items[q] ?? 0);
      positions[q] = Math.min(position, ESCAPE);
    }
  }
  return { positions, extra: narrowed(Uint32Array.from(extra)) };
}

/** Where each row's escapes start in `extra`, from the escapes per row (`<name>.escapes`). */
function escapeOffsets(positions: Uint8Array, offsets: Uint32Array): Uint32Array {
  const out = new Uint32Array(offsets.length);
  for (let r = 0; r + 1 < offsets.length; r++) {
    let n = 0;
    for (let q = offsets[r] ?? 0, end = offsets[r + 1] ?? 0; q < end; q++) if (positions[q] === ESCAPE) n++;
    out[r + 1] = (out[r] ?? 0) + n;
  }
  return out;
}

/**
 * Fills row `item` of a relative table's items from its positions, its extra ids from `e` on, and
 * its base's row of the same item. Throws for a position outside the base row; returns where the
 * row's escapes ended in `extra`.
 */
function fillRow(name: string, item: number, offsets: Uint32Array, positions: Uint8Array, extra: Ids, e: number, base: NeighbourTable, items: Ids): number {
  base.fill?.(item);
  const baseStart = base.offsets[item] ?? 0;
  const baseLength = (base.offsets[item + 1] ?? 0) - baseStart;
  for (let q = offsets[item] ?? 0, end = offsets[item + 1] ?? 0; q < end; q++) {
    const position = positions[q] ?? 0;
    if (position === ESCAPE) items[q] = extra[e++] ?? 0;
    else if (position < baseLength) items[q] = base.items[baseStart + position] ?? 0;
    else throw new Error(`artifact section ${name}.positions points past its base row at ${q}`);
  }
  return e;
}

/**
 * A relative table's items again, from its positions, its extra ids and its base: all at once
 * (`escapes` undefined or checked row by row), or, with `lazy`, each row on first use through the
 * table's `fill` (`escapes`, each row's first extra id, says where a row's extra ids start without
 * reading the rows before it). Throws for a position outside its base row or extra ids that do not
 * match the escapes, so a damaged artifact is not read as other items.
 */
function relativeRows(name: string, offsets: Uint32Array, positions: Uint8Array, extra: Ids, base: NeighbourTable, escapes: Uint32Array | undefined, lazy: boolean): Pick<NeighbourTable, 'items' | 'fill'> {
  const kind = base.items instanceof Uint16Array && extra instanceof Uint16Array ? Uint16Array : Uint32Array;
  // Filled lazily, most rows never are: zeros whose pages cost nothing until written.
  const items = new kind(zeroedBuffer(kind.BYTES_PER_ELEMENT * positions.length), 0, positions.length);
  const rows = offsets.length - 1;
  if (escapes && (escapes[rows] ?? 0) !== extra.length) throw new Error(`artifact section ${name}.extra holds ${extra.length} ids for ${escapes[rows]} escapes`);
  if (lazy && escapes) {
    const filled = new Uint8Array(rows);
    const fill = (r: number) => {
      if (!(r >= 0 && r < rows) || filled[r]) return;
      filled[r] = 1;
      const e = fillRow(name, r, offsets, positions, extra, escapes[r] ?? 0, base, items);
      if (e !== (escapes[r + 1] ?? 0)) throw new Error(`artifact section ${name}.escapes does not match its positions at row ${r}`);
    };
    return { items, fill };
  }
  let e = 0;
  for (let item = 0; item < rows; item++) {
    e = fillRow(name, item, offsets, positions, extra, e, base, items);
    if (escapes && e !== (escapes[item + 1] ?? 0)) throw new Error(`artifact section ${name}.escapes does not match its positions at row ${item}`);
  }
  if (e !== extra.length) throw new Error(`artifact section ${name}.extra holds ${extra.length} ids for ${e} escapes`);
  return { items };
}

/**
 * Magic, format version (u16), reserved (u16), header length (u32), the artifact's whole length
 * (u32): a reader holding only its first bytes (the first of several KV values) knows how many
 * more to fetch.
 */
const PREAMBLE_BYTES = 16;

const BYTES: Record<ArrayKind, number> = { u8: 1, u16: 2, u32: 4, f32: 4 };

/** Id sections: stored in 16 bits when every value fits. */
const ID_SECTIONS = /^(sessions\.values|\w+\.items|\w+\.extra|ids\.sorted|popular)$/;

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

/** Counts as 16-bit integers when they all are such, else as they are. */
function narrowedCounts(values: Float32Array): Section {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) return values;
  }
  return Uint16Array.from(values);
}

/** An item's repeat rate from its clicks and the sessions it was clicked in, as training computes it. */
const repeatRateOf = (clicks: number, sessions: number): number => Math.fround(clicks > 0 ? (clicks - sessions) / clicks : 0);

/**
 * Per item, how many training sessions it was clicked in, recovered from its clicks and repeat
 * rate, when that gives back every repeat rate exactly in 16 bits (it does for counts below
 * 65,536): stored, it bounds each item's postings so loading builds them in one pass (artifacts
 * written before the rates were stored beside it give the rates back from it). Undefined when
 * any item does not come back exactly.
 */
function sessionCounts(index: ModelIndex): Uint16Array | undefined {
  const counts = new Uint16Array(index.numItems);
  for (let i = 0; i < index.numItems; i++) {
    const clicks = index.popularity[i] ?? 0;
    const rate = index.repeatRate[i] ?? 0;
    const sessions = Math.round(clicks - rate * clicks);
    if (!Number.isInteger(clicks) || sessions < 0 || sessions > 0xffff || repeatRateOf(clicks, sessions) !== rate) return undefined;
    counts[i] = sessions;
  }
  return counts;
}

/** The longest row of an index's postings: the cap they were built with, as far as it shows (a cap no row reached changes nothing). */
function postingsCap(index: ModelIndex): number {
  let longest = 0;
  for (let item = 0; item < index.numItems; item++) longest = Math.max(longest, rowLength(index.postings, item));
  return longest;
}

type Relative = Map<string, { positions: Uint8Array; extra: Ids }>;

const idBytes = (ids: Ids): number => narrowed(ids).byteLength;

/** The tables of RELATIVE_TABLES stored relative to their base, each only where that takes fewer bytes than its ids. */
function relativeTables(index: ModelIndex): Relative {
  const relative: Relative = new Map();
  for (const [name, base] of RELATIVE_TABLES) {
    const stored = relativeItems(index[name], index[base], index.numItems);
    if (stored.positions.byteLength + idBytes(stored.extra) < idBytes(index[name].items)) relative.set(name, stored);
  }
  return relative;
}

/** A neighbour table's sections: `<name>.lengths|items|scores|levels`, or `.positions|extra` for the items of one stored relative to its base. */
function tableArrays(name: string, table: NeighbourTable, relative?: Relative): Array<[string, Section]> {
  const stored = relative?.get(name);
  const items: Array<[string, Section]> = stored
    ? [
        [`${name}.positions`, stored.positions],
        [`${name}.extra`, stored.extra],
        // Each row's escapes, so a loaded model fills a row on first use without reading the rows before it.
        [`${name}.escapes`, lengthsFromOffsets(escapeOffsets(stored.positions, table.offsets))],
      ]
    : [[`${name}.items`, table.items]];
  return [[`${name}.lengths`, lengthsFromOffsets(table.offsets)], ...items, [`${name}.scores`, table.scoreCodes], [`${name}.levels`, table.scoreLevels]];
}

function namedArrays(artifact: ModelArtifact, relative: Relative): Array<[string, Section]> {
  const { index, reranker, itemIds } = artifact;
  return [
    ['sessions.lengths', lengthsFromOffsets(index.sessions.offsets)],
    ...((): Array<[string, Section]> => {
      const counts = sessionCounts(index);
      return counts ? [['sessionCounts', counts]] : [];
    })(),
    // Stored although the session counts give them back: recomputed, they took a fresh isolate ~7 ms (a float loop before it is compiled).
    ['repeatRate', index.repeatRate],
    ['sessions.values', index.sessions.values],
    ['popularity', narrowedCounts(index.popularity)],
    ['recentPopularity', narrowedCounts(index.recentPopularity)],
    ['age', index.age],
    ['popular', artifact.popular ?? popularOrder(index.recentPopularity, FILL_DEPTH)],
    ...tableArrays('covisit', index.covisit),
    ...tableArrays('rules', index.rules, relative),
    ...tableArrays('next', index.next, relative),
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

/**
 * Serialises an artifact: magic, format version, header length, a small JSON header, then
 * 8-byte-aligned typed arrays, the core's first and the tables' rows last, cut into shards of
 * about `shardBytes` (SHARD_BYTES) by item range (see {@link ModelShards}).
 */
export function encodeArtifact(artifact: ModelArtifact, options: { shardBytes?: number } = {}): Uint8Array {
  const relative = relativeTables(artifact.index);
  const named = namedArrays(artifact, relative).map(([name, values]): [string, Section] => [name, ID_SECTIONS.test(name) ? narrowed(values as Ids) : values]);
  // The core first, then the rows, which shards hold.
  const arrays = [...named.filter(([name]) => !ROW_SECTIONS.test(name)), ...named.filter(([name]) => ROW_SECTIONS.test(name))];
  const sections: SectionEntry[] = [];
  let offset = 0;
  let rowsStart = -1;
  for (const [name, values] of arrays) {
    if (rowsStart < 0 && ROW_SECTIONS.test(name)) rowsStart = offset;
    sections.push({ name, kind: kindOf(values), length: values.length, byteOffset: offset });
    offset = align(offset + values.byteLength, 8);
  }
  const { numItems } = artifact.index;
  const shardCount = Math.max(1, Math.ceil((offset - rowsStart) / (options.shardBytes ?? SHARD_BYTES)));
  const header: Header = {
    modelVersion: artifact.modelVersion,
    dataset: artifact.dataset,
    numItems: artifact.index.numItems,
    features: featureNames(artifact.candidateOptions),
    candidateOptions: artifact.candidateOptions,
    layers: artifact.reranker.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs })),
    sections,
    postingsCap: postingsCap(artifact.index),
    bases: Object.fromEntries(RELATIVE_TABLES.filter(([name]) => relative.has(name))),
    rows: { start: rowsStart, shardItems: Math.max(1, Math.ceil(numItems / shardCount)) },
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

/** The preamble and header, from the artifact's first bytes (`first`), of an artifact `total` bytes long in all. */
function parsePreamble(first: Uint8Array, total = first.byteLength): { header: Header; formatVersion: number; payloadStart: number } {
  const length = artifactLength(first);
  if (total !== length) throw new Error(`artifact truncated: ${total} of its ${length} bytes`);
  const formatVersion = ARTIFACT_FORMAT_VERSION;
  const headerLength = new DataView(first.buffer, first.byteOffset, first.byteLength).getUint32(8, true);
  if (PREAMBLE_BYTES + headerLength > first.byteLength) throw new Error(total > first.byteLength ? 'artifact header runs past its first part' : 'artifact header truncated');
  const header = JSON.parse(new TextDecoder().decode(first.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength))) as Header;
  return { header, formatVersion, payloadStart: align(PREAMBLE_BYTES + headerLength, 8) };
}

/**
 * How many of an artifact's bytes publishing stores as its value (in parts), from its first part:
 * the core alone where its rows go in shards (see {@link ModelShards}), else the whole artifact.
 */
export function storedArtifactLength(first: Uint8Array): number {
  const total = artifactLength(first);
  const { header, payloadStart } = parsePreamble(first, total);
  return shardable(header) ? Math.min(total, payloadStart + header.rows!.start) : total;
}

/** Whether an artifact's rows can be cut into shards: stored last, and every relative table's extra ids cut by its escape counts. */
function shardable(header: Header): boolean {
  const names = new Set(header.sections.map((section) => section.name));
  return header.rows !== undefined && Object.keys(header.bases ?? {}).every((name) => names.has(`${name}.escapes`));
}

/** Reads an artifact's header only (cheap), e.g. to log its model version. */
export function readArtifactHeader(data: ArrayBuffer | Uint8Array): { modelVersion: string; dataset: string; numItems: number; formatVersion: number; features: string[] } {
  const { header, formatVersion } = parsePreamble(toBytes(data));
  return { modelVersion: header.modelVersion, dataset: header.dataset, numItems: header.numItems, formatVersion, features: header.features };
}

/** Bytes whose buffer starts 8-byte aligned, so every section can be viewed in place (a copy only for an odd slice). */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

/** Where each section of a whole artifact lies, [start, end) in bytes: what publishing keeps whole when it cuts the artifact into parts. */
export function artifactSpans(bytes: Uint8Array): Array<[number, number]> {
  const { header, payloadStart } = parsePreamble(bytes);
  return header.sections.map((s): [number, number] => [payloadStart + s.byteOffset, payloadStart + s.byteOffset + s.length * BYTES[s.kind]]);
}

/**
 * The bytes of [start, end) of an artifact stored as consecutive `parts`, as a view that can hold
 * `kind`'s values in place: inside the part that holds them (no copy), or, when a part boundary
 * cuts them or they are not aligned for `kind`, a copy of those bytes alone.
 */
function spanOf(parts: readonly Uint8Array[], starts: readonly number[], start: number, end: number, kind: ArrayKind): Uint8Array {
  let p = 0;
  while (p + 1 < parts.length && starts[p + 1]! <= start) p++;
  const part = parts[p]!;
  const from = start - starts[p]!;
  if (end - starts[p]! <= part.byteLength && (part.byteOffset + from) % BYTES[kind] === 0) return part.subarray(from, end - starts[p]!);
  const copy = new Uint8Array(end - start);
  for (let at = start, q = p; at < end; q++) {
    const piece = parts[q]!.subarray(at - starts[q]!, Math.min(parts[q]!.byteLength, end - starts[q]!));
    copy.set(piece, at - start);
    at += piece.byteLength;
  }
  return copy;
}

/**
 * Reads an artifact in place: every stored array is a view on `data`, nothing is decoded or
 * copied (given in parts, a section is viewed inside the part that holds it; only a section a
 * part boundary cuts is copied, which publishing avoids: `partBytesFor`). What loading builds
 * is derived: offsets from row lengths (~320k numbers for Diginetica), the postings from the
 * sessions (one pass over ~0.9 M clicks, two without session counts), the relative tables'
 * items from their positions (~1.2 M). Only the structure is checked here (sections present, in
 * bounds, of consistent lengths); {@link verifyArtifact} checks every value, once, at
 * publishing. With `lazyRows` the relative tables' rows are filled as they are read; with
 * `deferPostings` the postings are built when first read, and session-kNN scans the sessions
 * until then (sknn.ts).
 */
export function decodeArtifact(data: ArtifactBytes, options: { lazyRows?: boolean; deferPostings?: boolean } = {}): ModelArtifact {
  const parts = Array.isArray(data) ? (data as readonly Uint8Array[]) : [aligned(toBytes(data as ArrayBuffer | Uint8Array))];
  if (parts.length === 0) throw new Error('artifact has no bytes');
  const starts: number[] = [];
  let total = 0;
  for (const part of parts) {
    starts.push(total);
    total += part.byteLength;
  }
  const { header, payloadStart } = parsePreamble(parts[0]!, total);
  if (typeof header.candidateOptions !== 'object' || header.candidateOptions === null) throw new Error('artifact header has no candidate options');
  const links = header.candidateOptions.linksToLast;
  if (links !== undefined && !(Number.isInteger(links?.window) && links.window >= 1 && links.window <= 64)) {
    throw new Error('artifact header has a linksToLast without a window of 1 to 64 clicks');
  }
  if (header.features.join(',') !== featureNames(header.candidateOptions).join(',')) {
    throw new Error('artifact was trained with a different feature set; retrain it with this build');
  }
  const { numItems } = header;
  const sections = new Map(header.sections.map((s) => [s.name, s]));
  const read = (name: string, kinds: readonly ArrayKind[], length?: number): Section => {
    const s = sections.get(name);
    if (s === undefined) throw new Error(`artifact section ${name} missing`);
    if (!kinds.includes(s.kind)) throw new Error(`artifact section ${name} is ${s.kind}, expected ${kinds.join(' or ')}`);
    if (length !== undefined && s.length !== length) throw new Error(`artifact section ${name} holds ${s.length} values, expected ${length}`);
    const start = payloadStart + s.byteOffset;
    const end = start + s.length * BYTES[s.kind];
    if (s.byteOffset % 8 !== 0 || end > total) throw new Error(`artifact section ${name} truncated`);
    const { buffer, byteOffset } = spanOf(parts, starts, start, end, s.kind);
    if (s.kind === 'f32') return new Float32Array(buffer, byteOffset, s.length);
    if (s.kind === 'u32') return new Uint32Array(buffer, byteOffset, s.length);
    return s.kind === 'u16' ? new Uint16Array(buffer, byteOffset, s.length) : new Uint8Array(buffer, byteOffset, s.length);
  };
  const f32 = (name: string, length?: number) => read(name, ['f32'], length) as Float32Array;
  const offsets = (name: string, rows: number) => read(name, ['u32'], rows + 1) as Uint32Array;
  const lengths = (name: string, rows: number) => offsetsFromLengths(read(`${name}.lengths`, ['u8', 'u16', 'u32'], rows));
  const last = (o: Uint32Array) => o[o.length - 1] ?? 0;
  const ids = (name: string, length: number) => read(name, ['u16', 'u32'], length) as Ids;
  const counts = (name: string): Float32Array => {
    const values = read(name, ['f32', 'u16'], numItems);
    return values instanceof Float32Array ? values : new Float32Array(values);
  };
  const tables = new Map<string, NeighbourTable>();
  const bases = header.bases ?? {};
  // Per row section, the element offsets of each item's row in it (what a shard's byte ranges are cut by).
  const rowOffsets = new Map<string, Uint32Array>();
  const table = (name: string): NeighbourTable => {
    const o = lengths(name, numItems);
    for (const part of ['items', 'positions', 'scores']) rowOffsets.set(`${name}.${part}`, o);
    const levels = f32(`${name}.levels`);
    if (levels.length === 0 || levels.length > SCORE_LEVELS) throw new Error(`artifact section ${name}.levels holds ${levels.length} levels, expected 1 to ${SCORE_LEVELS}`);
    const baseName = bases[name];
    let rows: Pick<NeighbourTable, 'items' | 'fill'>;
    if (baseName === undefined) rows = { items: ids(`${name}.items`, last(o)) };
    else {
      const base = tables.get(baseName);
      if (base === undefined) throw new Error(`artifact table ${name} is stored relative to ${baseName}, which is not read before it`);
      const positions = read(`${name}.positions`, ['u8'], last(o)) as Uint8Array;
      const extra = ids(`${name}.extra`, sections.get(`${name}.extra`)?.length ?? 0);
      // Artifacts written before the escape counts were stored are filled at once.
      const escapes = sections.has(`${name}.escapes`) ? offsetsFromLengths(read(`${name}.escapes`, ['u8', 'u16', 'u32'], numItems)) : undefined;
      if (escapes) rowOffsets.set(`${name}.extra`, escapes);
      rows = relativeRows(name, o, positions, extra, base, escapes, options.lazyRows === true);
    }
    const decoded: NeighbourTable = { offsets: o, ...rows, scoreCodes: read(`${name}.scores`, ['u8'], packedCodeBytes(last(o))) as Uint8Array, scoreLevels: levels };
    tables.set(name, decoded);
    return decoded;
  };
  if (!(Number.isInteger(header.postingsCap) && header.postingsCap >= 0)) throw new Error('artifact header has no postings cap');
  const sessionOffsets = lengths('sessions', sections.get('sessions.lengths')?.length ?? 0);
  const sessions: IdRows = { offsets: sessionOffsets, values: ids('sessions.values', last(sessionOffsets)) };
  const popularity = counts('popularity');
  const sessionCount = sections.has('sessionCounts') ? (read('sessionCounts', ['u16'], numItems) as Uint16Array) : undefined;
  let repeatRate: Float32Array;
  if (sections.has('repeatRate') || !sessionCount) repeatRate = f32('repeatRate', numItems);
  else {
    // Written before the rates were stored beside the counts.
    repeatRate = new Float32Array(numItems);
    for (let i = 0; i < numItems; i++) repeatRate[i] = repeatRateOf(popularity[i] ?? 0, sessionCount[i] ?? 0);
  }
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
  const index = { covisit: table('covisit'), rules: table('rules'), next: table('next') };
  const shards = header.rows ? shardLayout(header.rows, header.sections, rowOffsets, numItems, payloadStart, total) : undefined;
  const cap = header.postingsCap;
  // Deferred, the postings are built when first read (in the Worker, after a fresh isolate's first answer: `completeModel`).
  let built: IdRows | undefined = options.deferPostings ? undefined : buildPostings(sessions, numItems, cap, sessionCount);
  return {
    modelVersion: header.modelVersion,
    dataset: header.dataset,
    candidateOptions: header.candidateOptions,
    index: {
      numItems,
      sessions,
      get postings(): IdRows {
        return (built ??= buildPostings(sessions, numItems, cap, sessionCount));
      },
      ...(options.deferPostings ? { postingsBuilt: () => built !== undefined, postingsCap: cap } : {}),
      popularity,
      recentPopularity: counts('recentPopularity'),
      repeatRate,
      age: f32('age', numItems),
      // Bases before the tables stored relative to them (read above).
      ...index,
    },
    reranker: { mean: f32('reranker.mean', FEATURES.length), std: f32('reranker.std', FEATURES.length), layers },
    ...(sections.has('copurchase.lengths') ? { copurchase: table('copurchase') } : {}),
    ...(itemIds ? { itemIds } : {}),
    popular: ids('popular', sections.get('popular')?.length ?? 0),
    ...(shards ? { shards } : {}),
  };
}

/**
 * The shards of an artifact that stores its rows last (see {@link ModelShards}), checked against
 * its sections: every row section at or after the rows' start, every other section before it.
 * None when a row section cannot be cut by item (a relative table without its escape counts).
 */
function shardLayout(
  rows: { start: number; shardItems: number },
  entries: readonly SectionEntry[],
  rowOffsets: ReadonlyMap<string, Uint32Array>,
  numItems: number,
  payloadStart: number,
  total: number,
): ModelShards | undefined {
  const { start, shardItems } = rows;
  if (!(Number.isInteger(shardItems) && shardItems >= 1 && Number.isInteger(start) && start >= 0)) throw new Error('artifact header has rows without a start or a shard size');
  const sections: Array<{ at: number; offsets: Uint32Array; width: number }> = [];
  for (const entry of [...entries].sort((a, b) => a.byteOffset - b.byteOffset)) {
    const isRow = ROW_SECTIONS.test(entry.name);
    if (isRow !== entry.byteOffset >= start) throw new Error(`artifact section ${entry.name} lies ${isRow ? 'before' : 'among'} the rows, which must come last`);
    if (!isRow) continue;
    const offsets = rowOffsets.get(entry.name);
    // Without a relative table's escape counts (written before them) its extra ids cannot be cut by item: stored whole.
    if (offsets === undefined) return undefined;
    sections.push({ at: payloadStart + entry.byteOffset, offsets, width: entry.name.endsWith('.scores') ? 0 : BYTES[entry.kind] });
  }
  return { shardItems, count: shardCount(numItems, shardItems), numItems, rowsStart: Math.min(total, payloadStart + start), sections };
}

/** How many shards `numItems` items' rows take, `shardItems` items a shard. */
function shardCount(numItems: number, shardItems: number): number {
  return Math.max(1, Math.ceil(numItems / shardItems));
}

/**
 * How many items each shard of an artifact's rows holds, from its header alone (in its first
 * bytes), where that names a product's shard before the core is read: rows cut into shards, and
 * the shop's integer ids the model's own (no SKU table, which is in the core). Else undefined.
 */
export function artifactShardItems(first: Uint8Array): number | undefined {
  const { header } = parsePreamble(first, artifactLength(first));
  return shardable(header) && !header.sections.some((section) => section.name === 'ids.offsets') ? header.rows!.shardItems : undefined;
}

/** How many shards publishing cuts an artifact's rows into, from its header alone (in its first bytes); 0 for one it stores whole. */
export function artifactShardCount(first: Uint8Array): number {
  const { header } = parsePreamble(first, artifactLength(first));
  return shardable(header) ? shardCount(header.numItems, header.rows!.shardItems) : 0;
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
  // Postings sized by the stored session counts must be those a counting pass finds: a count too low would drop sessions.
  const counted = buildPostings(index.sessions, numItems, parsePreamble(aligned(toBytes(data))).header.postingsCap);
  for (let item = 0; item < numItems; item++) {
    if (rowLength(counted, item) !== rowLength(index.postings, item)) throw new Error(`artifact section sessionCounts is below the sessions that hold item ${item}`);
  }
  checkIds('popular', artifact.popular ?? new Uint16Array(0), numItems);
  for (const [name, table] of [['rules', index.rules], ['next', index.next], ['covisit', index.covisit], ['copurchase', copurchase]] as const) {
    if (!table) continue;
    checkRows(name, table, numItems);
    const entries = rowEnd(table, numItems - 1);
    for (let q = 0; q < entries; q++) {
      const code = scoreCode(table.scoreCodes, q);
      if (code >= table.scoreLevels.length) throw new Error(`artifact section ${name}.scores holds code ${code} at ${q}, beyond its ${table.scoreLevels.length} levels`);
    }
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
