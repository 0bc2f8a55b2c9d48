/**
 * Read-mostly data published to the MODELS namespace: the catalog snapshot,
 * the active model and the slot configuration. Each is parsed once per isolate
 * and re-read when it changes (see `isolate-cache.ts`).
 */
import { buildCatalog, CATALOG_KEY, type Catalog } from '../catalog/catalog';
import { ACTIVE_MODEL_KEY, buildModel, type AffinityModel } from '../engine/affinity-model';
import { buildSlots, DEFAULT_SLOTS, SLOTS_KEY, type SlotConfig } from '../engine/slots';
import { cachedKv, cachedKvJson } from './isolate-cache';

/** The current catalog, or `null` when none has been published. */
export function loadCatalog(kv: KVNamespace): Promise<Catalog | null> {
  return cachedKvJson(kv, CATALOG_KEY, buildCatalog);
}

/** The active model, or the reason there is none usable (the caller falls back to popularity). */
export type ActiveModel = { model: AffinityModel; problem?: undefined } | { model?: undefined; problem: string };

/** Loads the model the `model:active` pointer names. */
export async function loadActiveModel(kv: KVNamespace): Promise<ActiveModel> {
  const version = await cachedKv(kv, ACTIVE_MODEL_KEY, (text) => text.trim());
  if (!version) return { problem: 'no active model published' };
  try {
    const model = await cachedKvJson(kv, `model:${version}`, buildModel);
    return model ? { model } : { problem: `model ${version} is missing` };
  } catch (err) {
    return { problem: `model ${version} is unreadable: ${(err as Error).message}` };
  }
}

/** The published slot configuration, or the defaults when none is published. */
export async function loadSlots(kv: KVNamespace): Promise<Readonly<Record<string, SlotConfig>>> {
  return (await cachedKvJson(kv, SLOTS_KEY, buildSlots)) ?? DEFAULT_SLOTS;
}
