/**
 * The catalog's binary core: what a decision needs about every item (its id,
 * category, whether it is in stock) and the precomputed popularity orders,
 * in one byte layout the Worker uses in place. Opening a core makes typed-array
 * views over the fetched bytes and checks the header; there is no per-item
 * decode pass, no JSON.parse of items and no zod at load (items are checked
 * at publish). Display fields live apart, in shards (`shards.ts`).
 *
 * Layout (little-endian, every section 4-byte aligned so it can be viewed in place):
 *
 *   header     12 × u32: magic "RPCT", format, total bytes, KV parts, items n,
 *              categories C, shard bits (2^bits shards), popular-overall length,
 *              popular-per-category total, id bytes, category-name bytes, 0
 *   blocks     u32[B+1]   where each block of 16 ids starts in `ids` (B = ⌈n/16⌉)
 *   shardHash  u32[2·S]   each shard's content hash (hi, lo): its KV key
 *   popular    u32[]      the most popular items overall, most popular first
 *   catStart   u32[C+1]   where each category's list starts in `catPopular`
 *   catPopular u32[]      the most popular items of each category
 *   category   u16[n]     each item's category (index into the names)
 *   stock      u8[n]      1 when the item is in stock
 *   ids        u8[]       the ids' UTF-8 bytes, sorted, front-coded in blocks of 16:
 *                         a block's first id as (length, bytes), each next one as
 *                         (bytes shared with the one before, length of the rest, the rest);
 *                         the numbers as LEB128 varints
 *   names      u8[]       the category names as a JSON array of strings
 *
 * Format 2 stored `offsets` (u32[n+1], where each id starts) and the ids whole
 * in their place: 4 bytes an item for the offsets alone, 4 MB of a 1 M-item
 * core. Cores of format 2 are still read (`openCore`).
 *
 * Why sorted ids and a binary search: `indexOf` costs ~16 block heads
 * compared and one block of at most 16 ids walked on 1 M items, and needs no
 * hash table built at load (a Map of 1 M strings would take ~100 ms and ~80
 * MB per isolate). A 1 M-item core of short ids is about 7 MB, within one KV
 * value; a larger one is cut into several values (`parts`) fetched in
 * parallel.
 */

import { MAX_PART_BYTES } from '../published/parts';

/** "RPCT" read as a little-endian u32. */
const MAGIC = 0x54435052;
/** Version 1 was the JSON array of items (still served, converted at load); 2 stored the ids whole (still read); 3 is this layout. */
export const CORE_FORMAT = 3;
/** The formats `openCore` reads. */
const READABLE_FORMATS = [2, 3];
/** Ids in a front-coded block (format 3). */
const ID_BLOCK = 16;
const HEADER_WORDS = 12;
/** Shards hold this many items on average at most (`shardBits` picks a power of two). */
const ITEMS_PER_SHARD = 128;
/** Bounds of the popularity orders: what the popularity fallback walks. */
export const POPULAR_OVERALL = 1024;
const POPULAR_PER_CATEGORY_BUDGET = 1 << 20;
const POPULAR_PER_CATEGORY_MAX = 256;
/**
 * A core larger than this goes in several KV values, fetched in parallel: the
 * parts every large published value is cut into (`published/parts.ts`), so a
 * part, base64-encoded, also fits one admin upload (16 MiB bodies). Parts are
 * joined again in new memory, which a 1 M-item core (~7 MB) in one value does
 * not need: in parts of 2 MiB, as until 2026-12-02, a fresh isolate's first
 * decision at 1 M items took ~30 ms and ~9 MB more (docs/SCALE.md, Catalog).
 */
export const CORE_PART_BYTES = MAX_PART_BYTES;

/** What the encoder needs of an item (the checked `CatalogItem` has more). */
export interface CoreItem {
  id: string;
  category: string;
  stock: number;
  popularity: number;
}

