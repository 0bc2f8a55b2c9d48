/**
 * Session-kNN: the query's most similar recent sessions (findNeighbours) and the items they vote
 * for (voteNeighbours), V-SKNN when the neighbour-side decay is off.
 */
import type { IdRows, Ids, ModelIndex, ScoredItems } from './types';
import { rowEnd, rowStart } from './rows';
import { type KnnScratch, beginQuery, nextEpoch } from './scratch';
import { sortByScore } from './sort';

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

/** Session-kNN output: scored items plus, per item, the share of the neighbours that contain it. */
export interface KnnScores extends ScoredItems {
  voteShares: Float32Array;
}

/** A query's nearest sessions, best first, with their similarity in `scratch.sim` (valid until the next query). */
export interface Neighbourhood {
  sessions: Uint32Array;
  /** The epoch that marks the query's items in `scratch.queryEpoch`. */
  queryEpoch: number;
}

/**
 * The query's top-k neighbour sessions: the query's items get linear position weights (latest =
 * 1), similarity to a session is the sum of the weights of shared items, and only the
 * `sampleSize` most recent sessions sharing an item are compared. Postings are most recent first
 * and session ids grow with time, so merging the query items' postings from the front visits
 * exactly that sample and never the older sessions behind it. While a loaded model's postings
 * are not built yet, the same sample comes from the sessions themselves: a short query's lists
 * looked up item by item (`sessionsHolding`), a longer one's from one scan.
 */
export function findNeighbours(index: ModelIndex, scratch: KnnScratch, query: ArrayLike<number>, options: SknnOptions, epochsAfter: number): Neighbourhood {
  beginQuery(scratch, 1 + epochsAfter);
  const queryEpoch = nextEpoch(scratch);
  const items: number[] = [];
  const weights: number[] = [];
  const len = query.length;
  for (let p = len - 1; p >= 0 && items.length < options.maxQueryItems; p--) {
    const item = query[p] ?? -1;
    if (item < 0 || item >= index.numItems || scratch.queryEpoch[item] === queryEpoch) continue;
    scratch.queryEpoch[item] = queryEpoch;
    scratch.queryWeight[item] = (p + 1) / len;
    // Read back as float32 so similarities sum exactly as they would from the buffer.
    weights.push(scratch.queryWeight[item] ?? 0);
    items.push(item);
  }
  const { sampleSize } = options;
  let sample: number[];
  if (index.postingsBuilt?.() !== false || items.length > MAX_SCANNED_ITEMS) {
    const { postings } = index;
    sample = mergeSample(scratch, items.map((item) => postings.values.subarray(rowStart(postings, item), rowEnd(postings, item))), weights, sampleSize);
  } else if (items.length <= MAX_LOOKED_UP_ITEMS) {
    const limit = Math.min(index.postingsCap ?? Number.MAX_SAFE_INTEGER, sampleSize);
    sample = mergeSample(scratch, items.map((item) => heldSessions(index, scratch, item, limit)), weights, sampleSize);
  } else sample = scanSample(index, scratch, queryEpoch, items, weights, sampleSize);
  // The most similar first; among equals the most recent (sample is newest first already).
  const sessions = sortByScore(sample, scratch.sim, false);
  return { sessions: sessions.subarray(0, Math.min(options.k, sessions.length)), queryEpoch };
}

/** The query items a scan tells apart: one bit each in a 32-bit mask (a longer query builds the postings). */
const MAX_SCANNED_ITEMS = 31;

/**
 * Up to this many query items, a model without its postings looks each item's sessions up
 * (`sessionsHolding`) instead of scanning every session: a lookup is the runtime's native search
 * over the clicks, ~1.5 ms for a rare item's whole pass, where a fresh isolate's first scan in
 * JavaScript took 12–30 ms (Diginetica's 0.9 M clicks, not yet compiled).
 */
const MAX_LOOKED_UP_ITEMS = 8;

/**
 * The sessions holding `item`, newest first, each once, at most `limit`: the first `limit` of its
 * postings row, found in the sessions themselves. Each step is one native `lastIndexOf` over the
 * clicks before the last session found, then a binary search for the session that click is in.
 */
