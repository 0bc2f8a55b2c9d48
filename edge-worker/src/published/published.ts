/**
 * Published data: the catalog, the model and the slot configuration that a
 * merchant's publish step puts in the MODELS namespace and the routes read.
 * This module owns all of it: the KV keys, how a version is published (the
 * immutable value first, then the short pointer to it), how an isolate loads
 * it (a pointer re-read every few seconds, each version fetched and decoded
 * once) and what a route does when a value cannot be used.
 *
 * The policy, the same for every route: the catalog and the slot
 * configuration are required, so a route that needs one answers 503 naming
 * what is wrong (clients retry; nothing is lost); the model is optional, so
 * decisions rank by popularity without it and say why in the answer.
 *
 * The admin API (`routes/admin.ts`) publishes through the Worker with the
 * same checks: it stores a version, moves the pointer, and keeps each kind's
 * activation history (`<kind>:history`) so that a rollback knows where to go.
 */
import { checkShard, encodeCatalog, memoryCatalog, type Catalog, type EncodedCatalog } from '../catalog/catalog';
import { CORE_FORMAT, CORE_PART_BYTES, coreParts, isCore, openCore, type CatalogCore } from '../catalog/core';
import { COMPACT_AT, deltaByIndex, EMPTY_DELTA, foldDelta, mergeDelta, type Delta, type StockPriceChange, type StoredDelta } from '../catalog/delta';
import { forgetShards, itemDetails, keyOfText, readShards, rowsText, type ItemDetails } from '../catalog/shards';
import { ApiError } from '../http/errors';
import { artifactLength, artifactShardCount, artifactShardItems, artifactSpans, storedArtifactLength, verifyArtifact } from '../model/artifact';
import { isIntegerItemId } from '../model/item-ids';
import { cutShard, joinShards, placeShard, shardsAfter, shardsOf } from '../model/shards';
import { zeroedBuffer } from '../model/zeroed';
import { loadModel, type LoadedModel } from '../model/recommend';
import { buildSlots, DEFAULT_SLOTS, type SlotConfigs } from '../slots/config';
import { buildExperiments, defaultExperiments, type ExperimentsConfig } from '../experiments/config';
import { contentVersion } from './content-version';
import { cachedKv, cachedKvWithMetadata, clearIsolateCache, forgetKv, FRESH_MS, keepInBackground, type PublishedStore } from './isolate-cache';
import { joinParts, partBytesFor, partCount, readFirstParts, readPartList, readParts, splitParts } from './parts';

export { contentVersion };

/** The kinds of published data, each an immutable version behind a pointer. */
export type Kind = 'catalog' | 'model' | 'slots' | 'experiments';

/** Every kind. */
export const KINDS: readonly Kind[] = ['catalog', 'model', 'slots', 'experiments'];

/** What each kind is called in errors and logs. */
const NAMES: Record<Kind, string> = { catalog: 'catalog', model: 'model', slots: 'slot configuration', experiments: 'experiments configuration' };

/** KV key of the pointer to a kind's active version. */
export function pointerKey(kind: Kind): string {
  return `${kind}:active`;
}

/** KV key of one immutable version of a kind. */
export function versionKey(kind: Kind, version: string): string {
  return `${kind}:${version}`;
}

/** KV key of a kind's activation history (see {@link publishVersion}); decisions never read it. */
function historyKey(kind: Kind): string {
  return `${kind}:history`;
}

/**
 * What KV keeps beside a pointer: how many values (parts) the version it names is stored in, so a
 * fresh isolate reads them all in one round trip instead of the first part, then the others. A
 * hint only: the first part's header stays what says how long the value is (`parts.ts`).
 */
export interface PointerMetadata {
  parts: number;
  /**
   * A model's: how many items each shard of its rows holds, where the shop's integer ids are the
   * model's own (`artifactShardItems`), so a fresh isolate reads the shard of a page's product
   * beside the core instead of after it.
   */
  shardItems?: number;
}

/** The metadata a pointer carries for these hints: none where there is nothing to hint. */
function pointerMetadata(hints: PointerMetadata): PointerMetadata | undefined {
  if (hints.shardItems !== undefined) return hints;
  return hints.parts > 1 ? { parts: hints.parts } : undefined;
}

/** Part counts beyond this in a pointer's metadata are not believed (25 MiB values in 2 MiB parts take 13). */
const MAX_PARTS_HINT = 16;

/** The part count a pointer's metadata gives, or 1 (read the first part, then the rest) when it gives none that is believable. */
function partsHint(metadata: unknown): number {
  const parts = (metadata as Partial<PointerMetadata> | null)?.parts;
  return Number.isInteger(parts) && parts! >= 1 && parts! <= MAX_PARTS_HINT ? parts! : 1;
}

/** A kind's pointer as decisions read it: the active version, how many parts it is stored in and, for a model, how many items a shard of its rows holds. */
function readPointer(kv: PublishedStore, kind: Kind): Promise<Pointer | null> {
  return cachedKvWithMetadata(kv, pointerKey(kind), (text, metadata) => {
    const shardItems = (metadata as Partial<PointerMetadata> | null)?.shardItems;
    return { version: text.trim(), parts: partsHint(metadata), ...(Number.isInteger(shardItems) && shardItems! >= 1 ? { shardItems } : {}) };
  });
}

/** What a pointer says: the version, and its metadata's hints (believed only where believable). */
interface Pointer extends PointerMetadata {
  version: string;
}

/** One KV write of a publication. Pointers must be written after every value they may name. */
export interface Entry {
  key: string;
  value: string | Uint8Array;
  pointer: boolean;
  /** A pointer's, when the version it names is stored in several parts. */
  metadata?: PointerMetadata;
  /** What the write publishes. */
  kind: Kind;
  version: string;
}

/** What a version may be called: short and key-safe, never the name of the pointer or the history. */
const VERSION = /^(?!(?:active|history)$)[A-Za-z0-9._:-]{1,64}$/;

