/**
 * Seeds local KV with what a fresh clone needs to show a working shop: the
 * demo catalog, the active model and the slot configuration.
 *
 *   tsx edge-worker/cli/seed.ts [--persist-to .wrangler/state]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedEntries } from '../../demo-shop/src/seed';
import { ROOT, wrangler } from '../../scripts/wrangler';

/** Writes the demo's seed into local KV under `persistTo` (relative to the repository root). */
export function seed(persistTo: string): void {
  const dir = join(ROOT, '.seed');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'models.json');
  writeFileSync(file, JSON.stringify(seedEntries()));
  wrangler(['kv', 'bulk', 'put', file, '--binding', 'MODELS', '--local', '--persist-to', resolve(ROOT, persistTo)]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'persist-to': { type: 'string', default: '.wrangler/state' } } });
  seed(values['persist-to']!);
  console.log(`seed: catalog, model and slot configuration written to local KV in ${values['persist-to']}`);
}
