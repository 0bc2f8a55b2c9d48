/**
 * Read-mostly data published to the MODELS namespace: the catalog snapshot,
 * the active model and the slot configuration. Each is parsed once per isolate
 * and re-read when it changes (see `isolate-cache.ts`).
 */
import { buildCatalog, CATALOG_KEY, type Catalog } from '../catalog/catalog';
import { ACTIVE_MODEL_KEY, modelKey } from '../engine/served-model';
import { buildSlots, DEFAULT_SLOTS, SLOTS_KEY, type SlotConfig } from '../engine/slots';
import { loadModel, type LoadedModel } from '../model/recommend';
import { cachedKv, cachedKvJson, FRESH_MS } from './isolate-cache';

/** The current catalog, or `null` when none has been published. */
export function loadCatalog(kv: KVNamespace): Promise<Catalog | null> {
  return cachedKvJson(kv, CATALOG_KEY, buildCatalog);
}

/** The active model, or the reason there is none usable (the caller falls back to popularity). */
export type ActiveModel = { model: LoadedModel; version: string; problem?: undefined } | { model?: undefined; problem: string };

interface Loaded {
  result: Promise<LoadedModel>;
  /** When a failed load may be retried (a corrupt artifact is not fetched again on every request). */
  retryAt: number;
}

/** Decoded models by version. The previous version stays while requests switch over; older ones are dropped. */
const models = new Map<string, Loaded>();
const KEEP_VERSIONS = 2;

function fetchModel(kv: KVNamespace, version: string): Promise<LoadedModel> {
  return kv.get(modelKey(version), 'arrayBuffer').then((bytes) => {
    if (!bytes) throw new Error('its artifact is missing');
    return loadModel(bytes);
  });
}

/**
 * Loads the model the `model:active` pointer names: fetched from KV and
 * decoded once per isolate per version. A new pointer switches new requests
 * to the new version within the cache's freshness window.
 */
export async function loadActiveModel(kv: KVNamespace): Promise<ActiveModel> {
  const version = await cachedKv(kv, ACTIVE_MODEL_KEY, (text) => text.trim());
  if (!version) return { problem: 'no active model published' };
  let entry = models.get(version);
  if (!entry || (entry.retryAt && Date.now() >= entry.retryAt)) {
    entry = { result: fetchModel(kv, version), retryAt: 0 };
    const loading = entry;
    loading.result.catch(() => (loading.retryAt = Date.now() + FRESH_MS));
    models.delete(version);
    models.set(version, entry);
    while (models.size > KEEP_VERSIONS) models.delete(models.keys().next().value!);
  }
  try {
    return { model: await entry.result, version };
  } catch (err) {
    return { problem: `model ${version} is unusable: ${(err as Error).message}` };
  }
}

/** Forgets decoded models (tests publish new artifacts under the same version). */
export function clearModels(): void {
  models.clear();
}

/** The published slot configuration, or the defaults when none is published. */
export async function loadSlots(kv: KVNamespace): Promise<Readonly<Record<string, SlotConfig>>> {
  return (await cachedKvJson(kv, SLOTS_KEY, buildSlots)) ?? DEFAULT_SLOTS;
}
