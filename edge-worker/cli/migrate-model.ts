/**
 * `npm run migrate-model -- --in <old.bin> --out <new.bin> [--max-sessions N]`: rewrites a format 3
 * artifact (what `npm run train` wrote before the Worker read artifacts in place) in the current
 * format, same model version, so a trained model serves again without retraining; then publish it
 * as any other (`npm run publish-data -- --model <new.bin>`, or `npm run admin -- publish model`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeArtifact } from '../src/model/artifact';
import { rowCount } from '../src/model/rows';
import { parseCliArgs, required, usageError } from './args';
import { migrateArtifact } from './legacy-artifact';

const USAGE = `usage: migrate-model --in <old.bin> --out <new.bin> [--max-sessions N]
  --max-sessions: how many of the most recent sessions session-kNN keeps (default: what training keeps)`;

const args = parseCliArgs({ in: { type: 'string' }, out: { type: 'string' }, 'max-sessions': { type: 'string' } }, USAGE);
const maxSessions = args['max-sessions'] === undefined ? undefined : Number(args['max-sessions']);
if (maxSessions !== undefined && !(Number.isInteger(maxSessions) && maxSessions > 0)) usageError('--max-sessions must be a positive integer', USAGE);
const from = required(args.in, 'in', USAGE);
const to = required(args.out, 'out', USAGE);
try {
  const old = new Uint8Array(readFileSync(from));
  const migrated = migrateArtifact(old, maxSessions);
  writeFileSync(to, migrated);
  const { modelVersion, index } = decodeArtifact(migrated);
  console.log(`${to}: model ${modelVersion}, ${migrated.byteLength} bytes (was ${old.byteLength}), session-kNN over the latest ${rowCount(index.sessions)} sessions`);
} catch (err) {
  process.stderr.write(`migrate-model: ${(err as Error).message}\n`);
  process.exit(1);
}
