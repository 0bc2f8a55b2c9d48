/**
 * `npm run eval`: next-item evaluation of the served model (trained here, or a given artifact,
 * always through encode → decode) and of the published baselines, on a test file or a validation split.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { decodeArtifact, encodeArtifact } from '../src/model/artifact';
import { type Recommender, createItemKnn, createPop, createSessionPop, createVsknn } from '../src/model/baselines';
import { type MetricSummary, addCase, createMetrics, summarize } from '../src/model/metrics';
import { DEFAULT_INDEX_OPTIONS, buildModelIndex } from '../src/model/model-index';
import { clickedItemCount } from '../src/model/popularity';
import { loadModel, recommend } from '../src/model/recommend';
import { rowCount, rowValues, sliceRows } from '../src/model/rows';
import { TRAINING_ARGS, datasetName, parseCliArgs, required, trainOptions } from './args';
import { progressBar } from './progress';
import { type TestCases, expandPrefixes, readSessions, readTestCases } from './sessions-io';
import { trainModel } from './training';

const USAGE = `usage: eval --train <train_sessions.txt> (--test <test.tsv> | --valid-sessions <n>) [--json]
  [--artifact <model.bin>]   evaluate a trained artifact instead of training one
  [--save-artifact <path>]   also write the artifact that was trained
  [--options '<json>']       override training options (tuning; use with --valid-sessions)
  [--no-baselines]           evaluate the served model only`;

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

function main(): void {
  const args = parseCliArgs(
    {
      ...TRAINING_ARGS,
      test: { type: 'string' },
      'valid-sessions': { type: 'string' },
      artifact: { type: 'string' },
      'save-artifact': { type: 'string' },
      'no-baselines': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const trainPath = required(args.train, 'train', USAGE);
  const data = readSessions(trainPath);
  let train = data.sessions;
  let cases: TestCases;
  const valid = args['valid-sessions'];
  if (valid !== undefined) {
    // Tuning mode: the last sessions of the (time-ordered) training file stand in for the test set.
    const n = rowCount(train);
    const cut = n - Number(valid);
    cases = expandPrefixes(sliceRows(train, cut, n));
    train = sliceRows(train, 0, cut);
  } else {
    cases = readTestCases(required(args.test, 'test', USAGE), data.itemIds);
  }
  const dataset = datasetName(trainPath) + (valid !== undefined ? `-valid${valid}` : '');
  process.stderr.write(`${dataset}: ${rowCount(train)} training sessions, ${cases.targets.length} test cases\n`);

  const trainStart = performance.now();
  const artifactPath = args.artifact;
  // The served model always goes through encode → decode, so what is evaluated is what the edge loads.
  const bytes = artifactPath !== undefined ? new Uint8Array(readFileSync(artifactPath)) : encodeArtifact(trainModel(train, dataset, trainOptions(args.options), { itemIds: data.itemIds }));
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const savePath = args['save-artifact'];
  if (savePath !== undefined) writeFileSync(savePath, bytes);
  const served = loadModel(decodeArtifact(bytes));
  process.stderr.write(`artifact ${bytes.byteLength} bytes, model ${served.artifact.modelVersion}\n`);

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
    const index = buildModelIndex(train, { ...DEFAULT_INDEX_OPTIONS, maxPostings: 1000, covisitPerItem: 20 });
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

main();