function publication(kind: Kind, version: string, value: string | Uint8Array, hints: PointerMetadata = { parts: 1 }): Entry[] {
  if (!VERSION.test(version)) throw new TypeError(`${NAMES[kind]} version ${JSON.stringify(version)} is not 1-64 characters of A-Z a-z 0-9 . _ : - (nor "active" or "history")`);
  return [
    { key: versionKey(kind, version), value, pointer: false, kind, version },
    { key: pointerKey(kind), value: version, pointer: true, kind, version, ...(pointerMetadata(hints) ? { metadata: pointerMetadata(hints) } : {}) },
  ];
}

/**
 * The entries that publish a catalog, versioned by its content. Throws a
 * `TypeError` for a catalog the Worker could not use, before anything is written.
 * @example for (const { key, value } of publishCatalog(items)) await env.MODELS.put(key, value);
 */
export function publishCatalog(items: unknown): Entry[] {
  return catalogPublication(encodeCatalog(items));
}

/** KV key of part `part` (from 1) of a catalog core too large for one value; part 0 is the version's own key. */
export function corePartKey(version: string, part: number): string {
  return `catalog-part:${version}:${part}`;
}

/** KV key of the stock and price changes laid over a catalog version (see `catalog/delta.ts`). */
export function deltaKey(version: string): string {
  return `catalog-delta:${version}`;
}

/**
 * The entries of an encoded catalog, versioned by its core's bytes (which
 * hold every shard's content hash): the shards, the core's later parts, the
 * core's first part under the version's key, then the pointer.
 */
function catalogPublication({ core, shards }: EncodedCatalog): Entry[] {
  const version = contentVersion(core);
  const at = (key: string, value: string | Uint8Array): Entry => ({ key, value, pointer: false, kind: 'catalog', version });
  const [first, ...rest] = splitParts(core, CORE_PART_BYTES);
  const [value, pointer] = publication('catalog', version, first!, { parts: rest.length + 1 });
  return [...shards.map((text) => at(keyOfText(text), text)), ...rest.map((part, i) => at(corePartKey(version, i + 1), part)), value!, pointer!];
}

/** KV key of part `part` (from 1) of a model artifact; part 0 is the version's own value (see `parts.ts`). */
export function modelPartKey(version: string, part: number): string {
  return `model-part:${version}:${part}`;
}

/** KV key of shard `shard` (from 0) of a model artifact's rows (see `ModelShards` in artifact.ts). */
export function modelShardKey(version: string, shard: number): string {
  return `model-shard:${version}:${shard}`;
}

/**
 * The entries that publish a model artifact under the version in its header:
 * its rows in shards by item range, each its own value, read as decisions need
 * them; then its core (every byte before the rows) in parts read back in
 * parallel (`parts.ts`): the later parts, the first under the version's key,
 * then the pointer. The parts are cut between sections where a part size
 * allows it (`partBytesFor`), so a Worker views every section inside the part
 * that holds it instead of joining the parts. An artifact that cannot be cut
 * into shards (written before its rows were stored last) is stored whole in
 * parts. Throws for bytes that are not a servable artifact (its format, its
 * sections, every id and offset the Worker then reads in place unchecked,
 * and the feature set it was trained with).
 */
export function publishModel(bytes: Uint8Array, partBytes?: number): Entry[] {
  const { modelVersion: version, shards } = verifyArtifact(bytes);
  const stored = bytes.subarray(0, shards?.rowsStart ?? bytes.byteLength);
  partBytes ??= partBytesFor(stored.byteLength, artifactSpans(bytes).filter(([, end]) => end <= stored.byteLength));
  const at = (key: string, value: Uint8Array): Entry => ({ key, value, pointer: false, kind: 'model', version });
  const rows = shards ? Array.from({ length: shards.count }, (_, k) => at(modelShardKey(version, k), cutShard(bytes, shards, k))) : [];
  const [first, ...rest] = splitParts(stored, partBytes);
  const parts = rest.map((value, i) => at(modelPartKey(version, i + 1), value));
  return [...rows, ...parts, ...publication('model', version, first!, { parts: parts.length + 1, shardItems: artifactShardItems(bytes) })];
}

/**
 * A stored model version's artifact as the parts it is stored in (not joined: `decodeArtifact`
 * views each section inside its part), or null when none is stored under that version: its
 * parts read in parallel, the first `parts` of them (the pointer's hint) in one round trip. For
 * a model stored with its rows in shards, the parts hold its core alone (see {@link servedModel}).
 */
export async function readStoredModel(kv: PublishedStore, version: string, parts = 1): Promise<Uint8Array[] | null> {
  const keyOf = (part: number) => (part ? modelPartKey(version, part) : versionKey('model', version));
  const read = await readFirstParts(kv, keyOf, parts);
  if (!read) return null;
  // A whole artifact stored as one value (put there by hand, or by a publisher before shards) is read whole.
  const whole = read.first.byteLength === artifactLength(read.first);
  return readPartList(kv, read.first, whole ? read.first.byteLength : storedArtifactLength(read.first), keyOf, read.early);
}

/**
 * A stored model prepared for decisions, from the parts `readStoredModel` read. Where those hold
 * the core alone, the rows start as zeros and the model reads a shard of them from KV the first
 * time a decision asks about an item in it (`readRows`; a failed read is tried again by the next
 * decision that needs it). Its postings are built after the isolate's first answer (decide.ts).
 */
function servedModel(kv: PublishedStore, version: string, parts: Uint8Array[], early = new Map<number, Promise<ArrayBuffer | null>>()): LoadedModel {
  const total = artifactLength(parts[0]!);
  const stored = parts.reduce((sum, part) => sum + part.byteLength, 0);
  if (stored === total) return loadModel(parts, { deferPostings: true });
  // Zeros whose pages cost nothing until a shard is placed in them (zeroed.ts): most never are.
  const rows = new Uint8Array(zeroedBuffer(total - stored), 0, total - stored);
  const model = loadModel([...parts, rows], { deferPostings: true });
  const shards = shardsAfter(model.artifact.shards, stored);
  const reads = new Map<number, Promise<void>>();
  const readShard = (k: number): Promise<void> => {
    let read = reads.get(k);
    if (!read) {
      // A read started beside the core's serves its shard once; any later one is a new read.
      const started = early.get(k);
      early.delete(k);
      read = (started ?? kv.get(modelShardKey(version, k), 'arrayBuffer')).then((bytes) => {
        if (bytes === null) throw new Error(`its shard ${k} of ${shards.count} is missing`);
        placeShard(rows, shards, k, new Uint8Array(bytes));
      });
      reads.set(k, read);
      read.catch(() => reads.delete(k));
    }
    return read;
  };
  return {
    ...model,
    readRows: async (items) => {
      try {
        await Promise.all(shardsOf(shards, items).map(readShard));
      } finally {
        // Early reads the first decision did not use (ids past the model's items) are not kept.
        early.clear();
      }
    },
  };
}

