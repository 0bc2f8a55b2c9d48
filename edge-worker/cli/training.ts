/**
 * Training the served model: re-ranker lists from time-ordered sessions (features from indexes of
 * only earlier sessions), the MLP fitted on a listwise softmax loss, and the artifact assembled.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelIndex, RowTable } from '../src/model/types';
import type { ModelArtifact } from '../src/model/artifact';
import { type CandidateOptions, DEFAULT_CANDIDATE_OPTIONS, generateCandidates, knownItems } from '../src/model/candidates';
import { NUM_FEATURES, buildFeatures } from '../src/model/features';
import { DEFAULT_INDEX_OPTIONS, type IndexOptions, buildCopurchase, buildModelIndex } from '../src/model/model-index';
import { seededRandom } from '../src/model/random';
import { type DenseWeights, type RerankerParams, readWeights, rerankerLayers, softmaxNormaliser, useCpuBackend } from '../src/model/reranker';
import { rowCount, rowValues, sliceRows } from '../src/model/rows';
import { createKnnScratch } from '../src/model/scratch';
import { buildItemIdTable } from '../src/model/item-ids';
import { type ClickStore, readSessionRows } from './clicks';
import { prepareIndexes } from './index-sql';
import { progressBar } from './progress';

/** Everything that shapes a trained model. */
export interface TrainOptions {
  index: IndexOptions;
  candidates: CandidateOptions;
  /** The re-ranker learns from prefixes of this many most recent sessions, scored by an index of the earlier ones. */
  rerankSessions: number;
  /** How many successive indexes score those sessions (more: fresher features, slower training). */
  rerankChunks: number;
  /** Cap on training lists (prefixes), sampled evenly, to bound memory and time. */
  maxLists: number;
  hidden: number[];
  epochs: number;
  batchLists: number;
  learningRate: number;
  /** The learning rate falls along a half cosine from `learningRate` to this by the last batch. */
  finalLearningRate: number;
  seed: number;
  /** Networks trained from different seeds whose scores are averaged (served as one wider network). */
  members: number;
}

/**
 * Defaults, compared on a validation split cut from the end of Diginetica's training sessions
 * (the last 20,000), as HR@20 / MRR@20: 40k re-ranker sessions / 100k lists 52.09 / 19.33;
 * 80k / 200k 52.14 / 19.46; plus item-age and last-item features and cosine decay 52.20 / 19.47;
 * larger pools (sknn 250, sknnNear 150) 52.06 / 19.43; a next-click source 52.19 / 19.44, with
 * pools of 80/60/20 per source 52.29 / 19.50, 50/40/15 52.31 / 19.53, 30/25/10 52.21 / 19.59;
 * 120k sessions with 50/40/15 pools 52.35 / 19.61 (these defaults); from there, 150k sessions
 * 52.37 / 19.62, hidden 16 52.37 / 19.55, 4 epochs 52.33 / 19.61, sknn pool 80 52.34 / 19.57,
 * and, later, against these defaults as served (4-bit scores: 52.27 / 19.57), 3 members 52.37 /
 * 19.62 (3× the re-ranker's training, 2× its scoring), features linking each candidate back to
 * the session's earlier items as well as its last 52.26 / 19.53, and the re-ranker learning from
 * all 166k sessions before the split (700k lists) 52.29 / 19.58 in 296 s:
 * none worth its cost in training or scoring time.
 */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  index: DEFAULT_INDEX_OPTIONS,
  candidates: DEFAULT_CANDIDATE_OPTIONS,
  rerankSessions: 120000,
  rerankChunks: 12,
  maxLists: 300000,
  hidden: [8],
  epochs: 3,
  batchLists: 128,
  learningRate: 0.003,
  finalLearningRate: 0.0003,
  seed: 7,
  members: 1,
};

/** Candidate lists with features and the position of the true next item. */
interface TrainingLists {
  features: Float32Array[];
  targets: number[];
  /** Prefixes whose next item was not among the candidates (they teach nothing to a re-ranker). */
  missed: number;
}

/**
 * Candidate lists for every (sampled) prefix of the last `rerankSessions` sessions. They are cut
 * into chunks, each scored by an index of only the sessions before it: the features are what
 * serving would have computed then, never peeking at the session's own future, and the index is
 * about as fresh as the serving index is for the sessions that follow training. The collector
 * holds only those recent sessions; whoever builds the indexes (in JS or in DuckDB) hands each
 * chunk's index to `collect`.
 */
