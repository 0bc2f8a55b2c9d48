/**
 * What the demo publishes to Rapport's MODELS namespace: its catalog feed,
 * its trained model and the slot configuration. Plain data, so the seed CLI
 * (into local KV through wrangler) and the Worker tests (into their isolated
 * KV) publish exactly the same thing.
 */
import { catalogEntries } from '../../edge-worker/src/catalog/catalog';
import { ACTIVE_MODEL_KEY, modelKey } from '../../edge-worker/src/engine/served-model';
import { DEFAULT_SLOTS, SLOTS_KEY } from '../../edge-worker/src/engine/slots';
import { catalogFeed } from './catalog';

/** A trained model artifact and its version. */
export interface PublishedModel {
  version: string;
  bytes: Uint8Array;
}

/** Key/value pairs for the MODELS namespace; the artifact goes in before the pointer to it. */
export function seedEntries(model: PublishedModel): Array<{ key: string; value: string | Uint8Array }> {
  return [
    ...catalogEntries(catalogFeed()),
    { key: modelKey(model.version), value: model.bytes },
    { key: ACTIVE_MODEL_KEY, value: model.version },
    { key: SLOTS_KEY, value: JSON.stringify(DEFAULT_SLOTS) },
  ];
}
