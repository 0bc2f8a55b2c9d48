/**
 * What the benchmark publishes and asks about: the model trained on the real
 * Diginetica sessions, a catalog of its 43,097 items (their metadata is not
 * public, so titles, prices and categories are generated), and visitors whose
 * histories are real test-session prefixes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readSessions, readTestCases } from '../../edge-worker/cli/sessions-io';
import { trainModel, DEFAULT_TRAIN_OPTIONS } from '../../edge-worker/cli/training';
import type { CatalogItem } from '../../edge-worker/src/catalog/catalog';
import { publishCatalog, publishModel, type Entry } from '../../edge-worker/src/published/published';
import { ARTIFACT_FORMAT_VERSION, decodeArtifact, encodeArtifact, readArtifactHeader } from '../../edge-worker/src/model/artifact';
import { FEATURES } from '../../edge-worker/src/model/features';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { rowValues } from '../../edge-worker/src/model/rows';

/** The Diginetica benchmark files beside the checkout. */
export const DIGINETICA = resolve(ROOT, '../shared/data/sessions/diginetica');

/** Where the benchmarks keep their Diginetica-trained artifact (trained there once per format, when absent). */
export const BENCH_ARTIFACT = `.seed/bench-diginetica-f${ARTIFACT_FORMAT_VERSION}.bin`;

/** Whether the artifact at `path` is what this build trains: one it serves and trained on its features (not an older model it still serves), laid out as this build writes it. */
function servable(path: string, log: (message: string) => void): boolean {
  if (!existsSync(path)) return false;
  try {
    const bytes = new Uint8Array(readFileSync(path));
    const artifact = decodeArtifact(bytes);
    if (readArtifactHeader(bytes).features.join(',') !== FEATURES.map((f) => f.name).join(',')) {
      log(`${path} was trained on an older build's features`);
      return false;
    }
    if (!artifact.shards) {
      // The same model, laid out as this build writes it (its rows last, in shards): no need to train again.
      log(`${path} stores its rows as an older build did: writing it again with its rows in shards`);
      writeFileSync(path, encodeArtifact(artifact));
    }
    return true;
  } catch (err) {
    log(`${path} cannot be served by this build (${(err as Error).message})`);
    return false;
  }
}

/** The artifact at `path`, trained from Diginetica's training sessions first if it is absent or stale. */
export function benchArtifact(path: string, log: (message: string) => void): { version: string; bytes: Uint8Array } {
  if (!servable(path, log)) {
    const train = join(DIGINETICA, 'train_sessions.txt');
    if (!existsSync(train)) throw new Error(`${train} not found: the benchmark needs ../shared/data beside the checkout, or --artifact <model.bin>`);
    log(`training an artifact on Diginetica into ${path} (about 6 minutes on 2 cores)`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, encodeArtifact(trainModel(readSessions(train).sessions, 'diginetica', DEFAULT_TRAIN_OPTIONS)));
  }
  const bytes = new Uint8Array(readFileSync(path));
  return { version: readArtifactHeader(bytes).modelVersion, bytes };
}

/**
 * A catalog entry for each id from 1 to `size` (the model's items are 1 to
 * its item count, so a larger catalog holds them and more), with generated
 * metadata and a long-tailed popularity.
 */
export function benchCatalog(size: number, random: () => number): CatalogItem[] {
  return Array.from({ length: size }, (_, i) => ({
    id: String(i + 1),
    title: `Product ${i + 1}`,
    category: `category-${Math.floor(random() * 400)}`,
    price: Math.round(random() * 20_000) / 100,
    rating: Math.round((2 + random() * 3) * 10) / 10,
    stock: random() < 0.03 ? 0 : 1 + Math.floor(random() * 100),
    popularity: Math.round(10_000 / (1 + random() * size) ** 0.8),
    url: `/p/${i + 1}`,
    image: `/img/${i + 1}.svg`,
  }));
}

/** Visitor histories: prefixes of real test sessions with at least `minLength` items. */
export function benchHistories(count: number, minLength: number): string[][] {
  const cases = readTestCases(join(DIGINETICA, 'test.tsv'));
  const histories: string[][] = [];
  for (let r = 0; r < cases.targets.length && histories.length < count; r++) {
    const prefix = rowValues(cases.prefixes, r);
    if (prefix.length >= minLength) histories.push(Array.from(prefix, String));
  }
  return histories;
}

/** What the benchmark publishes: its catalog and the model (the built-in slots serve it). */
export function benchSeed(catalog: CatalogItem[], model: { version: string; bytes: Uint8Array }): Entry[] {
  return [...publishCatalog(catalog), ...publishModel(model.bytes)];
}

/** The slots one product page asks for in the benchmark: three item slots. */
export const BENCH_SLOTS = [{ id: 'similar' }, { id: 'recommended' }, { id: 'together' }];