function listCollector(recent: RowTable, total: number, options: TrainOptions) {
  const first = total - rowCount(recent);
  const totalPrefixes = recent.values.length - rowCount(recent);
  const stride = Math.max(1, totalPrefixes / options.maxLists);
  const lists: TrainingLists = { features: [], targets: [], missed: 0 };
  const bar = progressBar('features', totalPrefixes);
  const chunk = Math.ceil((total - first) / options.rerankChunks);
  const starts: number[] = [];
  for (let from = first; from < total; from += chunk) starts.push(from);
  let seen = 0;
  let nextTake = 0;
  return {
    /** Where each chunk starts: its index covers the sessions before that. */
    starts,
    /** Adds the lists of the chunk starting at `from`, scored by `index` (of the sessions before it). */
    collect(index: ModelIndex, from: number): void {
      const scratch = createKnnScratch(index);
      for (let s = from; s < Math.min(total, from + chunk); s++) {
        const row = rowValues(recent, s - first);
        for (let p = 1; p < row.length; p++, seen++) {
          if (seen < nextTake) continue;
          nextTake += stride;
          const query = knownItems(index, row.subarray(0, p));
          if (query.length === 0) continue;
          const candidates = generateCandidates(index, scratch, query, options.candidates);
          const target = candidates.items.indexOf(row[p] ?? 0);
          if (target < 0) {
            lists.missed++;
            continue;
          }
          lists.features.push(buildFeatures(index, candidates, query));
          lists.targets.push(target);
          bar.tick(seen, `${lists.features.length} lists`);
        }
      }
    },
    finish(): TrainingLists {
      const kept = lists.features.length;
      bar.finish(`${kept} lists, target among candidates in ${((100 * kept) / Math.max(1, kept + lists.missed)).toFixed(1)}%`);
      return lists;
    },
  };
}

/** The first session the re-ranker learns from (never the first: its index would be empty). */
const rerankFirst = (total: number, options: TrainOptions) => Math.max(1, total - options.rerankSessions);

function standardisation(lists: TrainingLists): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(NUM_FEATURES);
  const sq = new Float64Array(NUM_FEATURES);
  let rows = 0;
  for (const f of lists.features) {
    for (let i = 0; i < f.length; i++) {
      const v = f[i] ?? 0;
      const col = i % NUM_FEATURES;
      sum[col] = (sum[col] ?? 0) + v;
      sq[col] = (sq[col] ?? 0) + v * v;
    }
    rows += f.length / NUM_FEATURES;
  }
  const mean = Float32Array.from(sum, (s) => s / Math.max(1, rows));
  // Constant columns get std 1 so they pass through as zeros instead of dividing by zero.
  const std = Float32Array.from(sq, (s, i) => Math.sqrt(Math.max(0, s / Math.max(1, rows) - (mean[i] ?? 0) ** 2)) || 1);
  return { mean, std };
}

interface Batch {
  /** Feature rows of all lists, stacked. */
  x: Float32Array;
  rows: number;
  /** Where each list's rows start in `x` (one more entry than lists). */
  starts: Int32Array;
  /** Row of each list's true next item. */
  targetRows: Int32Array;
}

function makeBatch(lists: TrainingLists, ids: number[]): Batch {
  const starts = new Int32Array(ids.length + 1);
  ids.forEach((id, b) => {
    starts[b + 1] = (starts[b] ?? 0) + (lists.features[id]?.length ?? 0) / NUM_FEATURES;
  });
  const rows = starts[ids.length] ?? 0;
  const x = new Float32Array(rows * NUM_FEATURES);
  const targetRows = new Int32Array(ids.length);
  ids.forEach((id, b) => {
    x.set(lists.features[id] ?? new Float32Array(0), (starts[b] ?? 0) * NUM_FEATURES);
    targetRows[b] = (starts[b] ?? 0) + (lists.targets[id] ?? 0);
  });
  return { x, rows, starts, targetRows };
}

/** Mean listwise softmax cross-entropy and its gradient per logit; lists are ragged, so this is plain JS. */
function softmaxLoss(logits: Float32Array, batch: Batch): { loss: number; dLogits: Float32Array } {
  const dLogits = new Float32Array(logits.length);
  const lists = batch.targetRows.length;
  let loss = 0;
  for (let b = 0; b < lists; b++) {
    const start = batch.starts[b] ?? 0;
    const end = batch.starts[b + 1] ?? start;
    const { max, sum } = softmaxNormaliser(logits, start, end);
    const target = batch.targetRows[b] ?? start;
    loss -= (logits[target] ?? 0) - max - Math.log(sum);
    for (let r = start; r < end; r++) dLogits[r] = Math.exp((logits[r] ?? 0) - max) / sum / lists;
    dLogits[target] = (dLogits[target] ?? 0) - 1 / lists;
  }
  return { loss: loss / lists, dLogits };
}

/**
 * One step's loss and gradients by hand-written backprop: tfjs-core's autodiff needs gradient
 * kernels that its Node and Worker bundles don't register, and the MLP's chain rule is short.
 */
