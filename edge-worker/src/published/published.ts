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
 */
import { buildCatalog, type Catalog, type CatalogItem } from '../catalog/catalog';
import { ApiError } from '../http/errors';
import { readArtifactHeader } from '../model/artifact';
import { loadModel, type LoadedModel } from '../model/recommend';
import { buildSlots, DEFAULT_SLOTS, type SlotConfigs } from '../slots/config';
import { cachedKv, clearIsolateCache, FRESH_MS, type PublishedStore } from './isolate-cache';

/** The kinds of published data, each an immutable version behind a pointer. */
export type Kind = 'catalog' | 'model' | 'slots';

/** What each kind is called in errors and logs. */
const NAMES: Record<Kind, string> = { catalog: 'catalog', model: 'model', slots: 'slot configuration' };

/** KV key of the pointer to a kind's active version. */
export function pointerKey(kind: Kind): string {
  return `${kind}:active`;
}

/** KV key of one immutable version of a kind. */
export function versionKey(kind: Kind, version: string): string {
  return `${kind}:${version}`;
}

/** One KV write of a publication. Pointers must be written after every value they may name. */
export interface Entry {
  key: string;
  value: string | Uint8Array;
  pointer: boolean;
}

/** What a version may be called: short and key-safe, never the pointer's own name. */
const VERSION = /^(?!active$)[A-Za-z0-9._:-]{1,64}$/;

function publication(kind: Kind, version: string, value: string | Uint8Array): Entry[] {
  if (!VERSION.test(version)) throw new TypeError(`${NAMES[kind]} version ${JSON.stringify(version)} is not 1-64 characters of A-Z a-z 0-9 . _ : - (nor "active")`);
  return [
    { key: versionKey(kind, version), value, pointer: false },
    { key: pointerKey(kind), value: version, pointer: true },
  ];
}

/** A content version: 64-bit FNV-1a of the text, so republishing the same value changes nothing. */
export function contentVersion(text: string): string {
  let lo = 0x84222325;
  let hi = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // Multiply the 64-bit state by the FNV prime 2^40 + 0x1b3, in 32-bit halves.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = loMul >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/**
 * The entries that publish a catalog, versioned by its content. Throws a
 * `TypeError` for a catalog the Worker could not use, before anything is written.
 * @example for (const { key, value } of publishCatalog(items)) await env.MODELS.put(key, value);
 */
export function publishCatalog(items: readonly CatalogItem[]): Entry[] {
  // Only the fields the Worker uses are published (a shop's feed may carry more).
  const text = JSON.stringify(buildCatalog(items).items);
  return publication('catalog', contentVersion(text), text);
}

/** The entries that publish a model artifact under the version in its header; throws for bytes that are not a servable artifact. */
export function publishModel(bytes: Uint8Array): Entry[] {
  return publication('model', readArtifactHeader(bytes).modelVersion, bytes);
}

/** The entries that publish a slot configuration, versioned by its content; throws a `TypeError` naming what is invalid. */
export function publishSlots(config: unknown): Entry[] {
  const text = JSON.stringify(buildSlots(config));
  return publication('slots', contentVersion(text), text);
}

/** A kind as a route sees it: usable, never published, or published but unusable (and why). */
export type Loaded<T> =
  | { state: 'ok'; version: string; value: T }
  | { state: 'absent' }
  | { state: 'unusable'; version: string; problem: string };

interface Decoding<T> {
  result: Promise<T>;
  /** When a failed decode may be tried again (a corrupt value is not fetched again on every request). */
  retryAt: number;
}

/** Each kind's forget function (tests publish new values under an old version). */
const decodedCaches: Array<() => void> = [];

/**
 * A loader for one kind: re-reads the short pointer (see `isolate-cache.ts`)
 * and decodes each version once per isolate, keeping the previous version
 * while requests switch over. A failure is logged once per attempt.
 */
function loader<T>(kind: Kind, fetchValue: (kv: PublishedStore, key: string) => Promise<T | null>): (kv: PublishedStore) => Promise<Loaded<T>> {
  const decoded = new Map<string, Decoding<T>>();
  const KEEP_VERSIONS = 2;
  decodedCaches.push(() => decoded.clear());
  return async (kv) => {
    const version = await cachedKv(kv, pointerKey(kind), (text) => text.trim());
    if (!version) return { state: 'absent' };
    let entry = decoded.get(version);
    if (!entry || (entry.retryAt && Date.now() >= entry.retryAt)) {
      const result = fetchValue(kv, versionKey(kind, version)).then((value) => {
        if (value === null) throw new Error(`version ${version} is missing`);
        return value;
      });
      const decoding: Decoding<T> = { result, retryAt: 0 };
      result.catch((err: unknown) => {
        decoding.retryAt = Date.now() + FRESH_MS;
        console.error(`rapport: the published ${NAMES[kind]} ${version} is unusable:`, err);
      });
      entry = decoding;
      decoded.delete(version);
      decoded.set(version, entry);
      while (decoded.size > KEEP_VERSIONS) decoded.delete(decoded.keys().next().value!);
    }
    try {
      return { state: 'ok', version, value: await entry.result };
    } catch (err) {
      return { state: 'unusable', version, problem: (err as Error).message };
    }
  };
}

/** The active catalog. */
export const loadCatalog = loader<Catalog>('catalog', async (kv, key) => {
  const snapshot = await kv.get(key, 'json');
  return snapshot === null ? null : buildCatalog(snapshot);
});

/** The active model, decoded and prepared for requests. */
export const loadActiveModel = loader<LoadedModel>('model', async (kv, key) => {
  const bytes = await kv.get(key, 'arrayBuffer');
  return bytes === null ? null : loadModel(bytes);
});

const loadPublishedSlots = loader<SlotConfigs>('slots', async (kv, key) => {
  const config = await kv.get(key, 'json');
  return config === null ? null : buildSlots(config);
});

/** The active slot configuration; the built-in slots until one is published. */
export async function loadSlots(kv: PublishedStore): Promise<Loaded<SlotConfigs>> {
  const loaded = await loadPublishedSlots(kv);
  return loaded.state === 'absent' ? { state: 'ok', version: 'default', value: DEFAULT_SLOTS } : loaded;
}

/** A required kind's value; absent or unusable is a 503 that names the problem and asks the client to retry. */
export function required<T>(loaded: Loaded<T>, kind: Exclude<Kind, 'model'>): T {
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
  for (const clear of decodedCaches) clear();
}
