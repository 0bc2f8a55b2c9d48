/**
 * The demo shop's model: trained with the same pipeline as `npm run train`,
 * on sessions generated for the demo catalog (it ships no behaviour data).
 * Cached under .seed/ by a hash of its inputs, so `npm start` trains it once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PRODUCTS } from '../src/catalog';
import { demoOrders, demoSessions } from '../src/demo-sessions';
import type { PublishedModel } from '../src/seed';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { readArtifactHeader, encodeArtifact } from '../../edge-worker/src/model/artifact';
import { rowTableFromArrays } from '../../edge-worker/src/model/rows';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from '../../edge-worker/cli/training';

const SESSIONS = 4000;
const ORDERS = 1500;
/** Small data, small re-ranker budget: trains in seconds. */
const OPTIONS: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 2000, rerankChunks: 4, maxLists: 5000, epochs: 2 };

/**
 * Everything the trained artifact depends on: the demo's data and generator,
 * and the whole model and training code (any file there can change what is
 * trained or how it is encoded). Folders are read whole, so a new module
 * cannot be missed.
 */
const MODEL_SOURCES = ['demo-shop/catalog/products.json', 'demo-shop/src/demo-sessions.ts', 'edge-worker/src/model', 'edge-worker/cli'];

/** A source path and, for a folder, every file below it, sorted. */
function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

/** Returns the demo model, training it when the catalog or the training code changed. */
export function demoModel(): PublishedModel {
  const hash = createHash('sha256');
  for (const file of MODEL_SOURCES.flatMap(sourceFiles)) hash.update(file).update(readFileSync(join(ROOT, file)));
  hash.update(JSON.stringify({ SESSIONS, ORDERS, OPTIONS }));
  const file = join(ROOT, '.seed', `demo-model-${hash.digest('hex').slice(0, 16)}.bin`);
  if (!existsSync(file)) {
    console.error('seed: training the demo model (once; cached in .seed/)');
    const artifact = trainModel(rowTableFromArrays(demoSessions(PRODUCTS, SESSIONS)), 'demo-shop', OPTIONS, {
      baskets: rowTableFromArrays(demoOrders(PRODUCTS, ORDERS)),
    });
    mkdirSync(join(ROOT, '.seed'), { recursive: true });
    // Written aside, then renamed: test files that train it at once never read another's half-written file.
    const aside = `${file}.${process.pid}.tmp`;
    writeFileSync(aside, encodeArtifact(artifact));
    renameSync(aside, file);
  }
  const bytes = new Uint8Array(readFileSync(file));
  return { version: readArtifactHeader(bytes).modelVersion, bytes };
}
