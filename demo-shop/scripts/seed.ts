/**
 * Seeds local KV with what a fresh clone needs to show a working shop: the
 * demo catalog, its trained model and its slot configuration, published into
 * the demo Worker's namespaces (demo-shop/wrangler.toml).
 *
 *   tsx demo-shop/scripts/seed.ts [--persist-to .wrangler/state]
 */
import { parseArgs } from 'node:util';
import { putEntries } from '../../edge-worker/cli/wrangler';
import { seedEntries } from '../src/seed';
import { demoModel } from './demo-model';

/** The demo Worker's configuration, relative to the repository root. */
export const DEMO_CONFIG = 'demo-shop/wrangler.toml';

/** Publishes the demo's data into local KV under `persistTo` (relative to the repository root); returns the model version. */
export function seed(persistTo: string): string {
  const model = demoModel();
  putEntries('MODELS', seedEntries(model), { persistTo, config: DEMO_CONFIG });
  return model.version;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'persist-to': { type: 'string', default: '.wrangler/state' } } });
  const version = seed(values['persist-to']!);
  console.log(`seed: catalog, model ${version} and slot configuration written to local KV in ${values['persist-to']}`);
}
