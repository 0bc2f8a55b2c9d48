/** Small sessions and artifacts the model unit tests train on. */
import { type ModelArtifact, decodeArtifact } from '../../../edge-worker/src/model/artifact';
import { type LoadedModel, loadModel } from '../../../edge-worker/src/model/recommend';
import { cutShard, placeShard, shardsOf } from '../../../edge-worker/src/model/shards';
import { DEFAULT_CANDIDATE_OPTIONS } from '../../../edge-worker/src/model/candidates';
import { NUM_FEATURES } from '../../../edge-worker/src/model/features';
import { buildModelIndex } from '../../../edge-worker/src/model/model-index';
import { rowTableFromArrays } from '../../../edge-worker/src/model/rows';
import { seededRandom } from '../../../edge-worker/src/model/random';
import type { RerankerWeights } from '../../../edge-worker/src/model/reranker';

/** Small deterministic sessions: items 1..maxItem, where item i tends to be followed by i + 1. */
export function syntheticSessions(count: number, maxItem: number): number[][] {
  const random = seededRandom(12345);
  return Array.from({ length: count }, () => {
    const length = 2 + Math.floor(random() * 5);
    let item = 1 + Math.floor(random() * maxItem);
    return Array.from({ length }, () => {
      const current = item;
      item = random() < 0.7 ? (item % maxItem) + 1 : 1 + Math.floor(random() * maxItem);
      return current;
    });
  });
}

/** Re-ranker weights with a fixed pattern (not trained), shaped for the current feature set. */
export function patternWeights(hidden: number): RerankerWeights {
  const wave = (n: number, phase: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + phase) * 0.5);
  return {
    mean: wave(NUM_FEATURES, 1),
    std: Float32Array.from({ length: NUM_FEATURES }, (_, i) => 1 + (i % 3)),
    layers: [
      { inputs: NUM_FEATURES, outputs: hidden, kernel: wave(NUM_FEATURES * hidden, 2), bias: wave(hidden, 3) },
      { inputs: hidden, outputs: 1, kernel: wave(hidden, 4), bias: wave(1, 5) },
    ],
  };
}

/** A complete artifact over synthetic sessions. */
export function syntheticArtifact(maxItem = 300, sessions = 2000): ModelArtifact {
  return {
    modelVersion: 'test-1',
    dataset: 'synthetic',
    candidateOptions: DEFAULT_CANDIDATE_OPTIONS,
    index: buildModelIndex(rowTableFromArrays(syntheticSessions(sessions, maxItem))),
    reranker: patternWeights(8),
  };
}

/**
 * A model read as a Worker reads a sharded one: from the artifact's core, its rows zeros until
 * `place` copies in the shards holding the given items' rows (cut from the whole artifact as
 * publishing cuts them).
 */
export function coreModel(bytes: Uint8Array): { model: LoadedModel; place(items: Iterable<number>): number[] } {
  const shards = decodeArtifact(bytes).shards;
  if (!shards) throw new Error('this artifact does not store its rows last');
  const rows = new Uint8Array(bytes.byteLength - shards.rowsStart);
  const model = loadModel([bytes.slice(0, shards.rowsStart), rows], { deferPostings: true });
  return {
    model,
    place(items) {
      const placed = shardsOf(shards, items);
      for (const k of placed) placeShard(rows, shards, k, cutShard(bytes, shards, k));
      return placed;
    },
  };
}
