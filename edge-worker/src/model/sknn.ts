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
  itemScore: Float32Array;
  itemVotes: Uint32Array;
  itemEpoch: Uint32Array;
  queryWeight: Float32Array;
  queryEpoch: Uint32Array;
  epoch: number;
  /** Per item, a slot in the current candidate pool or -1; every request puts back the -1s it changed. */
  poolSlot: Int32Array;
  /** Per item, a running sum for the neighbour-row sources; zero between uses, like poolSlot. */
  rowSum: Float64Array;
}

/** A query's nearest sessions, best first, with their similarity in `scratch.sim` (valid until the next query). */
export interface Neighbourhood {
  sessions: Uint32Array;
  /** The epoch that marks the query's items in `scratch.queryEpoch`. */
  queryEpoch: number;
}

/** Allocates scratch buffers sized to an index. */
export function createKnnScratch(index: ModelIndex): KnnScratch {
  return {
    sim: new Float32Array(rowCount(index.sessions)),
    itemScore: new Float32Array(index.numItems),
    itemVotes: new Uint32Array(index.numItems),
    itemEpoch: new Uint32Array(index.numItems),
    queryWeight: new Float32Array(index.numItems),
    queryEpoch: new Uint32Array(index.numItems),
    epoch: 0,
    poolSlot: new Int32Array(index.numItems).fill(-1),
    rowSum: new Float64Array(index.numItems),
  };
}

/**
 * Epoch stamps mark which buffer entries belong to the current query, so nothing is cleared
 * between requests. The buffers are reset only when the 32-bit counter could overflow mid-query.
 */
function beginQuery(scratch: KnnScratch, epochsNeeded: number): void {
  if (scratch.epoch + epochsNeeded < 0xffffffff) return;
  scratch.itemEpoch.fill(0);
  scratch.queryEpoch.fill(0);
  scratch.epoch = 0;
}

function nextEpoch(scratch: KnnScratch): number {
  scratch.epoch++;
  return scratch.epoch;
}

const bits = new Float32Array(1);
const bitsU32 = new Uint32Array(bits.buffer);
/** Widest id a packed sort key can hold next to 32 score bits within a double's 53-bit mantissa. */
const KEY_ID_BITS = 21;

/** Maps a float32 to a uint32 with the same order (negative values included). */
function orderedBits(value: number): number {
  bits[0] = value;
  const u = bitsU32[0] ?? 0;
  return u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
}

/**
 * Sorts ids by float32 score, highest first; ties by id, ascending or descending. Scores and ids
 * are packed into one double per id so a native typed-array sort does the work (a comparator
 * sort is several times slower on the request path).
 */
export function sortByScore(ids: ArrayLike<number>, score: (id: number) => number, tieAscending: boolean, idLimit: number): Uint32Array {
  const n = ids.length;
  const out = new Uint32Array(n);
  if (idLimit > 2 ** KEY_ID_BITS) {
    const sorted = Array.from(ids).sort((a, b) => score(b) - score(a) || (tieAscending ? a - b : b - a));
    out.set(sorted);
    return out;
  }
  const keys = new Float64Array(n);
  const shift = 2 ** KEY_ID_BITS;
  const top = shift - 1;
  for (let i = 0; i < n; i++) {
    const id = ids[i] ?? 0;
    keys[i] = (0xffffffff - orderedBits(score(id))) * shift + (tieAscending ? id : top - id);
  }
  keys.sort();
  for (let i = 0; i < n; i++) {
    const tie = (keys[i] ?? 0) % shift;
    out[i] = tieAscending ? tie : top - tie;
  }
  return out;
}

/**
 * The query's top-k neighbour sessions: the query's items get linear position weights (latest =
 * 1), similarity to a session is the sum of the weights of shared items, and only the
 * `sampleSize` most recent sessions sharing an item are compared. Postings are most recent first
 * and session ids grow with time, so merging the query items' postings from the front visits
 * exactly that sample and never the older sessions behind it.
 */