/** An opened core: lookups over the bytes, nothing copied. */
export interface CatalogCore {
  /** The core's bytes (all parts joined). */
  bytes: Uint8Array;
  size: number;
  categories: readonly string[];
  shardCount: number;
  /** The index of the item with this id, or -1. */
  indexOf(id: string): number;
  idAt(index: number): string;
  /** The item's category, as an index into `categories`. */
  categoryAt(index: number): number;
  /** A category's index in `categories`, or -1. */
  categoryIndex(name: string): number;
  inStock(index: number): boolean;
  /** The most popular items, overall or of one category (an index into `categories`), most popular first. */
  popular(category?: number): Uint32Array;
  /** The shard holding an item's display fields. */
  shardOf(index: number): number;
  /** A shard's KV key. */
  shardKey(shard: number): string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** 32-bit FNV-1a of the bytes: which shard an id belongs to, the same in every version of the catalog. */
export function hashBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Compares two byte strings as UTF-8 ids sort. */
function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Orders two ids as the core does: by their UTF-8 bytes. */
export function compareIds(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return compareBytes(x, 0, x.length, y, 0, y.length);
}

const align4 = (n: number) => (n + 3) & ~3;

/** The shard count for `n` items: a power of two, so that it changes (and every shard with it) only when the catalog doubles. */
function shardBitsFor(n: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.max(1, n / ITEMS_PER_SHARD))));
}

