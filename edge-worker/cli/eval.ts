/**
 * `npm run eval`: next-item evaluation of the served model (trained here, or a given artifact,
 * always through encode → decode) and of the published baselines, on a test file or a validation split.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { encodeArtifact, readArtifactHeader } from '../src/model/artifact';
import { type Recommender, createItemKnn, createPop, createSessionPop, createVsknn } from '../src/model/baselines';
import { type MetricSummary, addCase, createMetrics, summarize } from '../src/model/metrics';
import { DEFAULT_INDEX_OPTIONS } from '../src/model/model-index';
import { clickedItemCount } from '../src/model/popularity';
import { completeModel, recommend } from '../src/model/recommend';
import { rowValues } from '../src/model/rows';
import type { PublishedStore } from '../src/published/isolate-cache';
import { publishModel, readServedModel } from '../src/published/published';
import { ENGINE_ARGS, TRAINING_ARGS, datasetName, engineOptions, parseCliArgs, required, trainOptions } from './args';
import { type ClickStore, keepFirstSessions, loadSessionsFile, readSessionRows } from './clicks';
import { prepareIndexes } from './index-sql';
import { progressBar } from './progress';
import { type TestCases, expandPrefixes, readTestCases } from './sessions-io';
import { trainFromClicks } from './training';

const USAGE = `usage: eval --train <train_sessions.txt> (--test <test.tsv> | --valid-sessions <n>) [--json]
  [--artifact <model.bin>]   evaluate a trained artifact instead of training one
  [--save-artifact <path>]   also write the artifact that was trained
  [--options '<json>']       override training options (tuning; use with --valid-sessions)
  [--no-baselines]           evaluate the served model only
  [--memory-limit 2GB] [--threads 2]   DuckDB's memory cap and threads (the training clicks stay in DuckDB)`;

const ARGS = {
  ...TRAINING_ARGS,
  ...ENGINE_ARGS,
  test: { type: 'string' },
  'valid-sessions': { type: 'string' },
  artifact: { type: 'string' },
  'save-artifact': { type: 'string' },
  'no-baselines': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

type EvalArgs = ReturnType<typeof parseCliArgs<typeof ARGS>>;

/** The name the served model is reported under. */
const SERVED = 'rapport-rerank';

function evaluate(name: string, model: Recommender, cases: TestCases): { metrics: MetricSummary; msPerCase: number } {
  const acc = createMetrics();
  const total = cases.targets.length;
  const bar = progressBar(`eval ${name}`, total);
  let busy = 0;
  for (let r = 0; r < total; r++) {
    const prefix = rowValues(cases.prefixes, r);
    const t = performance.now();
    const ranked = model(prefix, 20);
    busy += performance.now() - t;
    addCase(acc, ranked, cases.targets[r] ?? -1);
    if (r % 500 === 0) bar.tick(r, `HR@20 ${summarize(acc)['HR@20'].toFixed(2)}`);
  }
  const metrics = summarize(acc);
  bar.finish(`HR@20 ${metrics['HR@20'].toFixed(2)} MRR@20 ${metrics['MRR@20'].toFixed(2)}`);
  return { metrics, msPerCase: busy / Math.max(1, total) };
}

async function main(): Promise<void> {
  const args = parseCliArgs(ARGS, USAGE);
  const trainPath = required(args.train, 'train', USAGE);
  let store = await loadSessionsFile(trainPath, engineOptions(args));
  try {
    let cases: TestCases;
    const valid = args['valid-sessions'];
    if (valid !== undefined) {
      // Tuning mode: the last sessions of the (time-ordered) training file stand in for the test set.
      const cut = store.sessions - Number(valid);
      cases = expandPrefixes(await readSessionRows(store, cut, store.sessions));
      store = await keepFirstSessions(store, cut);
    } else {
      cases = readTestCases(required(args.test, 'test', USAGE), store.itemIds);
    }
    const dataset = datasetName(trainPath) + (valid !== undefined ? `-valid${valid}` : '');
    process.stderr.write(`${dataset}: ${store.sessions} training sessions, ${cases.targets.length} test cases\n`);
    await evaluateAll(args, store, dataset, cases);
  } finally {
    store.engine.close();
  }
}