/**
 * A stored model version prepared for decisions as a Worker's isolate prepares it (its core read,
 * its rows read shard by shard as `readRows` asks, `early` ones already started), or null when
 * none is stored.
 */
export async function readServedModel(kv: PublishedStore, version: string, parts = 1, early?: Map<number, Promise<ArrayBuffer | null>>): Promise<LoadedModel | null> {
  const bytes = await readStoredModel(kv, version, parts);
  return bytes === null ? null : servedModel(kv, version, bytes, early);
}

/** A stored model version's whole artifact (its core and every shard of its rows), or null when none is stored. */
async function readWholeModel(kv: PublishedStore, version: string): Promise<Uint8Array | null> {
  const parts = await readStoredModel(kv, version);
  if (!parts) return null;
  const core = joinParts(parts);
  if (core.byteLength === artifactLength(core)) return core;
  const values = await Promise.all(Array.from({ length: artifactShardCount(core) }, (_, k) => kv.get(modelShardKey(version, k), 'arrayBuffer')));
  return joinShards(core, (k) => (values[k] ? new Uint8Array(values[k]) : null));
}

/** The entries that publish a slot configuration, versioned by its content; throws a `TypeError` naming what is invalid. */
export function publishSlots(config: unknown): Entry[] {
  const text = JSON.stringify(buildSlots(config));
  return publication('slots', contentVersion(text), text);
}

/** The entries that publish an experiments configuration, versioned by its content; throws a `TypeError` naming what is invalid. */
export function publishExperiments(config: unknown): Entry[] {
  const text = JSON.stringify(buildExperiments(config));
  return publication('experiments', contentVersion(text), text);
}

/** A kind as a route sees it: usable, never published, or published but unusable (and why). */
export type Loaded<T> =
  | { state: 'ok'; version: string; value: T }
  | { state: 'absent' }
  | { state: 'unusable'; version: string; problem: string };

interface Decoding<T> {
  result: Promise<T>;
  /** Whether `result` has settled (a version still loading may be stood in for by the one before). */
  settled: boolean;
  /** When a failed decode may be tried again (a corrupt value is not fetched again on every request). */
  retryAt: number;
  /** When this isolate first failed to load the version, kept across its retries; 0 until it fails. */
  failingSince: number;
  /** Settles with `result`, never rejecting (a failure is logged once): what background work waits for. */
  done: Promise<void>;
}

/**
 * How long the version served before stands in for a new one that fails to load (a KV read that
 * failed, a part not readable yet), while it is tried again every {@link FRESH_MS}. Past this, the
 * failure is what requests get, as in an isolate that had nothing to serve before.
 */
export const STAND_IN_FOR_FAILED_MS = 60_000;

/** Each kind's forget function (tests publish new values under an old version). */
const decodedCaches: Array<() => void> = [];

/** Versions this isolate activated through the admin API: it serves each from its next request, waiting for it to load. */
const activatedHere = new Map<Kind, string>();

/**
 * A loader for one kind: re-reads the short pointer (see `isolate-cache.ts`)
 * and decodes each version once per isolate, keeping the previous version
 * while requests switch over. A failure is logged once per attempt.
 *
 * A version the pointer names that is still loading (a model's 7.8 MB from KV)
 * does not hold requests back: the version served until then answers them while
 * it loads in the background, and the first request after it has loaded gets it.
 * Requests wait for it only where nothing was served yet, where this isolate
 * activated it, and where no background work outlives a request (Node).
 *
 * A new version that fails to load is tried again every {@link FRESH_MS}; the
 * version served before goes on answering meanwhile, for up to
 * {@link STAND_IN_FOR_FAILED_MS} from the first failure. Past that, or where
 * nothing was served before or this isolate activated the version, requests
 * get what is wrong with it (a 503 naming it, or for the model, popularity
 * saying why), retries included: they never switch between the two.
 */
function loader<T, Hint = undefined>(
  kind: Kind,
  fetchValue: (kv: PublishedStore, key: string, pointer: Pointer, hint?: Hint) => Promise<T | null>,
): (kv: PublishedStore, hint?: Hint) => Promise<Loaded<T>> {
  const decoded = new Map<string, Decoding<T>>();
  const KEEP_VERSIONS = 2;
  let serving: { version: string; value: T } | undefined;
  decodedCaches.push(() => {
    decoded.clear();
    serving = undefined;
  });
  /**
   * The version served before, where it may answer for `version` while that one loads or fails:
   * not where this isolate activated `version`, nor once `version` has failed for longer than
   * STAND_IN_FOR_FAILED_MS (not even while it is retried).
   */
  const standInFor = (version: string, entry: Decoding<T>): typeof serving => {
    if (!serving || serving.version === version || activatedHere.get(kind) === version) return undefined;
    return entry.failingSince > 0 && Date.now() - entry.failingSince >= STAND_IN_FOR_FAILED_MS ? undefined : serving;
  };
  return async (kv, hint) => {
    const pointer = await readPointer(kv, kind);
    const version = pointer?.version;
    if (!version) return { state: 'absent' };
    let entry = decoded.get(version);
    if (!entry || (entry.retryAt && Date.now() >= entry.retryAt)) {
      const result = fetchValue(kv, versionKey(kind, version), pointer, hint).then((value) => {
        if (value === null) throw new Error(`version ${version} is missing`);
        return value;
      });
      const decoding: Decoding<T> = {
        result,
        settled: false,
        retryAt: 0,
        failingSince: entry?.failingSince ?? 0,
        done: result.then(
          () => {
            decoding.settled = true;
            decoding.failingSince = 0;
          },
          (err: unknown) => {
            decoding.settled = true;
            decoding.retryAt = Date.now() + FRESH_MS;
            decoding.failingSince ||= Date.now();
            const standIn = standInFor(version, decoding);
            const standing = standIn ? `; ${standIn.version} answers until it loads, for up to ${STAND_IN_FOR_FAILED_MS / 1000} s from its first failure` : '';
            console.error(`rapport: the published ${NAMES[kind]} ${version} is unusable${standing}:`, err);
          },
        ),
      };
      entry = decoding;
      decoded.delete(version);
      decoded.set(version, entry);
      while (decoded.size > KEEP_VERSIONS) decoded.delete(decoded.keys().next().value!);
    }
    const standIn = standInFor(version, entry);
    if (standIn && (entry.settled ? entry.failingSince > 0 : keepInBackground(entry.done))) {
      return { state: 'ok', version: standIn.version, value: standIn.value };
    }
    try {
      const value = await entry.result;
      serving = { version, value };
      return { state: 'ok', version, value };
    } catch (err) {
      return { state: 'unusable', version, problem: (err as Error).message };
    } finally {
      if (activatedHere.get(kind) === version) activatedHere.delete(kind);
    }
  };
}

