/**
 * A shop's files as publications, checked by the Worker's own publish step
 * (`published/published.ts`) before anything is written or sent: used by
 * `npm run publish-data` and `npm run admin`.
 */
import { readFileSync } from 'node:fs';
import type { CatalogItem } from '../src/catalog/catalog';
import { publishCatalog, publishExperiments, publishModel, publishSlots, type Entry, type Kind } from '../src/published/published';

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

const PUBLISH: Record<Kind, (path: string) => Entry[]> = {
  catalog: (path) => publishCatalog(readJson(path) as CatalogItem[]), // checked by publishCatalog
  model: (path) => publishModel(new Uint8Array(readFileSync(path))),
  slots: (path) => publishSlots(readJson(path)),
  experiments: (path) => publishExperiments(readJson(path)),
};

/**
 * The entries that publish a file as `kind`; throws an `Error` naming the
 * file and what is wrong with it (unreadable, not JSON, or refused).
 * @example const [value] = readPublication('catalog', 'items.json'); // value.version
 */
export function readPublication(kind: Kind, path: string): Entry[] {
  try {
    return PUBLISH[kind](path);
  } catch (err) {
    throw new Error(`${path} cannot be published as the ${kind}: ${(err as Error).message}`);
  }
}