/** Trains (or reads) the served model, evaluates it and the baselines on `cases`, and prints the table. */
async function evaluateAll(args: EvalArgs, store: ClickStore, dataset: string, cases: TestCases): Promise<void> {
  const trainStart = performance.now();
  const artifactPath = args.artifact;
  // The served model always goes through encode → decode, so what is evaluated is what the edge loads.
  const bytes = artifactPath !== undefined ? new Uint8Array(readFileSync(artifactPath)) : encodeArtifact(await trainFromClicks(store, dataset, trainOptions(args.options)));
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const savePath = args['save-artifact'];
  if (savePath !== undefined) writeFileSync(savePath, bytes);
  // Read as the Worker reads it: from the values publishing writes (the core in parts, each section
  // where it lies; the rows in shards), each shard read when a test prefix first asks about its items.
  const entries = publishModel(bytes);
  const values = new Map(entries.map((entry) => [entry.key, entry.value]));
  const kv = {
    get: async (key: string) => {
      const value = values.get(key);
      return value === undefined ? null : typeof value === 'string' ? new TextEncoder().encode(value).buffer : value.slice().buffer;
    },
  } as unknown as PublishedStore;
  const version = readArtifactHeader(bytes).modelVersion;
  const served = (await readServedModel(kv, version))!;
  await served.readRows?.(Array.from(cases.prefixes.values));
  // As an isolate after its first answer: session-kNN's postings built.
  completeModel(served);
  const shardCount = entries.filter((entry) => entry.key.startsWith('model-shard:')).length;
  process.stderr.write(`artifact ${bytes.byteLength} bytes in ${entries.length - 1 - shardCount} KV part(s) and ${shardCount} shard(s), model ${served.artifact.modelVersion}\n`);

  const evalStart = performance.now();
  const results: Record<string, MetricSummary> = {};
  const timing: Record<string, number> = {};
  const run = (name: string, model: Recommender): void => {
    const { metrics, msPerCase } = evaluate(name, model, cases);
    results[name] = metrics;
    timing[name] = msPerCase;
  };
  run(SERVED, (prefix, k) => Uint32Array.from(recommend(served, prefix, k), (r) => r.item));
  if (!args['no-baselines']) {
    // Baselines get their own index with the settings their published definitions need.
    const builder = await prepareIndexes(store.engine.connection, { ...DEFAULT_INDEX_OPTIONS, maxPostings: 1000, covisitPerItem: 20 }, [store.sessions]);
    const index = await builder.indexBefore(store.sessions);
    await builder.drop();
    run('POP', createPop(index));
    run('S-POP', createSessionPop(index));
    run('Item-KNN', createItemKnn(index));
    run('V-SKNN', createVsknn(index));
  }
  const evalSeconds = (performance.now() - evalStart) / 1000;

  const cols = ['HR@20', 'MRR@20', 'HR@10', 'NDCG@10'] as const;
  const catalogue = clickedItemCount(served.artifact.index.popularity);
  console.log(`dataset ${dataset}: ${cases.targets.length} cases, ranking all ${catalogue} items`);
  console.log(['model'.padEnd(16), ...cols.map((c) => c.padStart(8)), 'ms/rec'.padStart(8)].join(' '));
  for (const [name, m] of Object.entries(results)) {
    console.log([name.padEnd(16), ...cols.map((c) => m[c].toFixed(2).padStart(8)), (timing[name] ?? 0).toFixed(3).padStart(8)].join(' '));
  }
  console.log(`artifact ${bytes.byteLength} bytes; train ${trainSeconds.toFixed(1)} s; eval ${evalSeconds.toFixed(1)} s`);
  if (args.json) {
    console.log(JSON.stringify({ dataset, served: SERVED, models: results, train_seconds: trainSeconds, eval_seconds: evalSeconds }));
  }
}

main().catch((err: Error) => {
  process.stderr.write(`eval: ${err.message}\n`);
  process.exit(1);
});
