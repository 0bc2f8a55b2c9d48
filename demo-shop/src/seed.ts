/**
 * What the demo publishes to Rapport's MODELS namespace: its catalog feed,
 * the active model and the slot configuration. Plain data, so the seed CLI
 * (into local KV through wrangler) and the Worker tests (into their isolated
 * KV) publish exactly the same thing.
 */
import { CATALOG_KEY } from '../../edge-worker/src/catalog/catalog';
import { ACTIVE_MODEL_KEY, SKELETON_MODEL } from '../../edge-worker/src/engine/affinity-model';
import { DEFAULT_SLOTS, SLOTS_KEY } from '../../edge-worker/src/engine/slots';
import { catalogFeed } from './catalog';

/** Key/value pairs for the MODELS namespace. */
export function seedEntries(): Array<{ key: string; value: string }> {
  return [
    { key: CATALOG_KEY, value: JSON.stringify(catalogFeed()) },
    { key: `model:${SKELETON_MODEL.version}`, value: JSON.stringify(SKELETON_MODEL) },
    { key: ACTIVE_MODEL_KEY, value: SKELETON_MODEL.version },
    { key: SLOTS_KEY, value: JSON.stringify(DEFAULT_SLOTS) },
  ];
}
