/**
 * `npm run admin -- <command>`: the merchant's admin API from a terminal,
 * against a Worker on this machine (`npm start`, `wrangler dev`) or a deployed
 * one (`--url`). Files are checked here first with the Worker's own publish
 * step, so nothing is sent when one is invalid; the answer says what changed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stockPriceChanges } from '../src/catalog/delta';
import { KINDS, type CatalogPatch, type Change, type Kind, type PublishedStatus } from '../src/published/published';
import { parseOrThrow } from '../src/validate';
import { LOCAL_URL, UsageError, adminClient, adminTarget, type AdminClient } from './admin-client';
import { readPublication } from './publication';

const USAGE = `usage: npm run admin -- <command> [--url <worker>] [--json]

commands:
  status                                        what is published: active versions, rollback targets, stored versions, history
  publish catalog <items.json> [--no-activate]  check, upload and activate a catalog
  publish slots <slots.json> [--no-activate]    check, upload and activate a slot configuration
  publish model <model.bin> [--activate]        check and upload a model artifact; active only with --activate
  publish experiments <experiments.json> [--no-activate]
                                                check, upload and activate the holdout, experiments and caps
  activate <kind> <version>                     make a stored version the active one
  rollback <kind>                               make the previously active version active again
  stock <changes.json>                          stock and price changes to the active catalog: [{"id", "stock"?, "price"?}]
  compact                                       fold the catalog's stock and price changes into a new version now

kinds: catalog, model, slots, experiments

options:
  --url <worker>  the Worker (default: $RAPPORT_ADMIN_URL, else ${LOCAL_URL})
  --json          print the Worker's answer as JSON

environment:
  RAPPORT_ADMIN_TOKEN  the Worker's ADMIN_TOKEN; a Worker on this machine gets the development token

exit status: 0 done (or nothing to change), 1 refused or failed, 2 usage`;

const OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
  activate: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse() {
  try {
    return parseArgs({ options: OPTIONS, allowPositionals: true, allowNegative: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function kindOf(word: string | undefined): Kind {
  if (KINDS.includes(word as Kind)) return word as Kind;
  throw new UsageError(`unknown kind ${JSON.stringify(word)}: catalog, model, slots or experiments`);
}

/** The command's operands, exactly as many as `names` describe. */
function operands<const N extends string[]>(given: string[], ...names: N): { [K in keyof N]: string } {
  if (given.length < names.length) throw new UsageError(`missing ${names[given.length]}`);
  if (given.length > names.length) throw new UsageError(`unexpected ${JSON.stringify(given[names.length])}`);
  return given as { [K in keyof N]: string };
}

/** When decisions serve a change. */
function served({ servedWithinSeconds: within }: Change): string {
  return `decisions serve it within ${within.thisLocation} s at this location, ${within.allLocations} s everywhere`;
}

/** What an upload did. */
function describePublish(change: Change): string {
  const { kind, version, active, previous } = change;
  const stored = `${kind} ${version}: ${change.stored ? 'stored' : 'already stored'}`;
  if (change.changed) return `${stored}, active now (was ${previous ?? 'none'}); ${served(change)}`;
  if (active === version) return `${stored}, already active; nothing else changed`;
  return `${stored}, not active (active: ${active ?? 'none'}); to serve it: npm run admin -- activate ${kind} ${version}`;
}

/** What an activation did. */
function describeActivation(change: Change): string {
  const { kind, version, previous } = change;
  if (!change.changed) return `${kind} ${version} was already active; nothing changed`;
  return `${kind} ${version} is active now (was ${previous ?? 'none'}); ${served(change)}`;
}

/** What a rollback did. */
function describeRollback(change: Change): string {
  return `${change.kind} rolled back to ${change.version} (was ${change.previous}); ${served(change)}`;
}

/** What a stock and price change or a compaction did. */
function describePatch(patch: CatalogPatch): string {
  const { thisLocation, allLocations } = patch.servedWithinSeconds;
  const folded = patch.compactedFrom ? `; folded into catalog ${patch.version} (was ${patch.compactedFrom})` : ` over catalog ${patch.version}`;
  return `${patch.changed} item${patch.changed === 1 ? '' : 's'} changed, ${patch.pending} pending${folded}; decisions serve it within ${thisLocation} s at this location, ${allLocations} s everywhere`;
}

function describeStatus(status: PublishedStatus): string {
  return KINDS.map((kind) => {
    const { active, rollbackTo, versions, history } = status[kind];
    const shown = active ?? (kind === 'slots' ? '(none: the built-in slots serve)' : kind === 'experiments' ? '(none: the default holdout runs)' : '(none)');
    const lines = [`${kind}: active ${shown}, rollback to ${rollbackTo ?? '(nothing)'}, ${versions.length} stored version${versions.length === 1 ? '' : 's'}`];
    for (const { version, publishedAt } of versions) lines.push(`  ${version === active ? '*' : ' '} ${version}${publishedAt ? `  published ${publishedAt}` : ''}`);
    if (history.length) lines.push('  recent activations:');
    for (const { at, cause, version } of history.slice(-5)) lines.push(`    ${at}  ${cause.padEnd(8)} ${version}`);
    return lines.join('\n');
  }).join('\n');
}

/** Runs one command; everything it needs is checked before the first request. */
async function run([command, ...rest]: string[], options: { url?: string; activate?: boolean }): Promise<{ answer: unknown; text: string }> {
  const connect = (): AdminClient => adminClient(adminTarget(options.url));
  switch (command) {
    case 'status': {
      operands(rest);
      const status = await connect().status();
      return { answer: status, text: describeStatus(status) };
    }
    case 'publish': {
      const [word, file] = operands(rest, 'a kind (catalog, model, slots or experiments)', 'the file to publish');
      const kind = kindOf(word);
      const admin = connect();
      const change = await admin.publish(readPublication(kind, file), options.activate ?? kind !== 'model');
      return { answer: change, text: describePublish(change) };
    }
    case 'activate': {
      const [word, version] = operands(rest, 'a kind (catalog, model, slots or experiments)', 'the version to activate');
      const change = await connect().activate(kindOf(word), version);
      return { answer: change, text: describeActivation(change) };
    }
    case 'rollback': {
      const [word] = operands(rest, 'a kind (catalog, model, slots or experiments)');
      const change = await connect().rollback(kindOf(word));
      return { answer: change, text: describeRollback(change) };
    }
    case 'stock': {
      const [file] = operands(rest, 'the changes file ([{"id", "stock"?, "price"?}])');
      const changes = parseOrThrow(stockPriceChanges, JSON.parse(readFileSync(file, 'utf8')), file);
      const patch = await connect().patchCatalog(changes);
      return { answer: patch, text: describePatch(patch) };
    }
    case 'compact': {
      operands(rest);
      const patch = await connect().compactCatalog();
      return { answer: patch, text: describePatch(patch) };
    }
    default:
      throw new UsageError(command === undefined ? 'name a command' : `unknown command ${JSON.stringify(command)}`);
  }
}

try {
  const { values, positionals } = parse();
  if (values.help) {
    console.log(USAGE);
  } else {
    const { answer, text } = await run(positionals, values);
    console.log(values.json ? JSON.stringify(answer, null, 2) : text);
  }
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`admin: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    // A refusal or failure of the Worker (AdminError), or a file that cannot be published: nothing changed by this command.
    console.error(`admin: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
