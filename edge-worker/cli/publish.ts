/**
 * `npm run publish-model -- --artifact <model.bin> [--persist-to <dir> | --remote]`
 *
 * Makes a trained artifact the active model: writes it under
 * `model:<version>` first, then moves the `model:active` pointer, so no
 * Worker ever follows the pointer to a missing artifact. Running Workers pick
 * the new version up within seconds, without a redeploy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, wrangler } from './wrangler';
import { ACTIVE_MODEL_KEY, modelKey } from '../src/engine/served-model';
import { readArtifactHeader } from '../src/model/artifact';

const { values } = parseArgs({
  options: {
    artifact: { type: 'string' },
    'persist-to': { type: 'string', default: '.wrangler/state' },
    remote: { type: 'boolean', default: false },
  },
});
if (!values.artifact) {
  console.error('usage: publish-model --artifact <model.bin> [--persist-to <dir> | --remote]');
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(values.artifact));
/** Refuses anything that is not a readable artifact before touching KV. */
function headerOf(data: Uint8Array): ReturnType<typeof readArtifactHeader> {
  try {
    return readArtifactHeader(data);
  } catch (err) {
    console.error(`publish-model: ${values.artifact} is not an artifact this build can serve: ${(err as Error).message}`);
    process.exit(1);
  }
}
const header = headerOf(bytes);
const where = values.remote ? ['--remote'] : ['--local', '--persist-to', resolve(ROOT, values['persist-to']!)];
const pointer = join(ROOT, '.seed', 'active-version.txt');
mkdirSync(join(ROOT, '.seed'), { recursive: true });
writeFileSync(pointer, header.modelVersion);
wrangler(['kv', 'key', 'put', modelKey(header.modelVersion), '--path', resolve(values.artifact), '--binding', 'MODELS', ...where]);
wrangler(['kv', 'key', 'put', ACTIVE_MODEL_KEY, '--path', pointer, '--binding', 'MODELS', ...where]);
console.log(`published ${header.modelVersion} (${header.dataset}, item ids below ${header.numItems}, ${bytes.byteLength} bytes) as the active model${values.remote ? '' : ` in ${values['persist-to']}`}`);
