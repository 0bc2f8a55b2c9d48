/**
 * `npm run publish-data -- [--catalog items.json] [--model model.bin] [--slots slots.json] [--persist-to <dir> | --remote --url <worker>]`
 *
 * Publishes a shop's data to the MODELS namespace: each value is checked
 * first (nothing is written when any is unusable), written under its
 * immutable version, and only then do the `<kind>:active` pointers move.
 * Locally it writes into wrangler's KV folder; `--remote` goes through the
 * deployed Worker's admin API (token in `RAPPORT_ADMIN_TOKEN`), which checks
 * again, stores every version, and then activates each, recording the
 * history `npm run admin -- rollback` uses. Running Workers pick the new
 * versions up within seconds, without a redeploy.
 */
import { parseArgs } from 'node:util';
import type { Entry, Kind } from '../src/published/published';
import { adminClient, adminTarget, UsageError, type AdminClient } from './admin-client';
import { readPublication } from './publication';
import { putEntries } from './wrangler';

const USAGE =
  'usage: publish-data [--catalog items.json] [--model model.bin] [--slots slots.json] [--persist-to <dir> [--config wrangler.toml] | --remote --url <worker>]';

function usage(message: string): never {
  console.error(`publish-data: ${message}\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        catalog: { type: 'string' },
        model: { type: 'string' },
        slots: { type: 'string' },
        'persist-to': { type: 'string', default: '.wrangler/state' },
        remote: { type: 'boolean', default: false },
        url: { type: 'string' },
        config: { type: 'string' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
})();

/** The deployed Worker's admin API, or exit with usage. */
function connect(): AdminClient {
  if (!values.url) usage("--remote publishes through the deployed Worker's admin API: give its URL with --url (and its token in RAPPORT_ADMIN_TOKEN)");
  if (values.config) usage('--config is for local KV; --remote publishes to the Worker at --url');
  try {
    return adminClient(adminTarget(values.url));
  } catch (err) {
    if (err instanceof UsageError) usage(err.message);
    throw err;
  }
}

if (values.url && !values.remote) usage("--url is for --remote; locally the data goes into wrangler's KV folder (--persist-to)");
// Settled before any file is read, so that a mistake in the command line is reported as one.
const admin = values.remote ? connect() : undefined;

/** One publication per file given, each checked before anything is written or sent. */
const publications: Entry[][] = (['catalog', 'model', 'slots'] as const satisfies Kind[]).flatMap((kind) => {
  const path = values[kind];
  if (!path) return [];
  try {
    return [readPublication(kind, path)];
  } catch (err) {
    console.error(`publish-data: ${(err as Error).message}`);
    process.exit(1);
  }
});
if (!publications.length) usage('name at least one file to publish');

if (admin) {
  try {
    // Every version stored before any becomes active, as the local path writes values before pointers.
    for (const entries of publications) await admin.publish(entries, false);
    for (const [{ kind, version }] of publications as [Entry][]) {
      const change = await admin.activate(kind, version);
      const within = change.servedWithinSeconds;
      console.log(`published ${kind} ${version}${change.changed ? ` (was ${change.previous ?? 'none'}; served within ${within.thisLocation} s at this location, ${within.allLocations} s everywhere)` : ' (already active)'}`);
    }
  } catch (err) {
    console.error(`publish-data: ${(err as Error).message}`);
    process.exit(1);
  }
} else {
  putEntries('MODELS', publications.flat(), { persistTo: values['persist-to']!, config: values.config });
  for (const [{ kind, version }] of publications as [Entry][]) console.log(`published ${kind} ${version} in ${values['persist-to']}`);
}