export function sessionsHolding(sessions: IdRows, item: number, limit: number): Uint32Array {
  const { offsets, values } = sessions;
  // As a postings row is: the merge then reads one kind of list.
  const out = new Uint32Array(Math.min(limit, offsets.length - 1));
  let found = 0;
  let from = (offsets[offsets.length - 1] ?? 0) - 1;
  while (from >= 0 && found < out.length) {
    const at = values.lastIndexOf(item, from);
    if (at < 0) break;
    // The last session starting at or before the click: the one holding it (an empty one starts where the next does).
    let lo = 0;
    let hi = offsets.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((offsets[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    out[found++] = lo;
    from = (offsets[lo] ?? 0) - 1;
  }
  return out.subarray(0, found);
}

/**
 * `sessionsHolding` for a model whose postings are not built yet, the last lookup kept in the
 * scratch: session-kNN and the links back to the last item (candidates.ts) both ask for the query's
 * last item. The sessions of a loaded model never change, so a kept list stays right.
 */
export function heldSessions(index: ModelIndex, scratch: KnnScratch, item: number, limit: number): Uint32Array {
  const { held } = scratch;
  if (held && held.item === item && held.limit === limit) return held.sessions;
  const sessions = sessionsHolding(index.sessions, item, limit);
  scratch.held = { item, limit, sessions };
  return sessions;
}

/**
 * The sample from the query items' lists of sessions (postings rows, or `sessionsHolding`),
 * merged from the front (newest session first) until `sampleSize` sessions; each session's
 * similarity, the sum of the weights of the lists it heads, in list order, goes to `scratch.sim`.
 */
function mergeSample(scratch: KnnScratch, lists: readonly Ids[], weights: readonly number[], sampleSize: number): number[] {
  const heads = lists.map(() => 0);
  const sample: number[] = [];
  while (sample.length < sampleSize) {
    let newest = -1;
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]!;
      const h = heads[l] ?? 0;
      if (h < list.length) newest = Math.max(newest, list[h] ?? 0);
    }
    if (newest < 0) break;
    let sim = 0;
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]!;
      const h = heads[l] ?? 0;
      if (h < list.length && list[h] === newest) {
        sim = Math.fround(sim + (weights[l] ?? 0));
        heads[l] = h + 1;
      }
    }
    scratch.sim[newest] = sim;
    sample.push(newest);
  }
  return sample;
}

/**
 * The same sample without postings, for a query of more items than are looked up one by one: the
 * sessions read newest first, each one holding a query item taken, until `sampleSize`. An item
 * counts in at most the postings cap of its newest sessions, as its capped postings list would;
 * similarities sum in the same list order. One pass over the sessions' clicks at most (~0.9 M
 * for Diginetica), a few ms once compiled, instead of building every item's postings first.
 */
function scanSample(index: ModelIndex, scratch: KnnScratch, epoch: number, items: readonly number[], weights: readonly number[], sampleSize: number): number[] {
  const { offsets, values } = index.sessions;
  const cap = index.postingsCap ?? Number.MAX_SAFE_INTEGER;
  // A query item is marked with this query's epoch; its list number comes from a map (at most 31 of them).
  const list = new Map(items.map((item, l) => [item, l]));
  const { queryEpoch } = scratch;
  const taken = new Array<number>(items.length).fill(0);
  // Lists not yet at the cap: the scan ends when none is left, as the merge does when every list ran out.
  let open = cap > 0 ? items.length : 0;
  const sample: number[] = [];
  for (let s = offsets.length - 2; s >= 0 && open > 0 && sample.length < sampleSize; s--) {
    let mask = 0;
    for (let p = offsets[s] ?? 0, end = offsets[s + 1] ?? 0; p < end; p++) {
      const item = values[p] ?? 0;
      if (queryEpoch[item] === epoch) mask |= 1 << (list.get(item) ?? 0);
    }
    if (mask === 0) continue;
    let sim = 0;
    let counted = false;
    for (let l = 0; l < items.length; l++) {
      if ((mask & (1 << l)) === 0 || (taken[l] ?? 0) >= cap) continue;
      sim = Math.fround(sim + (weights[l] ?? 0));
      counted = true;
      taken[l] = (taken[l] ?? 0) + 1;
      if (taken[l] === cap) open--;
    }
    if (!counted) continue;
    scratch.sim[s] = sim;
    sample.push(s);
  }
  return sample;
}

/**
 * Each neighbour votes its similarity for every item it contains (once per session), optionally
 * decayed by the item's distance from the neighbour's best-matching click.
 */
export function voteNeighbours(index: ModelIndex, scratch: KnnScratch, hood: Neighbourhood, k: number, neighbourDecay: number): KnnScores {
  const { sessions } = index;
  const { values } = sessions;
  const { sim, itemEpoch, itemScore, itemVotes, queryEpoch, queryWeight } = scratch;
  const neighbours = hood.sessions.subarray(0, Math.min(k, hood.sessions.length));
  const fresh = nextEpoch(scratch);
  const touched: number[] = [];
  // Distances are small integers, so each decay factor is computed once per call, not once per vote.
  const decayAt: number[] = [];
  for (let n = 0; n < neighbours.length; n++) {
    const s = neighbours[n] ?? 0;
    const similarity = sim[s] ?? 0;
    const start = rowStart(sessions, s);
    const end = rowEnd(sessions, s);
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
  const items = sortByScore(touched, itemScore, true);
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
