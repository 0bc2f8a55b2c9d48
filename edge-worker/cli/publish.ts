/**
 * `npm run publish-data -- [--catalog items.json] [--model model.bin] [--slots slots.json] [--persist-to <dir> | --remote]`
 *
 * Publishes a shop's data to the MODELS namespace: each value is checked
 * first (nothing is written when any is unusable), written under its
 * immutable version, and only then do the `<kind>:active` pointers move.
 * Running Workers pick the new versions up within seconds, without a redeploy.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CatalogItem } from '../src/catalog/catalog';
import { publishCatalog, publishModel, publishSlots, type Entry } from '../src/published/published';
import { putEntries } from './wrangler';

const USAGE = 'usage: publish-data [--catalog items.json] [--model model.bin] [--slots slots.json] [--persist-to <dir> | --remote] [--config wrangler.toml]';

const { values } = parseArgs({
  options: {
    catalog: { type: 'string' },
    model: { type: 'string' },
    slots: { type: 'string' },
    'persist-to': { type: 'string', default: '.wrangler/state' },
    remote: { type: 'boolean', default: false },
    config: { type: 'string' },
  },
});

/** The entries for one file, or exit naming the file and what is wrong with it. */
function entriesOf(path: string, publish: (path: string) => Entry[]): Entry[] {
  try {
    return publish(path);
  } catch (err) {
    console.error(`publish-data: ${path} cannot be published: ${(err as Error).message}`);
    process.exit(1);
  }
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const entries = [
  ...(values.catalog ? entriesOf(values.catalog, (path) => publishCatalog(readJson(path) as CatalogItem[]) /* checked by publishCatalog */) : []),
  ...(values.model ? entriesOf(values.model, (path) => publishModel(new Uint8Array(readFileSync(path)))) : []),
  ...(values.slots ? entriesOf(values.slots, (path) => publishSlots(readJson(path))) : []),
];
if (!entries.length) {
  console.error(USAGE);
  process.exit(2);
}
putEntries('MODELS', entries, values.remote ? { remote: true, config: values.config } : { persistTo: values['persist-to']!, config: values.config });
for (const { key, value } of entries.filter((entry) => entry.pointer)) {
  console.log(`published ${key.replace(':active', '')} ${String(value)}${values.remote ? '' : ` in ${values['persist-to']}`}`);
}
