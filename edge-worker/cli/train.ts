/**
 * `npm run train`: trains the served model on a sessions file (and orders, for "bought together")
 * or on the event log, and writes the artifact that `npm run publish-data -- --model` publishes.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { encodeArtifact } from '../src/model/artifact';
import { clickedItemCount } from '../src/model/popularity';
import { rowCount } from '../src/model/rows';
import type { RowTable } from '../src/model/types';
import { TRAINING_ARGS, datasetName, parseCliArgs, required, trainOptions, usageError } from './args';
import { readLog } from './event-log';
import { readBaskets, readSessions } from './sessions-io';
import { type TrainingExtras, trainModel } from './training';

const USAGE = `usage: train (--train <train_sessions.txt> [--orders <orders.txt>] | --log <location> [--from <day>] [--to <day>])
             --out <model.bin> [--options '<json>']
  --orders: one order per line, the item ids bought together (feeds "bought together")
  --log: the event log (sessions of product views, purchases as orders): r2://<bucket>, a wrangler
         state directory (.wrangler/state), or a copy of the bucket (events/, tombstones/)
  --from, --to: read only the days [from, to), YYYY-MM-DD (partitions past retention, 180 days, never)`;

const ARGS = {
  ...TRAINING_ARGS,
  out: { type: 'string' },
  orders: { type: 'string' },
  log: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/** What training reads, named after where it came from. */
type TrainingData = TrainingExtras & { sessions: RowTable; dataset: string };

function fromFiles(trainPath: string, ordersPath: string | undefined): TrainingData {
  const { sessions, itemIds } = readSessions(trainPath);
  const dataset = datasetName(trainPath);
  process.stderr.write(`${dataset}: ${rowCount(sessions)} training sessions, ${sessions.values.length} clicks\n`);
  const baskets = ordersPath === undefined ? undefined : readBaskets(ordersPath, itemIds);
  return { sessions, itemIds, baskets, dataset };
}

async function fromLog(location: string, days: { from?: string; to?: string }): Promise<TrainingData> {
  const log = await readLog(location, days);
  const span = log.days.length ? `${log.days[0]} to ${log.days[log.days.length - 1]}` : 'none';
  process.stderr.write(
    `event log ${location}: ${log.days.length} days (${span}), ${log.events} events, ${rowCount(log.sessions)} training sessions, ${log.sessions.values.length} clicks, ${rowCount(log.baskets)} orders\n`,
  );
  return { sessions: log.sessions, itemIds: log.itemIds, baskets: log.baskets, dataset: 'event-log' };
}

async function main(): Promise<void> {
  const args = parseCliArgs(ARGS, USAGE);
  const outPath = required(args.out, 'out', USAGE);
  if ((args.train === undefined) === (args.log === undefined)) usageError('give exactly one of --train and --log', USAGE);
  if (args.log === undefined && (args.from ?? args.to) !== undefined) usageError('--from and --to go with --log', USAGE);
  if (args.log !== undefined && args.orders !== undefined) usageError('--orders goes with --train (the log has its own orders)', USAGE);
  const started = performance.now();
  const { sessions, dataset, ...extras } = args.log === undefined ? fromFiles(required(args.train, 'train', USAGE), args.orders) : await fromLog(args.log, { from: args.from, to: args.to });
  const artifact = trainModel(sessions, dataset, trainOptions(args.options), extras);
  const bytes = encodeArtifact(artifact);
  writeFileSync(outPath, bytes);
  const seconds = (performance.now() - started) / 1000;
  const { index, reranker } = artifact;
  console.log(`model ${artifact.modelVersion}`);
  const catalogue = clickedItemCount(index.popularity);
  console.log(`items ${catalogue}, sessions ${rowCount(index.sessions)}, postings ${index.postings.values.length}`);
  console.log(`rules ${index.rules.items.length}, co-visits ${index.covisit.items.length}, bought-together pairs ${artifact.copurchase?.items.length ?? 'none (no --orders)'}`);
  console.log(`re-ranker layers ${reranker.layers.map((l) => `${l.inputs}x${l.outputs}`).join(' → ')}`);
  console.log(`wrote ${outPath}: ${bytes.byteLength} bytes in ${seconds.toFixed(1)} s`);
}

// A log that cannot be read is the user's to fix: its message, without our stack.
await main().catch((err: Error) => {
  process.stderr.write(`train: ${err.message}\n`);
  process.exit(1);
});
