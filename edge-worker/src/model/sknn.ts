import type { ModelIndex } from './types';
import { rowCount } from './model-index';

/** Session-kNN knobs (V-SKNN when neighbourDecay is 0). */
export interface SknnOptions {
  /** Neighbour sessions that vote. */
  k: number;
  /** Only the most recent sessions sharing an item with the query are compared. */
  sampleSize: number;
  /** Only the last distinct items of the query are used, bounding work for long sessions. */
  maxQueryItems: number;
  /**
   * Length scale of the neighbour-side position decay (items far from the matched item in a
   * neighbour count less, as in STAN); 0 turns it off.
   */
  neighbourDecay: number;
}

/** Scored items, best first. */
export interface ScoredItems {
  items: Uint32Array;
  scores: Float32Array;
}

/** Session-kNN output: scored items plus, per item, the share of the neighbours that contain it. */
export interface KnnScores extends ScoredItems {
  voteShares: Float32Array;
}

/** Reusable per-isolate buffers so a request allocates almost nothing proportional to the catalogue. */
export interface KnnScratch {
  sim: Float32Array;
  sessionEpoch: Uint32Array;
  itemScore: Float32Array;
  itemVotes: Uint32Array;
  itemEpoch: Uint32Array;
  queryWeight: Float32Array;
  queryEpoch: Uint32Array;
  epoch: number;
}

/** Allocates scratch buffers sized to an index. */
export function createKnnScratch(index: ModelIndex): KnnScratch {
  const n = rowCount(index.sessions);
  return {
    sim: new Float32Array(n),
    sessionEpoch: new Uint32Array(n),
    itemScore: new Float32Array(index.numItems),
    itemVotes: new Uint32Array(index.numItems),
    itemEpoch: new Uint32Array(index.numItems),
    queryWeight: new Float32Array(index.numItems),
    queryEpoch: new Uint32Array(index.numItems),
    epoch: 0,
  };
}

/**
 * Epoch stamps mark which buffer entries belong to the current query, so nothing is cleared
 * between requests. A query uses k + 1 epochs; the buffers are reset only when the 32-bit
 * counter could overflow mid-query.
 */
function beginQuery(scratch: KnnScratch, epochsNeeded: number): void {
  if (scratch.epoch + epochsNeeded < 0xffffffff) return;
  scratch.sessionEpoch.fill(0);
  scratch.itemEpoch.fill(0);
  scratch.queryEpoch.fill(0);
  scratch.epoch = 0;
}

function nextEpoch(scratch: KnnScratch): number {
  scratch.epoch++;
  return scratch.epoch;
}

/**
 * Session-kNN scores for a query session (most recent item last): the query's items get linear
 * position weights (latest = 1), similarity to a neighbour is the sum of the weights of shared
 * items, and each of the top-k neighbours votes its similarity for every item it contains.
 */
export function sessionKnn(index: ModelIndex, scratch: KnnScratch, query: ArrayLike<number>, options: SknnOptions): KnnScores {
  beginQuery(scratch, options.k + 1);
  const queryEpoch = nextEpoch(scratch);
  const queryItems: number[] = [];
  const len = query.length;
  for (let p = len - 1; p >= 0 && queryItems.length < options.maxQueryItems; p--) {
    const item = query[p] ?? -1;
    if (item < 0 || item >= index.numItems || scratch.queryEpoch[item] === queryEpoch) continue;
    scratch.queryEpoch[item] = queryEpoch;
    scratch.queryWeight[item] = (p + 1) / len;
    queryItems.push(item);
  }

  const { postings, sessions } = index;
  const candidates: number[] = [];
  for (const item of queryItems) {
    const w = scratch.queryWeight[item] ?? 0;
    for (let q = postings.offsets[item] ?? 0; q < (postings.offsets[item + 1] ?? 0); q++) {
      const s = postings.values[q] ?? 0;
      if (scratch.sessionEpoch[s] !== queryEpoch) {
        scratch.sessionEpoch[s] = queryEpoch;
        scratch.sim[s] = 0;
        candidates.push(s);
      }
      scratch.sim[s] = (scratch.sim[s] ?? 0) + w;
    }
  }
  // Session ids grow with time, so the sample of most recent sessions is the largest ids.
  let sample = Uint32Array.from(candidates);
  if (sample.length > options.sampleSize) sample = sample.sort().subarray(sample.length - options.sampleSize);
  const neighbours = Array.from(sample).sort((a, b) => (scratch.sim[b] ?? 0) - (scratch.sim[a] ?? 0) || b - a);
  if (neighbours.length > options.k) neighbours.length = options.k;

  const touched: number[] = [];
  const decay = options.neighbourDecay;
  for (const s of neighbours) {
    const sim = scratch.sim[s] ?? 0;
    const start = sessions.offsets[s] ?? 0;
    const end = sessions.offsets[s + 1] ?? 0;
    let anchor = start;
    if (decay > 0) {
      let best = -1;
      for (let p = start; p < end; p++) {
        const item = sessions.values[p] ?? 0;
        if (scratch.queryEpoch[item] === queryEpoch && (scratch.queryWeight[item] ?? 0) >= best) {
          best = scratch.queryWeight[item] ?? 0;
          anchor = p;
        }
      }
    }
    const seen = nextEpoch(scratch);
    for (let p = start; p < end; p++) {
      const item = sessions.values[p] ?? 0;
      const vote = decay > 0 ? sim * Math.exp(-Math.abs(p - anchor) / decay) : sim;
      if (scratch.itemEpoch[item] === seen) continue;
      if ((scratch.itemEpoch[item] ?? 0) < queryEpoch) {
        scratch.itemScore[item] = 0;
        scratch.itemVotes[item] = 0;
        touched.push(item);
      }
      scratch.itemEpoch[item] = seen;
      scratch.itemScore[item] = (scratch.itemScore[item] ?? 0) + vote;
      scratch.itemVotes[item] = (scratch.itemVotes[item] ?? 0) + 1;
    }
  }
  touched.sort((a, b) => (scratch.itemScore[b] ?? 0) - (scratch.itemScore[a] ?? 0) || a - b);
  return {
    items: Uint32Array.from(touched),
    scores: Float32Array.from(touched, (item) => scratch.itemScore[item] ?? 0),
    voteShares: Float32Array.from(touched, (item) => (scratch.itemVotes[item] ?? 0) / neighbours.length),
  };
}
