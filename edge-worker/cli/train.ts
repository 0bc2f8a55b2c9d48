import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { encodeArtifact } from '../src/model/artifact';
import { rowCount } from '../src/model/model-index';
import { datasetName, parseArgs, required, trainOptions } from './args';
import { readBaskets, readSessions } from './sessions-io';
import { trainModel } from './training';

const USAGE = `usage: train --train <train_sessions.txt> --out <model.bin> [--orders <orders.txt>] [--options '<json>']
  --orders: one order per line, the item ids bought together (feeds "bought together")`;

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const trainPath = required(args, 'train', USAGE);
  const outPath = required(args, 'out', USAGE);
  const started = performance.now();
  const { sessions, itemIds } = readSessions(trainPath);
  const dataset = datasetName(trainPath);
  process.stderr.write(`${dataset}: ${rowCount(sessions)} training sessions, ${sessions.values.length} clicks\n`);
  const ordersPath = args.get('orders');
  const baskets = ordersPath === undefined ? undefined : readBaskets(ordersPath, itemIds);
  const artifact = trainModel(sessions, dataset, trainOptions(args), { itemIds, baskets });
  const bytes = encodeArtifact(artifact);
  writeFileSync(outPath, bytes);
  const seconds = (performance.now() - started) / 1000;
  const { index, reranker } = artifact;
  console.log(`model ${artifact.modelVersion}`);
  const catalogue = index.popularity.reduce((n, clicks) => (clicks > 0 ? n + 1 : n), 0);
  console.log(`items ${catalogue}, sessions ${rowCount(index.sessions)}, postings ${index.postings.values.length}`);
  console.log(`rules ${index.rules.items.length}, co-visits ${index.covisit.items.length}, bought-together pairs ${artifact.copurchase?.items.length ?? 'none (no --orders)'}`);
  console.log(`re-ranker layers ${reranker.layers.map((l) => `${l.inputs}x${l.outputs}`).join(' → ')}`);
  console.log(`wrote ${outPath}: ${bytes.byteLength} bytes in ${seconds.toFixed(1)} s`);
}

main();