/** A stored catalog version: its core, and for one stored in the old JSON format, its shards converted in memory. */
type StoredCatalog = Omit<Catalog, 'delta'>;

/**
 * Reads a stored catalog version: a binary core (its parts fetched in
 * parallel, opened in place) or, from before the core existed, the JSON
 * array of items (format 1), checked and converted in memory, which is
 * slower and logged. Anything else is refused, naming what it is not.
 */
async function readStoredCatalog(kv: PublishedStore, version: string, parts = 1): Promise<StoredCatalog | null> {
  const read = await readFirstParts(kv, (part) => (part ? corePartKey(version, part) : versionKey('catalog', version)), parts);
  if (read === null) return null;
  const { first, early } = read;
  if (isCore(first)) return assembleCore(kv, version, first, early);
  const text = new TextDecoder().decode(first);
  if (!text.trimStart().startsWith('[')) {
    throw new Error(`not a Rapport catalog: neither a binary core (format ${CORE_FORMAT}, "RPCT") nor a JSON array of items (format 1)`);
  }
  const { core, shards } = memoryCatalog(JSON.parse(text));
  console.warn(`rapport: the catalog ${version} is stored in the old JSON format (1), converted at load; activate it through the admin API to store it in format ${CORE_FORMAT}`);
  return { core, shards };
}

/** A core from its first part and the later ones (those not read with it), fetched in parallel (`parts.ts`). */
async function assembleCore(kv: PublishedStore, version: string, first: Uint8Array, early: ReadonlyArray<ArrayBuffer | null> = []): Promise<StoredCatalog> {
  const bytes = await readParts(kv, first, coreParts(first).totalBytes, (part) => corePartKey(version, part), early).catch((err: Error) => {
    throw new Error(`catalog core: ${err.message}`);
  });
  return { core: openCore(bytes) };
}

const loadStoredCatalog = loader<StoredCatalog>('catalog', (kv, key, { parts }) => readStoredCatalog(kv, key.slice(versionKey('catalog', '').length), parts));

/**
 * The active catalog, with the stock and price changes published since laid
 * over it (their pointer re-read like the others, within {@link FRESH_MS}).
 */
export async function loadCatalog(kv: PublishedStore): Promise<Loaded<Catalog>> {
  // The changes are read alongside the core (a fresh isolate waits for one KV round trip, not two),
  // and turned into core indices once per (core, changes).
  const version = (await readPointer(kv, 'catalog'))?.version;
  const changes = (of: string) => cachedKv(kv, deltaKey(of), (text) => JSON.parse(text) as StoredDelta);
  const [loaded, early] = await Promise.all([loadStoredCatalog(kv), version ? changes(version).catch((err: unknown) => err as Error) : null]);
  if (loaded.state !== 'ok') return loaded;
  try {
    // The pointer moved between the two reads: the changes of the version that loaded.
    const stored = loaded.version === version ? early : await changes(loaded.version);
    if (stored instanceof Error) throw stored;
    return { ...loaded, value: { ...loaded.value, delta: stored ? deltaOf(loaded.value.core, stored) : EMPTY_DELTA } };
  } catch (err) {
    // Serving without them could show what is out of stock: unusable, like the catalog itself.
    return { state: 'unusable', version: loaded.version, problem: `its stock and price changes are unreadable (${(err as Error).message})` };
  }
}

const deltas = new WeakMap<StoredDelta, { core: CatalogCore; delta: Delta }>();

function deltaOf(core: CatalogCore, stored: StoredDelta): Delta {
  let hit = deltas.get(stored);
  if (hit?.core !== core) deltas.set(stored, (hit = { core, delta: deltaByIndex(stored, core) }));
  return hit.delta;
}

/**
 * The active model, decoded and prepared for requests. `items` (shop ids: the page's product, the
 * session's views) are what the first decision will ask about: where the pointer says how many
 * items a shard holds, a fresh isolate reads their shards beside the core.
 */
export const loadActiveModel = loader<LoadedModel, readonly string[]>('model', async (kv, key, { parts, shardItems }, items = []) => {
  const version = key.slice(versionKey('model', '').length);
  return readServedModel(kv, version, parts, shardItems === undefined ? undefined : earlyShards(kv, version, shardItems, items));
});

/**
 * Reads of the shards holding these shop ids' rows, started now, by shard number: for a model
 * whose shop ids are its integer ids, `shardItems` to a shard (the pointer's hint). A read the
 * core then shows was not needed (an id past its items) is dropped unused.
 */
