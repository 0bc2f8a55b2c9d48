/**
 * `npm run train`: trains the served model on a sessions file (and orders, for "bought together")
 * or on the event log, and writes the artifact that `npm run publish-data -- --model` publishes.
 * The clicks stay in DuckDB (memory-capped, spilling to disk), which aggregates every index; with
 * `--json` the last line says what training cost: seconds, the process's peak RSS, the most JS held
 * (sampled), DuckDB's memory limit and the most it spilled.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { encodeArtifact } from '../src/model/artifact';
import { clickedItemCount } from '../src/model/popularity';
import { rowCount } from '../src/model/rows';
import type { RowTable } from '../src/model/types';
import { ENGINE_ARGS, TRAINING_ARGS, datasetName, engineOptions, parseCliArgs, required, trainOptions, usageError } from './args';
import { type ClickStore, loadSessionsFile } from './clicks';
import type { EngineOptions } from './duckdb';
import { openLog } from './event-log';
import { readBaskets } from './sessions-io';
import { trainFromClicks } from './training';

const USAGE = `usage: train (--train <train_sessions.txt> [--orders <orders.txt>] | --log <location> [--from <day>] [--to <day>])
             --out <model.bin> [--options '<json>'] [--memory-limit 2GB] [--threads 2] [--json]
  --orders: one order per line, the item ids bought together (feeds "bought together")
  --log: the event log (sessions of product views, purchases as orders): r2://<bucket>, a wrangler
         state directory (.wrangler/state), or a copy of the bucket (events/, tombstones/)
  --from, --to: read only the days [from, to), YYYY-MM-DD (partitions past retention, 180 days, never)
  --memory-limit, --threads: DuckDB's memory cap (it spills to a temporary folder past it) and threads
  --json: a last line with seconds, peak RSS, peak JS memory (heap and typed arrays, sampled), sessions, clicks,
         artifact bytes, DuckDB's memory limit and the most it spilled`;

const ARGS = {
  ...TRAINING_ARGS,
  ...ENGINE_ARGS,
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  orders: { type: 'string' },
  log: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/** What training reads, named after where it came from: clicks in DuckDB, orders in JS. */
interface TrainingData {
  store: ClickStore;
  baskets?: RowTable;
  dataset: string;
}

async function fromFiles(trainPath: string, ordersPath: string | undefined, engine: EngineOptions): Promise<TrainingData> {
  const store = await loadSessionsFile(trainPath, engine);
  const dataset = datasetName(trainPath);
  process.stderr.write(`${dataset}: ${store.sessions} training sessions, ${store.clicks} clicks\n`);
  const baskets = ordersPath === undefined ? undefined : readBaskets(ordersPath, store.itemIds);
  return { store, baskets, dataset };
}

async function fromLog(location: string, days: { from?: string; to?: string }, engine: EngineOptions): Promise<TrainingData> {
  const log = await openLog(location, { ...days, engine });
  const span = log.days.length ? `${log.days[0]} to ${log.days[log.days.length - 1]}` : 'none';
  process.stderr.write(
    `event log ${location}: ${log.days.length} days (${span}), ${log.events} events, ${log.store.sessions} training sessions, ${log.store.clicks} clicks, ${rowCount(log.baskets)} orders\n`,
  );
  return { store: log.store, baskets: log.baskets, dataset: 'event-log' };
}

async function main(): Promise<void> {
  const args = parseCliArgs(ARGS, USAGE);
  const outPath = required(args.out, 'out', USAGE);
  if ((args.train === undefined) === (args.log === undefined)) usageError('give exactly one of --train and --log', USAGE);
  if (args.log === undefined && (args.from ?? args.to) !== undefined) usageError('--from and --to go with --log', USAGE);
  if (args.log !== undefined && args.orders !== undefined) usageError('--orders goes with --train (the log has its own orders)', USAGE);
  const started = performance.now();
  const engine = engineOptions(args);
  const { store, dataset, baskets } =
    args.log === undefined ? await fromFiles(required(args.train, 'train', USAGE), args.orders, engine) : await fromLog(args.log, { from: args.from, to: args.to }, engine);
  // DuckDB works on its own threads, so the timer samples while JS awaits it: its spill folder, and
  // what JS holds (heap and typed arrays), which peaks while the last indexes are read with every list kept.
  let peakJsBytes = 0;
  const sampler = setInterval(() => {
    store.engine.sampleSpill();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    peakJsBytes = Math.max(peakJsBytes, heapUsed + arrayBuffers);
  }, 250);
  let bytes: Uint8Array;
  let artifact;
  try {
    artifact = await trainFromClicks(store, dataset, trainOptions(args.options), baskets ? { baskets } : {});
    bytes = encodeArtifact(artifact);
  } finally {
    clearInterval(sampler);
    store.engine.close();
  }
  writeFileSync(outPath, bytes);
  const seconds = (performance.now() - started) / 1000;
  const { index, reranker } = artifact;
  console.log(`model ${artifact.modelVersion}`);
  const catalogue = clickedItemCount(index.popularity);
  console.log(`items ${catalogue}, sessions ${rowCount(index.sessions)}, postings ${index.postings.values.length}`);
  console.log(`rules ${index.rules.items.length}, co-visits ${index.covisit.items.length}, bought-together pairs ${artifact.copurchase?.items.length ?? 'none (no --orders)'}`);
  console.log(`re-ranker layers ${reranker.layers.map((l) => `${l.inputs}x${l.outputs}`).join(' → ')}`);
  console.log(`wrote ${outPath}: ${bytes.byteLength} bytes in ${seconds.toFixed(1)} s`);
  if (args.json) {
    // maxRSS is in kilobytes: the most memory the process (JS heap, typed arrays and DuckDB's own) held at once.
    const cost = { seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, peakJsBytes, sessions: store.sessions, clicks: store.clicks, artifactBytes: bytes.byteLength };
    console.log(JSON.stringify({ ...cost, duckdbMemoryLimit: store.engine.memoryLimit, duckdbPeakSpillBytes: store.engine.peakSpillBytes() }));
  }
}

// A log that cannot be read is the user's to fix: its message, without our stack.
await main().catch((err: Error) => {
  process.stderr.write(`train: ${err.message}\n`);
  process.exit(1);
});
