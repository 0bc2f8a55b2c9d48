/**
 * The demo shop's model: trained with the same pipeline as `npm run train`,
 * on sessions generated for the demo catalog (it ships no behaviour data).
 * Cached under .seed/ by a hash of its inputs, so `npm start` trains it once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { demoOrders, demoSessions } from '../../demo-shop/src/demo-sessions';
import type { PublishedModel } from '../../demo-shop/src/seed';
import { ROOT } from '../../scripts/wrangler';
import { readArtifactHeader, encodeArtifact } from '../src/model/artifact';
import { rowTableFromArrays } from '../src/model/model-index';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from './training';

const SESSIONS = 4000;
const ORDERS = 1500;
/** Small data, small re-ranker budget: trains in seconds. */
const OPTIONS: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 2000, rerankChunks: 4, maxLists: 5000, epochs: 2 };

/** Returns the demo model, training it when the catalog or the training code changed. */
export function demoModel(): PublishedModel {
  const sources = ['demo-shop/catalog/products.json', 'demo-shop/src/demo-sessions.ts', 'edge-worker/cli/training.ts', 'edge-worker/src/model/artifact.ts', 'edge-worker/src/model/features.ts', 'edge-worker/src/model/model-index.ts', 'edge-worker/src/model/candidates.ts'];
  const hash = createHash('sha256');
  for (const file of sources) hash.update(readFileSync(join(ROOT, file)));
  hash.update(JSON.stringify({ SESSIONS, ORDERS, OPTIONS }));
  const file = join(ROOT, '.seed', `demo-model-${hash.digest('hex').slice(0, 16)}.bin`);
  if (!existsSync(file)) {
    console.error('seed: training the demo model (once; cached in .seed/)');
    const artifact = trainModel(rowTableFromArrays(demoSessions(PRODUCTS, SESSIONS)), 'demo-shop', OPTIONS, {
      baskets: rowTableFromArrays(demoOrders(PRODUCTS, ORDERS)),
    });
    mkdirSync(join(ROOT, '.seed'), { recursive: true });
    writeFileSync(file, encodeArtifact(artifact));
  }
  const bytes = new Uint8Array(readFileSync(file));
  return { version: readArtifactHeader(bytes).modelVersion, bytes };
}