function earlyShards(kv: PublishedStore, version: string, shardItems: number, items: readonly string[]): Map<number, Promise<ArrayBuffer | null>> {
  const reads = new Map<number, Promise<ArrayBuffer | null>>();
  for (const item of items) {
    if (!isIntegerItemId(item)) continue;
    const k = Math.floor(Number(item) / shardItems);
    if (reads.has(k)) continue;
    const read = kv.get(modelShardKey(version, k), 'arrayBuffer');
    // Unused, a failed read must not be an unhandled rejection; used, its failure is the decision's.
    read.catch(() => undefined);
    reads.set(k, read);
  }
  return reads;
}

const loadPublishedSlots = loader<SlotConfigs>('slots', async (kv, key) => {
  const config = await kv.get(key, 'json');
  return config === null ? null : buildSlots(config);
});

/** The active slot configuration; the built-in slots until one is published. */
export async function loadSlots(kv: PublishedStore): Promise<Loaded<SlotConfigs>> {
  const loaded = await loadPublishedSlots(kv);
  return loaded.state === 'absent' ? { state: 'ok', version: 'default', value: DEFAULT_SLOTS } : loaded;
}

const loadPublishedExperiments = loader<ExperimentsConfig>('experiments', async (kv, key) => {
  const config = await kv.get(key, 'json');
  return config === null ? null : buildExperiments(config);
});

/**
 * The active experiments configuration; until one is published, the holdout
 * alone at `holdoutShare`. Unusable, it is logged and no experiment runs (the
 * shop is served as if none were configured, never refused).
 */
export async function loadExperiments(kv: PublishedStore, holdoutShare: number): Promise<{ version: string; value: ExperimentsConfig }> {
  const loaded = await loadPublishedExperiments(kv);
  if (loaded.state === 'ok') return loaded;
  return { version: loaded.state === 'absent' ? 'default' : 'none', value: defaultExperiments(loaded.state === 'absent' ? holdoutShare : 0) };
}

const versions = new Map<string, Promise<LoadedModel | null>>();

/**
 * A stored model version other than the active one (an experiment's
 * candidate), decoded once per isolate; null when it is not stored or cannot
 * be used (the arm then serves the active model). Two are kept.
 */
export function loadModelVersion(kv: PublishedStore, version: string): Promise<LoadedModel | null> {
  let loading = versions.get(version);
  if (!loading) {
    loading = readServedModel(kv, version)
      .catch((err: unknown) => {
        console.error(`rapport: the experiment's model ${version} is unusable:`, err);
        return null;
      });
    versions.set(version, loading);
    while (versions.size > 2) versions.delete(versions.keys().next().value!);
  }
  return loading;
}

/** A required kind's value; absent or unusable is a 503 that names the problem and asks the client to retry. */
export function required<T>(loaded: Loaded<T>, kind: Exclude<Kind, 'model' | 'experiments'>): T {
  if (loaded.state === 'ok') return loaded.value;
  const retry = { 'Retry-After': String(FRESH_MS / 1000) };
  if (loaded.state === 'absent') {
    throw new ApiError(503, 'not_published', `No ${NAMES[kind]} has been published yet; publish one (npm run seed does for the demo)`, undefined, retry);
  }
  throw new ApiError(503, 'unusable_published_data', `The published ${NAMES[kind]} ${loaded.version} is unusable: ${loaded.problem}`, undefined, retry);
}

/** The model, or why decisions must rank by popularity instead. */
export function optionalModel(loaded: Loaded<LoadedModel>): { model: LoadedModel; version: string; problem?: undefined } | { model?: undefined; problem: string } {
  if (loaded.state === 'ok') return { model: loaded.value, version: loaded.version };
  if (loaded.state === 'absent') return { problem: 'no active model published' };
  return { problem: `model ${loaded.version} is unusable: ${loaded.problem}` };
}

/** Forgets every cached pointer and decoded version (tests publish new values and want them seen at once). */
export function forgetPublished(): void {
  clearIsolateCache();
  activatedHere.clear();
  forgetShards();
  for (const clear of decodedCaches) clear();
  versions.clear();
}

// Publishing through the Worker (the admin API): store a version, move the pointer, remember the way back.

/**
 * What the admin API needs of the namespace besides reads: a Workers KV
 * namespace in the Worker (written out, like {@link PublishedStore}, so the
 * Node side type-checks without the Workers runtime's types).
 */
export interface PublishingStore extends PublishedStore {
  put(key: string, value: string | Uint8Array, options?: { metadata?: VersionMetadata | PointerMetadata }): Promise<void>;
  list(options: { prefix: string; cursor?: string | null }): Promise<{ keys: Array<{ name: string; metadata?: unknown }>; list_complete: boolean; cursor?: string }>;
}

/** What KV keeps beside a version the admin API stored. */
interface VersionMetadata {
  publishedAt: string;
}

/** How a version became active. */
export type Cause = 'publish' | 'activate' | 'rollback';

/** One activation in a kind's history. */
export interface Activation {
  version: string;
  /** When, as an ISO timestamp. */
  at: string;
  cause: Cause;
}

/** A kind's activation history, one small KV value beside its pointer. */
interface History {
  /** The versions that were active, oldest first, the active one last; a rollback returns to the one before it. */
  stack: string[];
  /** Every activation, oldest first, rollbacks included: what the merchant changed and when. */
  log: Activation[];
}

/** How many activations back a rollback can reach, and how many the log keeps. */
const STACK_DEPTH = 20;
const LOG_LENGTH = 50;

/**
 * How soon decisions serve a newly active version: isolates at the location
 * that wrote it re-read the pointer within {@link FRESH_MS}; KV reaches other
 * locations within about a minute more.
 */
export const SERVED_WITHIN_SECONDS = { thisLocation: FRESH_MS / 1000, allLocations: FRESH_MS / 1000 + 60 } as const;

/** What an admin request did to one kind. */
export interface Change {
  kind: Kind;
  /** The version the request was about: the one published, activated or rolled back to. */
  version: string;
  /** Whether this request wrote the version's value (false when that exact value was already published). */
  stored: boolean;
  /** The active version after the request, and before it (null: none yet). */
  active: string | null;
  previous: string | null;
  changed: boolean;
  /** How soon decisions serve `active` once it changed. */
  servedWithinSeconds: typeof SERVED_WITHIN_SECONDS;
}

