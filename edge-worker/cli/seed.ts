/**
 * Seeds local KV with what a fresh clone needs to show a working shop: the
 * demo catalog, its trained model and the slot configuration.
 *
 *   tsx edge-worker/cli/seed.ts [--persist-to .wrangler/state]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedEntries } from '../../demo-shop/src/seed';
import { ROOT, wrangler } from '../../scripts/wrangler';
import { demoModel } from './demo-model';

/** Writes key/value pairs into a local KV namespace (binary values as base64, as wrangler's bulk format wants). */
export function putLocal(binding: string, entries: Array<{ key: string; value: string | Uint8Array }>, persistTo: string): void {
  const dir = join(ROOT, '.seed');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${binding.toLowerCase()}-bulk.json`);
  const bulk = entries.map(({ key, value }) =>
    typeof value === 'string' ? { key, value } : { key, value: Buffer.from(value).toString('base64'), base64: true },
  );
  writeFileSync(file, JSON.stringify(bulk));
  wrangler(['kv', 'bulk', 'put', file, '--binding', binding, '--local', '--persist-to', resolve(ROOT, persistTo)]);
}

/** Writes the demo's seed into local KV under `persistTo` (relative to the repository root). */
export function seed(persistTo: string): string {
  const model = demoModel();
  putLocal('MODELS', seedEntries(model), persistTo);
  return model.version;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'persist-to': { type: 'string', default: '.wrangler/state' } } });
  const version = seed(values['persist-to']!);
  console.log(`seed: catalog, model ${version} and slot configuration written to local KV in ${values['persist-to']}`);
}