export function findNeighbours(index: ModelIndex, scratch: KnnScratch, query: ArrayLike<number>, options: SknnOptions, epochsAfter: number): Neighbourhood {
  beginQuery(scratch, 1 + epochsAfter);
  const queryEpoch = nextEpoch(scratch);
  const weights: number[] = [];
  const heads: number[] = [];
  const ends: number[] = [];
  const { postings } = index;
  const len = query.length;
  for (let p = len - 1; p >= 0 && weights.length < options.maxQueryItems; p--) {
    const item = query[p] ?? -1;
    if (item < 0 || item >= index.numItems || scratch.queryEpoch[item] === queryEpoch) continue;
    scratch.queryEpoch[item] = queryEpoch;
    scratch.queryWeight[item] = (p + 1) / len;
    // Read back as float32 so similarities sum exactly as they would from the buffer.
    weights.push(scratch.queryWeight[item] ?? 0);
    heads.push(postings.offsets[item] ?? 0);
    ends.push(postings.offsets[item + 1] ?? 0);
  }

  const sample: number[] = [];
  const lists = weights.length;
  while (sample.length < options.sampleSize) {
    let newest = -1;
    for (let l = 0; l < lists; l++) {
      const h = heads[l] ?? 0;
      if (h < (ends[l] ?? 0)) newest = Math.max(newest, postings.values[h] ?? 0);
    }
    if (newest < 0) break;
    let sim = 0;
    for (let l = 0; l < lists; l++) {
      const h = heads[l] ?? 0;
      if (h < (ends[l] ?? 0) && postings.values[h] === newest) {
        sim = Math.fround(sim + (weights[l] ?? 0));
        heads[l] = h + 1;
      }
    }
    scratch.sim[newest] = sim;
    sample.push(newest);
  }
  // The most similar first; among equals the most recent (sample is newest first already).
  const sessions = sortByScore(sample, (s) => scratch.sim[s] ?? 0, false, rowCount(index.sessions));
  return { sessions: sessions.subarray(0, Math.min(options.k, sessions.length)), queryEpoch };
}

/**
 * Each neighbour votes its similarity for every item it contains (once per session), optionally
 * decayed by the item's distance from the neighbour's best-matching click.
 */
export function voteNeighbours(index: ModelIndex, scratch: KnnScratch, hood: Neighbourhood, k: number, neighbourDecay: number): KnnScores {
  const { offsets, values } = index.sessions;
  const { sim, itemEpoch, itemScore, itemVotes, queryEpoch, queryWeight } = scratch;
  const neighbours = hood.sessions.subarray(0, Math.min(k, hood.sessions.length));
  const fresh = nextEpoch(scratch);
  const touched: number[] = [];
  // Distances are small integers, so each decay factor is computed once per call, not once per vote.
  const decayAt: number[] = [];
  for (let n = 0; n < neighbours.length; n++) {
    const s = neighbours[n] ?? 0;
    const similarity = sim[s] ?? 0;
    const start = offsets[s] ?? 0;
    const end = offsets[s + 1] ?? 0;
    let anchor = start;
    if (neighbourDecay > 0) {
      let best = -1;
      for (let p = start; p < end; p++) {
        const item = values[p] ?? 0;
        if (queryEpoch[item] === hood.queryEpoch && (queryWeight[item] ?? 0) >= best) {
          best = queryWeight[item] ?? 0;
          anchor = p;
        }
      }
    }
    const seen = nextEpoch(scratch);
    for (let p = start; p < end; p++) {
      const item = values[p] ?? 0;
      const stamp = itemEpoch[item] ?? 0;
      if (stamp === seen) continue;
      let vote = similarity;
      if (neighbourDecay > 0) {
        const d = Math.abs(p - anchor);
        vote = similarity * (decayAt[d] ??= Math.exp(-d / neighbourDecay));
      }
      if (stamp < fresh) {
        itemScore[item] = 0;
        itemVotes[item] = 0;
        touched.push(item);
      }
      itemEpoch[item] = seen;
      itemScore[item] = (itemScore[item] ?? 0) + vote;
      itemVotes[item] = (itemVotes[item] ?? 0) + 1;
    }
  }
  const items = sortByScore(touched, (item) => itemScore[item] ?? 0, true, index.numItems);
  const scores = new Float32Array(items.length);
  const voteShares = new Float32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? 0;
    scores[i] = itemScore[item] ?? 0;
    voteShares[i] = (itemVotes[item] ?? 0) / neighbours.length;
  }
  return { items, scores, voteShares };
}

/** Epochs one `voteNeighbours` call over k neighbours uses. */
export function voteEpochs(k: number): number {
  return k + 1;
}

/**
 * Session-kNN scores for a query session (most recent item last): the top-k neighbour sessions
 * each vote their similarity for every item they contain.
 */
export function sessionKnn(index: ModelIndex, scratch: KnnScratch, query: ArrayLike<number>, options: SknnOptions): KnnScores {
  const hood = findNeighbours(index, scratch, query, options, voteEpochs(options.k));
  return voteNeighbours(index, scratch, hood, options.k, options.neighbourDecay);
}