function lossAndGradients(params: RerankerParams, batch: Batch): { loss: number; grads: Array<{ name: string; tensor: tf.Tensor }> } {
  const input = tf.tensor2d(batch.x, [batch.rows, NUM_FEATURES]);
  const layers = rerankerLayers(params, input);
  const out = layers[layers.length - 1];
  if (out === undefined) throw new Error('re-ranker has no layers');
  const { loss, dLogits } = softmaxLoss(out.dataSync() as Float32Array, batch);
  const grads = tf.tidy(() => {
    const named: Record<string, tf.Tensor> = {};
    const ones = tf.ones([1, batch.rows]);
    let delta: tf.Tensor2D = tf.tensor2d(dLogits, [batch.rows, 1]);
    for (let i = params.kernels.length - 1; i >= 0; i--) {
      const below = i === 0 ? input : layers[i - 1];
      const kernel = params.kernels[i];
      if (below === undefined || kernel === undefined) throw new Error('layer missing');
      named[`k${i}`] = tf.matMul(below, delta, true, false);
      // A ones-row matMul sums over rows far faster than tf.sum on the CPU backend.
      named[`b${i}`] = tf.reshape(tf.matMul(ones, delta), [-1]);
      // ReLU passes gradient where its output is positive.
      if (i > 0) delta = tf.mul(tf.matMul(delta, kernel, false, true), tf.step(below));
    }
    return named;
  });
  tf.dispose([input, ...layers]);
  return { loss, grads: Object.entries(grads).map(([name, tensor]) => ({ name, tensor })) };
}

/** Adam whose learning rate can be lowered as training goes on. */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/** Fits the MLP to standardised lists with Adam on the listwise softmax loss. */
function trainReranker(lists: TrainingLists, options: TrainOptions): RerankerParams {
  useCpuBackend();
  const sizes = [NUM_FEATURES, ...options.hidden, 1];
  const kernels = sizes.slice(1).map((out, i) => {
    const inputs = sizes[i] ?? 1;
    return tf.variable(tf.randomNormal([inputs, out], 0, Math.sqrt(2 / inputs), 'float32', options.seed + i), true, `k${i}`) as tf.Variable<tf.Rank.R2>;
  });
  const biases = sizes.slice(1).map((out, i) => tf.variable(tf.zeros([out]), true, `b${i}`) as tf.Variable<tf.Rank.R1>);
  const params: RerankerParams = { kernels, biases };
  const optimizer = new ScheduledAdam(options.learningRate, 0.9, 0.999);
  const random = seededRandom(options.seed);
  const order = Array.from({ length: lists.features.length }, (_, i) => i);
  const batches = Math.ceil(order.length / options.batchLists);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    const bar = progressBar(`re-ranker epoch ${epoch + 1}/${options.epochs}`, batches);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const progress = (epoch * batches + b) / Math.max(1, options.epochs * batches - 1);
      const { learningRate: start, finalLearningRate: end } = options;
      optimizer.setLearningRate(end + ((start - end) * (1 + Math.cos(Math.PI * progress))) / 2);
      const batch = makeBatch(lists, order.slice(b * options.batchLists, (b + 1) * options.batchLists));
      const { loss, grads } = lossAndGradients(params, batch);
      optimizer.applyGradients(grads);
      lossSum += loss;
      tf.dispose(grads.map((g) => g.tensor));
      bar.tick(b + 1, `loss ${(lossSum / (b + 1)).toFixed(4)}`);
    }
    bar.finish(`loss ${(lossSum / batches).toFixed(4)}`);
  }
  optimizer.dispose();
  return params;
}

/**
 * One network whose score is the mean of the members' (same shapes): the first layer's outputs
 * side by side, deeper layers block-diagonal, the output layer's rows stacked and scaled by 1/n.
 */
export function averagedNetworks(members: DenseWeights[][]): DenseWeights[] {
  const [first] = members;
  if (first === undefined) throw new Error('an ensemble needs at least one network');
  if (members.length === 1) return first;
  const n = members.length;
  return first.map((shape, l) => {
    const isFirst = l === 0;
    const isLast = l === first.length - 1;
    const inputs = isFirst ? shape.inputs : shape.inputs * n;
    const outputs = isLast ? shape.outputs : shape.outputs * n;
    const kernel = new Float32Array(inputs * outputs);
    const bias = new Float32Array(outputs);
    members.forEach((layers, m) => {
      const layer = layers[l];
      if (layer === undefined || layer.inputs !== shape.inputs || layer.outputs !== shape.outputs) throw new Error('ensemble members differ in shape');
      const rowOffset = isFirst ? 0 : m * shape.inputs;
      const colOffset = isLast ? 0 : m * shape.outputs;
      const scale = isLast ? 1 / n : 1;
      for (let r = 0; r < shape.inputs; r++) {
        for (let c = 0; c < shape.outputs; c++) kernel[(rowOffset + r) * outputs + colOffset + c] = (layer.kernel[r * shape.outputs + c] ?? 0) * scale;
      }
      for (let c = 0; c < shape.outputs; c++) bias[colOffset + c] = (bias[colOffset + c] ?? 0) + (layer.bias[c] ?? 0) * scale;
    });
    return { inputs, outputs, kernel, bias };
  });
}