/** One kind as the admin API reports it. */
export interface KindStatus {
  /** The active version (null: none published; for slots, the built-in slots serve). */
  active: string | null;
  /** Where a rollback would go, if anywhere. */
  rollbackTo: string | null;
  /** Every stored version, by name; `publishedAt` is known for those the admin API stored. */
  versions: Array<{ version: string; publishedAt: string | null }>;
  /** The latest activations, oldest first. */
  history: Activation[];
}

/** Every kind's status. */
export type PublishedStatus = Record<Kind, KindStatus>;

const decoder = new TextDecoder();

/** Each kind's publish step, run again on a stored value to check that it can still serve (a catalog is read as it loads). */
const REPUBLISH: Record<Exclude<Kind, 'catalog'>, (bytes: Uint8Array) => Entry[]> = {
  model: (bytes) => publishModel(bytes),
  slots: (bytes) => publishSlots(JSON.parse(decoder.decode(bytes))),
  experiments: (bytes) => publishExperiments(JSON.parse(decoder.decode(bytes))),
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The active version and the history, with a pointer moved outside the admin API (the seed, `publish-data` into local KV) counted as the newest activation. */
async function activeAndHistory(kv: PublishingStore, kind: Kind): Promise<{ active: string | null } & History> {
  const [pointer, raw] = await Promise.all([kv.get(pointerKey(kind), 'text'), kv.get(historyKey(kind), 'json')]);
  const active = pointer?.trim() || null;
  const { stack, log } = (raw ?? {}) as Partial<History>;
  const known = Array.isArray(stack) ? stack.filter((version) => typeof version === 'string') : [];
  return { active, stack: active && known.at(-1) !== active ? [...known, active] : known, log: Array.isArray(log) ? log : [] };
}

/**
 * Makes `version` the active one and records the history. The pointer goes
 * first: decisions never read the history, and should its write fail,
 * {@link activeAndHistory} still counts the pointer as the newest activation.
 */
async function commit(kv: PublishingStore, kind: Kind, version: string, history: History): Promise<void> {
  const metadata = pointerMetadata(await storedHints(kv, kind, version));
  await kv.put(pointerKey(kind), version, metadata ? { metadata } : undefined);
  await kv.put(historyKey(kind), JSON.stringify({ stack: history.stack.slice(-STACK_DEPTH), log: history.log.slice(-LOG_LENGTH) } satisfies History));
  // This isolate serves the new version from its next request; the others within FRESH_MS (and its loading).
  forgetKv(pointerKey(kind));
  activatedHere.set(kind, version);
}

/** A stored version's hints for its pointer, from its first part's header: how many KV values it takes and, for a model, its shards' size in items. */
async function storedHints(kv: PublishingStore, kind: Kind, version: string): Promise<PointerMetadata> {
  if (kind !== 'model' && kind !== 'catalog') return { parts: 1 };
  const stored = await kv.get(versionKey(kind, version), 'arrayBuffer');
  if (stored === null) return { parts: 1 };
  const first = new Uint8Array(stored);
  try {
    if (kind === 'model') return { parts: partCount(first.byteLength, storedArtifactLength(first)), shardItems: artifactShardItems(first) };
    return { parts: partCount(first.byteLength, isCore(first) ? coreParts(first).totalBytes : first.byteLength) };
  } catch {
    // Checked before activation; should its header not read, readers take the first part, then the rest.
    return { parts: 1 };
  }
}

/** Checks that a stored version exists (else `missing()`) and could serve (else a 409 naming the problem). */
async function checkStored(kv: PublishingStore, kind: Kind, version: string, missing: () => ApiError): Promise<void> {
  if (!VERSION.test(version)) throw missing();
  try {
    if (kind === 'catalog') {
      if ((await readStoredCatalog(kv, version)) === null) throw missing();
      return;
    }
    const bytes = await storedValue(kv, kind, version);
    if (bytes === null) throw missing();
    const [stored] = REPUBLISH[kind](bytes);
    if (kind === 'model' && stored!.version !== version) throw new Error(`its artifact says it is version ${stored!.version}`);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(409, 'unusable_version', `The stored ${NAMES[kind]} ${version} cannot serve, so it was not activated: ${(err as Error).message}`);
  }
}

/**
 * Stores one publication's values (from `publishCatalog`, `publishModel` or
 * `publishSlots`) and, when `activate`, makes it the active version. A value
 * already stored under its version is not written again; different content
 * under a stored version is a 409, because versions never change (rollback
 * returns to exactly what served). A value in parts (a model) has its later
 * parts written first: the version's own key, the first part, says it is stored.
 */
export async function publishVersion(kv: PublishingStore, entries: readonly Entry[], activate: boolean, now = Date.now()): Promise<Change> {
  const pointer = entries.find((entry) => entry.pointer);
  const value = pointer && entries.find((entry) => entry.key === versionKey(pointer.kind, pointer.version));
  if (!pointer || !value || entries.some((entry) => entry.kind !== pointer.kind || entry.version !== pointer.version)) {
    throw new TypeError('publishVersion takes the entries of one publication');
  }
  const { kind, version } = value;
  const bytes = typeof value.value === 'string' ? new TextEncoder().encode(value.value) : value.value;
  const existing = await kv.get(value.key, 'arrayBuffer');
  if (existing && !sameBytes(new Uint8Array(existing), bytes)) {
    throw new ApiError(409, 'version_conflict', `A different ${NAMES[kind]} is already published as ${version}; published versions never change, so publish this one under a new version`);
  }
  if (!existing) {
    // A catalog's shards and a value's later parts first: the version's own key is what says it is stored.
    for (const entry of entries) if (!entry.pointer && entry !== value) await kv.put(entry.key, entry.value);
    await kv.put(value.key, value.value, { metadata: { publishedAt: new Date(now).toISOString() } });
  }
  const change = activate ? await activateStored(kv, kind, version, 'publish', now) : await unchanged(kv, kind, version);
  return { ...change, stored: !existing };
}

async function unchanged(kv: PublishingStore, kind: Kind, version: string): Promise<Change> {
  const { active } = await activeAndHistory(kv, kind);
  return { kind, version, stored: false, active, previous: active, changed: false, servedWithinSeconds: SERVED_WITHIN_SECONDS };
}

async function activateStored(kv: PublishingStore, kind: Kind, version: string, cause: Cause, now: number): Promise<Change> {
  const { active, stack, log } = await activeAndHistory(kv, kind);
  if (active !== version) await commit(kv, kind, version, { stack: [...stack, version], log: [...log, { version, at: new Date(now).toISOString(), cause }] });
  return { kind, version, stored: false, active: version, previous: active, changed: active !== version, servedWithinSeconds: SERVED_WITHIN_SECONDS };
}

/**
 * Makes a stored version the active one: 404 for a version never stored, 409
 * for one that could not serve. A catalog stored in the old JSON format is
 * migrated: stored again in the current format, and that version activated.
 */
export async function activateVersion(kv: PublishingStore, kind: Kind, version: string, now = Date.now()): Promise<Change> {
  await checkStored(kv, kind, version, () => new ApiError(404, 'unknown_version', `No ${NAMES[kind]} ${JSON.stringify(version)} is stored; GET /v1/admin/published lists the versions`));
  if (kind === 'catalog') {
    // The migration path: a catalog stored in the old JSON format is stored again as a core and
    // shards (a new content version), and that one becomes active.
    const stored = new Uint8Array((await kv.get(versionKey(kind, version), 'arrayBuffer'))!);
    if (!isCore(stored)) return publishVersion(kv, publishCatalog(JSON.parse(decoder.decode(stored))), true, now);
  }
  return activateStored(kv, kind, version, 'activate', now);
}

/** Makes the previously active version the active one again (repeated, it walks further back): 409 when there is none. */
export async function rollBack(kv: PublishingStore, kind: Kind, now = Date.now()): Promise<Change> {
  const { active, stack, log } = await activeAndHistory(kv, kind);
  const target = stack.at(-2);
  if (!active || target === undefined) {
    const why = active ? `the history records no ${NAMES[kind]} active before ${active}` : `no ${NAMES[kind]} is active`;
    throw new ApiError(409, 'no_previous_version', `Nothing to roll back to: ${why}`);
  }
  await checkStored(kv, kind, target, () => new ApiError(409, 'unusable_version', `The previous ${NAMES[kind]} ${target} is no longer stored`));
  await commit(kv, kind, target, { stack: stack.slice(0, -1), log: [...log, { version: target, at: new Date(now).toISOString(), cause: 'rollback' }] });
  return { kind, version: target, stored: false, active: target, previous: active, changed: true, servedWithinSeconds: SERVED_WITHIN_SECONDS };
}

async function storedVersions(kv: PublishingStore, kind: Kind): Promise<KindStatus['versions']> {
  const prefix = versionKey(kind, '');
  const versions: KindStatus['versions'] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, cursor });
    for (const { name, metadata } of page.keys) {
      const version = name.slice(prefix.length);
      const publishedAt = (metadata as Partial<VersionMetadata> | undefined)?.publishedAt;
      if (VERSION.test(version)) versions.push({ version, publishedAt: typeof publishedAt === 'string' ? publishedAt : null });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return versions;
}

