/**
 * Read-mostly data published to the MODELS namespace: the catalog snapshot,
 * the active model and the slot configuration. Catalog and model are
 * immutable versions behind a short pointer: an isolate re-reads the pointer
 * (see `isolate-cache.ts`) and fetches and decodes a version once.
 */
import { buildCatalog, CATALOG_POINTER_KEY, catalogKey, type Catalog } from '../catalog/catalog';
import { ACTIVE_MODEL_KEY, modelKey } from '../engine/served-model';
import { buildSlots, DEFAULT_SLOTS, SLOTS_KEY, type SlotConfig } from '../engine/slots';
import { loadModel, type LoadedModel } from '../model/recommend';
import { cachedKv, cachedKvJson, FRESH_MS } from './isolate-cache';

/** Each versioned value's forget function (tests publish new values under an old version). */
const cachesToClear: Array<() => void> = [];

interface Loaded<T> {
  result: Promise<T>;
  /** When a failed load may be retried (a corrupt value is not fetched again on every request). */
  retryAt: number;
}

/** The version a pointer names and its decoded value (which rejects when the version is unusable). */
interface Resolved<T> {
  version: string;
  value: Promise<T>;
}

/**
 * Immutable values behind a pointer key, decoded once per isolate per
 * version. The previous version stays while requests switch over; older
 * ones are dropped.
 */
function versioned<T>(pointerKey: string, fetch: (kv: KVNamespace, version: string) => Promise<T>): (kv: KVNamespace) => Promise<Resolved<T> | null> {
  const loaded = new Map<string, Loaded<T>>();
  const KEEP_VERSIONS = 2;
  cachesToClear.push(() => loaded.clear());
  return async (kv) => {
    const version = await cachedKv(kv, pointerKey, (text) => text.trim());
    if (!version) return null;
    let entry = loaded.get(version);
    if (!entry || (entry.retryAt && Date.now() >= entry.retryAt)) {
      entry = { result: fetch(kv, version), retryAt: 0 };
      const loading = entry;
      loading.result.catch(() => (loading.retryAt = Date.now() + FRESH_MS));
      loaded.delete(version);
      loaded.set(version, entry);
      while (loaded.size > KEEP_VERSIONS) loaded.delete(loaded.keys().next().value!);
    }
    return { version, value: entry.result };
  };
}

const activeCatalog = versioned(CATALOG_POINTER_KEY, async (kv, version) => {
  const snapshot = await kv.get(catalogKey(version), 'json');
  if (snapshot === null) throw new Error(`catalog version ${version} is missing`);
  return buildCatalog(snapshot);
});

/** The current catalog, or `null` when none has been published; rejects when the published one is unusable. */
export async function loadCatalog(kv: KVNamespace): Promise<Catalog | null> {
  const resolved = await activeCatalog(kv);
  return resolved ? resolved.value : null;
}

/** The active model, or the reason there is none usable (the caller falls back to popularity). */
export type ActiveModel = { model: LoadedModel; version: string; problem?: undefined } | { model?: undefined; problem: string };

const activeModel = versioned(ACTIVE_MODEL_KEY, async (kv, version) => {
  const bytes = await kv.get(modelKey(version), 'arrayBuffer');
  if (!bytes) throw new Error('its artifact is missing');
  return loadModel(bytes);
});

/**
 * Loads the model the `model:active` pointer names: fetched from KV and
 * decoded once per isolate per version. A new pointer switches new requests
 * to the new version within the cache's freshness window.
 */
export async function loadActiveModel(kv: KVNamespace): Promise<ActiveModel> {
  const resolved = await activeModel(kv);
  if (!resolved) return { problem: 'no active model published' };
  try {
    return { model: await resolved.value, version: resolved.version };
  } catch (err) {
    return { problem: `model ${resolved.version} is unusable: ${(err as Error).message}` };
  }
}

/** Forgets decoded catalogs and models (tests publish new values under the same version). */
export function clearDecoded(): void {
  for (const clear of cachesToClear) clear();
}

/** The published slot configuration, or the defaults when none is published. */
export async function loadSlots(kv: KVNamespace): Promise<Readonly<Record<string, SlotConfig>>> {
  return (await cachedKvJson(kv, SLOTS_KEY, buildSlots)) ?? DEFAULT_SLOTS;
}