/** The KV key of a shard whose content hash is (hi, lo). */
export function shardKeyOf(hi: number, lo: number): string {
  return `catalog-shard:${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
}

/** Sections' word/byte positions, from the header's counts. */
function sections(h: Uint32Array) {
  const [, format, , , n, c, bits, popLen, catLen, idLen, namesLen] = h as unknown as number[];
  // Format 2: where each id starts; format 3: where each block of ids starts.
  const startCount = format === 2 ? n! + 1 : Math.ceil(n! / ID_BLOCK) + 1;
  const s = 2 ** bits!;
  let at = HEADER_WORDS * 4;
  const take = (bytes: number) => {
    const start = at;
    at = align4(at + bytes);
    return start;
  };
  return {
    format: format!, n: n!, c: c!, s, popLen: popLen!, catLen: catLen!, idLen: idLen!, namesLen: namesLen!, startCount,
    idStarts: take(4 * startCount),
    shardHash: take(8 * s),
    popular: take(4 * popLen!),
    catStart: take(4 * (c! + 1)),
    catPopular: take(4 * catLen!),
    category: take(2 * n!),
    stock: take(n!),
    ids: take(idLen!),
    names: take(namesLen!),
    end: at,
  };
}

/**
 * Front-codes sorted ids in blocks of {@link ID_BLOCK}: each block's first id
 * whole, each next one as the bytes it shares with the one before and the
 * rest. Returns the bytes and where each block starts in them (one more entry:
 * their length).
 */
function frontCode(sorted: readonly Uint8Array[]): { bytes: Uint8Array; blocks: Uint32Array } {
  // At most 5 bytes a varint, two an id.
  const out = new Uint8Array(sorted.reduce((sum, id) => sum + id.length + 10, 0));
  const blocks = new Uint32Array(Math.ceil(sorted.length / ID_BLOCK) + 1);
  let pos = 0;
  const varint = (value: number) => {
    for (; value >= 0x80; value >>>= 7) out[pos++] = (value & 0x7f) | 0x80;
    out[pos++] = value;
  };
  sorted.forEach((id, i) => {
    let shared = 0;
    if (i % ID_BLOCK === 0) {
      blocks[i / ID_BLOCK] = pos;
    } else {
      const before = sorted[i - 1]!;
      const most = Math.min(before.length, id.length);
      while (shared < most && before[shared] === id[shared]) shared++;
      varint(shared);
    }
    varint(id.length - shared);
    out.set(id.subarray(shared), pos);
    pos += id.length - shared;
  });
  blocks[blocks.length - 1] = pos;
  return { bytes: out.slice(0, pos), blocks };
}

/**
 * Lookups over front-coded ids (format 3): a block's head is compared where it
 * lies; the other ids are rebuilt into one buffer, reused, as a block is walked.
 */
function frontCodedIds(ids: Uint8Array, blocks: Uint32Array, n: number) {
  let id = new Uint8Array(64);
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = ids[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  /** Reads the entry at `at` into `id` after the `shared` bytes it keeps; returns the id's length. */
  const readInto = (shared: number) => {
    const rest = varint();
    if (at + rest > ids.length) throw new Error('catalog core: an id runs past the id table (corrupt)');
    if (shared + rest > id.length) {
      const larger = new Uint8Array(2 * (shared + rest));
      larger.set(id.subarray(0, shared));
      id = larger;
    }
    id.set(ids.subarray(at, at + rest), shared);
    at += rest;
    return shared + rest;
  };
  /** Rebuilds the id at index i in `id`; returns its length. */
  const rebuild = (i: number) => {
    const first = i - (i % ID_BLOCK);
    at = blocks[first / ID_BLOCK]!;
    let length = readInto(0);
    for (let k = first + 1; k <= i; k++) length = readInto(varint());
    return length;
  };
  const blockCount = blocks.length - 1;
  return {
    indexOf(key: Uint8Array): number {
      // The last block whose head is at most the key.
      let lo = 0;
      let hi = blockCount - 1;
      let block = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        at = blocks[mid]!;
        const length = varint();
        const d = compareBytes(ids, at, at + length, key, 0, key.length);
        if (d === 0) return mid * ID_BLOCK;
        if (d < 0) {
          block = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (block < 0) return -1;
      const first = block * ID_BLOCK;
      at = blocks[block]!;
      let length = readInto(0);
      for (let k = first + 1; k < Math.min(n, first + ID_BLOCK); k++) {
        length = readInto(varint());
        const d = compareBytes(id, 0, length, key, 0, key.length);
        if (d === 0) return k;
        if (d > 0) return -1;
      }
      return -1;
    },
    // `rebuild` may replace the buffer: call it before reading `id`.
    idAt(i: number) {
      const length = rebuild(i);
      return decoder.decode(id.subarray(0, length));
    },
    hashAt(i: number) {
      const length = rebuild(i);
      return hashBytes(id, 0, length);
    },
  };
}

/** The placement of items in shards, as the encoder settled it. */
export interface CoreLayout {
  /** Item order: `order[i]` is the input position of the item at core index i. */
  order: Uint32Array;
  /** Each core index's shard. */
  shardOfIndex: Uint32Array;
  shardCount: number;
}

/**
 * Encodes checked items into a core, given each shard's content hash from
 * `hashShards` (called with the layout once items are sorted and placed).
 * Ids must be unique. Throws a `TypeError` for more than 65,535 categories.
 * `format` 2 writes the previous layout (tests: what older publications stored).
 */
export function encodeCore(items: readonly CoreItem[], hashShards: (layout: CoreLayout) => Uint32Array, format: 2 | 3 = CORE_FORMAT): { bytes: Uint8Array; layout: CoreLayout } {
  const n = items.length;
  const idBytes = items.map((item) => encoder.encode(item.id));
  const order = Uint32Array.from(items.keys()).sort((a, b) => {
    const x = idBytes[a]!;
    const y = idBytes[b]!;
    return compareBytes(x, 0, x.length, y, 0, y.length);
  });
  const names = [...new Set(items.map((item) => item.category))].sort();
  if (names.length > 0xffff) throw new TypeError(`catalog: ${names.length} categories; at most 65,535`);
  const nameIndex = new Map(names.map((name, i) => [name, i]));
  const bits = shardBitsFor(n);
  const shardOfIndex = new Uint32Array(n);
  for (let i = 0; i < n; i++) shardOfIndex[i] = hashBytes(idBytes[order[i]!]!) & ((1 << bits) - 1);
  const layout: CoreLayout = { order, shardOfIndex, shardCount: 2 ** bits };
  const hashes = hashShards(layout);

  // Popularity orders over core indices (out-of-stock items included: a restock through the delta brings them back).
  const byPopularity = Uint32Array.from(order.keys()).sort((a, b) => items[order[b]!]!.popularity - items[order[a]!]!.popularity || a - b);
  const perCategory = Math.max(16, Math.min(POPULAR_PER_CATEGORY_MAX, Math.floor(POPULAR_PER_CATEGORY_BUDGET / Math.max(1, names.length))));
  const lists: number[][] = names.map(() => []);
  for (const i of byPopularity) {
    const list = lists[nameIndex.get(items[order[i]!]!.category)!]!;
    if (list.length < perCategory) list.push(i);
  }
  const popular = byPopularity.subarray(0, POPULAR_OVERALL);
  const catLen = lists.reduce((sum, list) => sum + list.length, 0);
  const coded = format === 3 ? frontCode(Array.from(order, (k) => idBytes[k]!)) : undefined;
  const idLen = coded ? coded.bytes.length : idBytes.reduce((sum, b) => sum + b.length, 0);
  const nameBytes = encoder.encode(JSON.stringify(names));

  const header = new Uint32Array([MAGIC, format, 0, 0, n, names.length, bits, popular.length, catLen, idLen, nameBytes.length, 0]);
  const at = sections(header);
  const bytes = new Uint8Array(at.end);
  header[2] = at.end;
  header[3] = Math.max(1, Math.ceil(at.end / CORE_PART_BYTES));
  const buffer = bytes.buffer;
  new Uint32Array(buffer, 0, HEADER_WORDS).set(header);
  const starts = new Uint32Array(buffer, at.idStarts, at.startCount);
  if (coded) {
    starts.set(coded.blocks);
    bytes.set(coded.bytes, at.ids);
  } else {
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const id = idBytes[order[i]!]!;
      starts[i] = pos;
      bytes.set(id, at.ids + pos);
      pos += id.length;
    }
    starts[n] = pos;
  }
  const category = new Uint16Array(buffer, at.category, n);
  for (let i = 0; i < n; i++) {
    const item = items[order[i]!]!;
    category[i] = nameIndex.get(item.category)!;
    bytes[at.stock + i] = item.stock > 0 ? 1 : 0;
  }
  new Uint32Array(buffer, at.shardHash, 2 * layout.shardCount).set(hashes);
  new Uint32Array(buffer, at.popular, popular.length).set(popular);
  const catStart = new Uint32Array(buffer, at.catStart, names.length + 1);
  const catPopular = new Uint32Array(buffer, at.catPopular, catLen);
  let c = 0;
  lists.forEach((list, k) => {
    catStart[k] = c;
    catPopular.set(list, c);
    c += list.length;
  });
  catStart[names.length] = c;
  bytes.set(nameBytes, at.names);
  return { bytes, layout };
}

/** Whether `bytes` begin like a binary core (of any format version). */
export function isCore(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x52 && bytes[1] === 0x50 && bytes[2] === 0x43 && bytes[3] === 0x54;
}

/** The core's header fields a loader needs before it has every part: its total size and how many KV values hold it. */
export function coreParts(first: Uint8Array): { totalBytes: number; parts: number } {
  if (first.byteLength < HEADER_WORDS * 4) throw new Error(`catalog core: ${first.byteLength} bytes, shorter than its header`);
  const h = new DataView(first.buffer, first.byteOffset, HEADER_WORDS * 4);
  const format = h.getUint32(4, true);
  if (!isCore(first)) throw new Error('not a Rapport catalog core (no "RPCT" magic)');
  if (!READABLE_FORMATS.includes(format)) throw new Error(`catalog core format ${format}; this Worker reads formats ${READABLE_FORMATS.join(' and ')}`);
  return { totalBytes: h.getUint32(8, true), parts: h.getUint32(12, true) };
}

/**
 * Opens a core in place. Checks what a mis-read would hide (magic, format,
 * the sizes the header declares against the bytes, the last id offset, the
 * popularity lists' bounds) and throws an `Error` naming the first problem.
 * @example const core = openCore(new Uint8Array(await kv.get(key, 'arrayBuffer'))); core.indexOf('sku-42')
 */
export function openCore(bytes: Uint8Array): CatalogCore {
  const { totalBytes } = coreParts(bytes);
  if (bytes.byteOffset % 4) bytes = bytes.slice();
  const buffer = bytes.buffer;
  const header = new Uint32Array(buffer, bytes.byteOffset, HEADER_WORDS);
  const at = sections(header);
  if (totalBytes !== bytes.byteLength || at.end !== bytes.byteLength) {
    throw new Error(`catalog core: ${bytes.byteLength} bytes, its header declares ${totalBytes} (truncated or corrupt)`);
  }
  const view32 = (start: number, length: number) => new Uint32Array(buffer, bytes.byteOffset + start, length);
  const { n, c } = at;
  const starts = view32(at.idStarts, at.startCount);
  const shardHash = view32(at.shardHash, 2 * at.s);
  const popularAll = view32(at.popular, at.popLen);
  const catStart = view32(at.catStart, c + 1);
  const catPopular = view32(at.catPopular, at.catLen);
  const category = new Uint16Array(buffer, bytes.byteOffset + at.category, n);
  const stock = bytes.subarray(at.stock, at.stock + n);
  const ids = bytes.subarray(at.ids, at.ids + at.idLen);
  if (starts[at.startCount - 1] !== at.idLen || catStart[c] !== at.catLen) throw new Error('catalog core: its id table or category lists do not add up (corrupt)');
  // Indexed loops: a fresh isolate runs this once, before V8 has optimized anything, over up to ~1 M entries.
  for (const list of [popularAll, catPopular]) {
    for (let k = 0; k < list.length; k++) if (list[k]! >= n) throw new Error(`catalog core: a popularity list names item ${list[k]} of ${n} (corrupt)`);
  }
  let categories: string[];
  try {
    categories = JSON.parse(decoder.decode(bytes.subarray(at.names, at.names + at.namesLen))) as string[];
  } catch {
    throw new Error('catalog core: its category names are not readable (corrupt)');
  }
  if (!Array.isArray(categories) || categories.length !== c) throw new Error(`catalog core: ${c} categories declared, names for ${Array.isArray(categories) ? categories.length : 0}`);

  const shardMask = at.s - 1;
  let categoryIndex: Map<string, number> | undefined;
  const coded = at.format === 3 ? frontCodedIds(ids, starts, n) : undefined;
  // A block's start out of order would send lookups into another block's ids: checked once (n/16 entries).
  if (coded) for (let b = 1; b < starts.length; b++) if (starts[b]! < starts[b - 1]!) throw new Error('catalog core: its id blocks are out of order (corrupt)');
  return {
    bytes,
    size: n,
    categories,
    shardCount: at.s,
    indexOf(id) {
      const key = encoder.encode(id);
      if (coded) return coded.indexOf(key);
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const d = compareBytes(ids, starts[mid]!, starts[mid + 1]!, key, 0, key.length);
        if (d === 0) return mid;
        if (d < 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    },
    idAt: coded ? coded.idAt : (i) => decoder.decode(ids.subarray(starts[i]!, starts[i + 1]!)),
    categoryAt: (i) => category[i]!,
    categoryIndex: (name) => (categoryIndex ??= new Map(categories.map((c, k) => [c, k]))).get(name) ?? -1,
    inStock: (i) => stock[i] === 1,
    popular: (k) => (k === undefined ? popularAll : catPopular.subarray(catStart[k]!, catStart[k + 1]!)),
    shardOf: coded ? (i) => coded.hashAt(i) & shardMask : (i) => hashBytes(ids, starts[i]!, starts[i + 1]!) & shardMask,
    shardKey: (s) => shardKeyOf(shardHash[2 * s]!, shardHash[2 * s + 1]!),
  };
}

/** A core with some items' stock flags changed (compaction): a new byte array, the rest as it was. */
export function withStock(core: CatalogCore, stock: ReadonlyMap<number, boolean>, shardHashes: ReadonlyMap<number, [number, number]>): Uint8Array {
  const bytes = core.bytes.slice();
  const at = sections(new Uint32Array(bytes.buffer, 0, HEADER_WORDS));
  for (const [i, inStock] of stock) bytes[at.stock + i] = inStock ? 1 : 0;
  const hashes = new Uint32Array(bytes.buffer, at.shardHash, 2 * at.s);
  for (const [s, [hi, lo]] of shardHashes) hashes.set([hi, lo], 2 * s);
  return bytes;
}
