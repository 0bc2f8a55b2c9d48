/**
 * Seeds local KV with what a fresh clone needs to show a working shop: the
 * demo catalog, its trained model and the slot configuration.
 *
 *   tsx demo-shop/scripts/seed.ts [--persist-to .wrangler/state]
 */
import { parseArgs } from 'node:util';
import { seedEntries } from '../src/seed';
import { putLocal } from '../../edge-worker/cli/wrangler';
import { demoModel } from './demo-model';

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