/** Every kind's active version, where a rollback would go, its stored versions and its recent activations. */
export async function publishedStatus(kv: PublishingStore): Promise<PublishedStatus> {
  const statuses = await Promise.all(
    KINDS.map(async (kind): Promise<[Kind, KindStatus]> => {
      const [{ active, stack, log }, versions] = await Promise.all([activeAndHistory(kv, kind), storedVersions(kv, kind)]);
      return [kind, { active, rollbackTo: stack.at(-2) ?? null, versions, history: log }];
    }),
  );
  return Object.fromEntries(statuses) as PublishedStatus;
}

// The catalog's own admin operations: uploads in parts, stock and price changes, compaction.

/** A stored catalog version as `npm run retrain` reads it: the whole core (every part joined), or the JSON of format 1. */
export async function storedCatalogValue(kv: PublishingStore, version: string): Promise<Uint8Array | null> {
  const stored = VERSION.test(version) ? await readStoredCatalog(kv, version).catch(() => null) : null;
  if (!stored) return null;
  return stored.shards ? new Uint8Array((await kv.get(versionKey('catalog', version), 'arrayBuffer'))!) : stored.core.bytes;
}

/**
 * A stored version's whole value as it was published, or null when none is
 * stored: a model's parts joined, a catalog's whole core (or the JSON of an
 * old-format one), any other kind's one value.
 */
export async function storedValue(kv: PublishingStore, kind: Kind, version: string): Promise<Uint8Array | null> {
  if (kind === 'catalog') return storedCatalogValue(kv, version);
  if (kind === 'model') return readWholeModel(kv, version);
  const bytes = await kv.get(versionKey(kind, version), 'arrayBuffer');
  return bytes && new Uint8Array(bytes);
}

const SHARD_KEY = /^catalog-shard:[0-9a-f]{16}$/;
const PART_KEY = /^catalog-part:([A-Za-z0-9._:-]{1,64}):([1-9][0-9]{0,3})$/;

/** One value of a catalog uploaded in parts: a shard's text, or a later part of the core (base64). */
export interface CatalogUploadValue {
  key: string;
  value: string;
  base64?: boolean;
}

/**
 * Stores the shards and later core parts of a catalog published in parts
 * (`npm run publish-data -- --remote`): each shard's key must be its content's
 * hash and its rows valid items; a part's key names its version. Nothing is
 * active until the core's first part is published (`PUT /v1/admin/catalog`
 * with the core's bytes), which checks the whole core.
 */
export async function storeCatalogValues(kv: PublishingStore, values: readonly CatalogUploadValue[]): Promise<number> {
  const writes = values.map(({ key, value, base64 }, i): [string, string | Uint8Array] => {
    const where = `${i}.key`;
    if (SHARD_KEY.test(key) && !base64) {
      if (keyOfText(value) !== key) throw new ApiError(400, 'invalid_catalog', `${where}: the shard's content does not hash to ${key}`);
      try {
        checkShard(value);
      } catch (err) {
        throw new ApiError(400, 'invalid_catalog', `${where}: ${(err as Error).message}`);
      }
      return [key, value];
    }
    if (PART_KEY.test(key) && base64) return [key, Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0))];
    throw new ApiError(400, 'invalid_catalog', `${where}: ${JSON.stringify(key)} is neither a shard (catalog-shard:<16 hex>, text) nor a core part (catalog-part:<version>:<n>, base64)`);
  });
  for (const [key, value] of writes) await kv.put(key, value);
  return writes.length;
}