/** What a shop's data may add to its sessions. */
export interface TrainingExtras {
  /** Model id → the shop's item id, when those are not plain integers. */
  itemIds?: string[];
  /** Orders (item ids bought together), for "bought together". */
  baskets?: RowTable;
}

/** Co-purchase neighbours kept per item. */
const COPURCHASE_PER_ITEM = 20;

/** Fits the re-ranker to the lists and assembles the artifact around the served index. */
function assemble(lists: TrainingLists, index: ModelIndex, dataset: string, options: TrainOptions, extra: TrainingExtras): ModelArtifact {
  const { itemIds, baskets } = extra;
  const { mean, std } = standardisation(lists);
  for (const f of lists.features) for (let i = 0; i < f.length; i++) f[i] = ((f[i] ?? 0) - (mean[i % NUM_FEATURES] ?? 0)) / (std[i % NUM_FEATURES] ?? 1);
  const members = Array.from({ length: options.members }, (_, m) => {
    const params = trainReranker(lists, { ...options, seed: options.seed + 1000 * m });
    const weights = readWeights(params, mean, std);
    tf.dispose([...params.kernels, ...params.biases]);
    return weights.layers;
  });
  const reranker = { mean, std, layers: averagedNetworks(members) };
  return {
    modelVersion: `${dataset}-${new Date().toISOString()}`,
    dataset,
    candidateOptions: options.candidates,
    index,
    reranker,
    // No orders (a log without purchases yet): no table, rather than an empty one the size of the catalog.
    ...(baskets && rowCount(baskets) > 0 ? { copurchase: buildCopurchase(baskets, index.numItems, COPURCHASE_PER_ITEM) } : {}),
    // The table may name items only later (held-out) sessions have; the artifact keeps the index's.
    ...(itemIds ? { itemIds: buildItemIdTable(itemIds.slice(0, index.numItems)) } : {}),
  };
}

/**
 * Trains the served model on sessions in time order held in JS, indexes built in JS: for sessions
 * small enough to hold (tests, the demo). `trainFromClicks` trains the same model from DuckDB.
 */
export function trainModel(sessions: RowTable, dataset: string, options: TrainOptions = DEFAULT_TRAIN_OPTIONS, extra: TrainingExtras = {}): ModelArtifact {
  const total = rowCount(sessions);
  const collector = listCollector(sliceRows(sessions, rerankFirst(total, options), total), total, options);
  for (const from of collector.starts) collector.collect(buildModelIndex(sliceRows(sessions, 0, from), options.index), from);
  const lists = collector.finish();
  process.stderr.write('building the serving index over all training sessions\n');
  return assemble(lists, buildModelIndex(sessions, options.index), dataset, options, extra);
}

/**
 * Trains the served model on the clicks a DuckDB store holds: every index (each re-ranker chunk's
 * and the served one) is aggregated in DuckDB in one pass over the clicks (index-sql.ts), and only
 * the re-ranker's recent sessions, its lists and one index at a time are held in JS.
 *
 * @example
 * const store = await loadSessionsFile('train_sessions.txt');
 * try { writeFileSync('model.bin', encodeArtifact(await trainFromClicks(store, 'diginetica'))); } finally { store.engine.close(); }
 */
export async function trainFromClicks(
  store: ClickStore,
  dataset: string,
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  extra: Omit<TrainingExtras, 'itemIds'> = {},
): Promise<ModelArtifact> {
  const total = store.sessions;
  const { connection } = store.engine;
  const collector = listCollector(await readSessionRows(store, rerankFirst(total, options), total), total, options);
  const started = performance.now();
  const builder = await prepareIndexes(connection, options.index, [...collector.starts, total]);
  let reading = 0;
  const indexBefore = async (end: number): Promise<ModelIndex> => {
    const t = performance.now();
    const index = await builder.indexBefore(end);
    reading += performance.now() - t;
    return index;
  };
  process.stderr.write(`DuckDB aggregated the pair counts of ${collector.starts.length + 1} indexes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  try {
    for (const from of collector.starts) collector.collect(await indexBefore(from), from);
    const lists = collector.finish();
    process.stderr.write('building the serving index over all training sessions\n');
    const index = await indexBefore(total);
    process.stderr.write(`DuckDB summed and read the ${collector.starts.length + 1} indexes in ${(reading / 1000).toFixed(1)} s\n`);
    await builder.drop();
    return assemble(lists, index, dataset, options, { ...extra, ...(store.itemIds ? { itemIds: store.itemIds } : {}) });
  } finally {
    await builder.drop();
  }
}
