/**
 * `npm run train`: trains the served model on a sessions file (and orders, for "bought together")
 * and writes the artifact that `npm run publish-model` publishes.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { encodeArtifact } from '../src/model/artifact';
import { clickedItemCount } from '../src/model/popularity';
import { rowCount } from '../src/model/rows';
import { TRAINING_ARGS, datasetName, parseCliArgs, required, trainOptions } from './args';
import { readBaskets, readSessions } from './sessions-io';
import { trainModel } from './training';

const USAGE = `usage: train --train <train_sessions.txt> --out <model.bin> [--orders <orders.txt>] [--options '<json>']
  --orders: one order per line, the item ids bought together (feeds "bought together")`;

function main(): void {
  const args = parseCliArgs({ ...TRAINING_ARGS, out: { type: 'string' }, orders: { type: 'string' } }, USAGE);
  const trainPath = required(args.train, 'train', USAGE);
  const outPath = required(args.out, 'out', USAGE);
  const started = performance.now();
  const { sessions, itemIds } = readSessions(trainPath);
  const dataset = datasetName(trainPath);
  process.stderr.write(`${dataset}: ${rowCount(sessions)} training sessions, ${sessions.values.length} clicks\n`);
  const ordersPath = args.orders;
  const baskets = ordersPath === undefined ? undefined : readBaskets(ordersPath, itemIds);
  const artifact = trainModel(sessions, dataset, trainOptions(args.options), { itemIds, baskets });
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

main();