/**
 * One page of the catalog shards KV holds (any version's): an upload in parts
 * skips them, since a shard's key is its content.
 */
export async function storedShards(kv: PublishingStore, cursor?: string): Promise<{ keys: string[]; cursor: string | null }> {
  const page = await kv.list({ prefix: 'catalog-shard:', cursor });
  return { keys: page.keys.map(({ name }) => name), cursor: page.list_complete ? null : (page.cursor ?? null) };
}

/**
 * The publication of a core whose shards and later parts were uploaded
 * before: `first` is its first part, `version` the content version the CLI
 * computed, checked here against the joined bytes, which must open.
 */
export async function uploadedCatalog(kv: PublishingStore, version: string, first: Uint8Array): Promise<Entry[]> {
  if (!VERSION.test(version)) throw new TypeError(`version ${JSON.stringify(version)} is not a catalog version`);
  const { core } = await assembleCore(kv, version, first);
  if (contentVersion(core.bytes) !== version) throw new TypeError(`the core's bytes are not version ${version} (a part is missing or from another upload)`);
  return publication('catalog', version, first);
}

/** What a stock and price change did. */
export interface CatalogPatch {
  /** The active catalog version the changes are laid over (after a compaction, the new one). */
  version: string;
  /** How many of the named items this request changed (0: all were already so). */
  changed: number;
  /** How many items the overlay holds now (0 after a compaction). */
  pending: number;
  /** The version folded into a new one, when this request compacted. */
  compactedFrom: string | null;
  servedWithinSeconds: typeof SERVED_WITHIN_SECONDS;
}

/** The active catalog read afresh (an admin change must not apply to a version this isolate still caches). */
async function activeCatalog(kv: PublishingStore): Promise<{ version: string; catalog: StoredCatalog; delta: StoredDelta }> {
  const version = (await kv.get(pointerKey('catalog'), 'text'))?.trim();
  const catalog = version ? await readStoredCatalog(kv, version).catch(() => null) : null;
  if (!version || !catalog) throw new ApiError(409, 'no_catalog', 'No usable catalog is active; publish one first (PUT /v1/admin/catalog)');
  return { version, catalog, delta: ((await kv.get(deltaKey(version), 'json')) ?? {}) as StoredDelta };
}

/**
 * Applies stock and price changes to the active catalog: 400 naming every id
 * it does not hold (nothing changed); the same changes again change nothing.
 * Past {@link COMPACT_AT} items the overlay is folded into a new version.
 */
export async function patchCatalog(kv: PublishingStore, changes: readonly StockPriceChange[], now = Date.now()): Promise<CatalogPatch> {
  const active = await activeCatalog(kv);
  const { merged, unknown } = mergeDelta(active.delta, changes, active.catalog.core);
  if (unknown.length) {
    const ids = unknown.map(({ path }) => JSON.stringify(changes[Number.parseInt(path, 10)]!.id)).join(', ');
    throw new ApiError(400, 'unknown_item', `The active catalog ${active.version} does not hold ${ids}; publish them with the catalog first (nothing was changed)`, unknown);
  }
  const changed = Object.keys(merged).filter((id) => JSON.stringify(merged[id]) !== JSON.stringify(active.delta[id])).length;
  if (Object.keys(merged).length > COMPACT_AT) return compact(kv, { ...active, delta: merged }, changed, now);
  if (changed) {
    await kv.put(deltaKey(active.version), JSON.stringify(merged));
    forgetKv(deltaKey(active.version));
  }
  return { version: active.version, changed, pending: Object.keys(merged).length, compactedFrom: null, servedWithinSeconds: SERVED_WITHIN_SECONDS };
}

/** Folds the active catalog's overlay into a new version now (also done by {@link patchCatalog} past its bound). */
export async function compactCatalog(kv: PublishingStore, now = Date.now()): Promise<CatalogPatch> {
  return compact(kv, await activeCatalog(kv), 0, now);
}

async function compact(kv: PublishingStore, active: Awaited<ReturnType<typeof activeCatalog>>, changed: number, now: number): Promise<CatalogPatch> {
  if (!Object.keys(active.delta).length) return { version: active.version, changed, pending: 0, compactedFrom: null, servedWithinSeconds: SERVED_WITHIN_SECONDS };
  const { core, shards } = active.catalog;
  const folded = await foldDelta(core, deltaByIndex(active.delta, core), (keys) => (shards ? Promise.resolve(shards) : readShards(kv, keys)));
  // A catalog converted from the old format has no shards in KV yet: all of them go with it (a migration).
  const unchanged = shards ? [...shards.values()].map((rows) => rowsText(Object.entries(rows))) : [];
  const change = await publishVersion(kv, catalogPublication({ core: folded.core, shards: [...unchanged, ...folded.shards] }), true, now);
  return { version: change.version, changed, pending: 0, compactedFrom: active.version, servedWithinSeconds: SERVED_WITHIN_SECONDS };
}

/**
 * The display fields of catalog items (core indices), from their shards (one
 * KV bulk read for those this isolate has not cached); a shard that cannot
 * be read is a 503 naming it, as for any unusable published data.
 */
export async function catalogDetails(kv: PublishedStore, catalog: Catalog, version: string, indices: Iterable<number>): Promise<Map<number, ItemDetails>> {
  try {
    return await itemDetails(kv, catalog.core, indices, catalog.shards);
  } catch (err) {
    console.error(`rapport: the published catalog ${version} is unusable:`, err);
    throw new ApiError(503, 'unusable_published_data', `The published catalog ${version} is unusable: ${(err as Error).message}`, undefined, { 'Retry-After': String(FRESH_MS / 1000) });
  }
}
