/**
 * The candidate pool for one query: every source's scored list (two session-kNNs, rules, next
 * clicks, co-visits, the session's own items) merged into one small set the re-ranker orders.
 */
import type { ModelIndex, NeighbourTable, ScoredItems } from './types';
import { neighbourRow, positionInRow, rowEnd, rowStart, scoreAt } from './rows';
import { type KnnScratch, addToSum, clearSum } from './scratch';
import { type KnnScores, type SknnOptions, findNeighbours, heldSessions, sessionKnn, voteEpochs, voteNeighbours } from './sknn';
import { sortIdsByScore } from './sort';

/** The scored candidate sources, in the column order of `CandidateSet.scores`. */
export const SOURCES = ['sknn', 'sknnNear', 'rulesLast', 'nextLast', 'covisitLast', 'rulesPrev', 'rulesSession', 'covisitSession'] as const;

/** One of the scored candidate sources. */
export type SourceName = (typeof SOURCES)[number];

/** How candidates are generated; stored in the artifact so serving matches training. */
export interface CandidateOptions {
  /** Plain session-kNN (V-SKNN). */
  sknn: SknnOptions;
  /** Session-kNN whose neighbours vote mostly for items near the matched click. */
  sknnNear: SknnOptions;
  /** How many top items each source contributes to the candidate pool, in SOURCES order. */
  perSource: Record<SourceName, number>;
  /** How many of the session's most recent distinct items are candidates themselves. */
  sessionItems: number;
  /** How many of the session's most recent distinct items feed the session-wide rule and co-visit sources. */
  aggregateItems: number;
  /**
   * How each candidate links back to the session's last item (see {@link CandidateSet}): counted
   * in the sessions holding the last item, rules reaching at most `window` clicks ahead. Absent in
   * models trained before 2026-12-02, which read the links from each candidate's own rule and
   * co-visit rows: their re-rankers learned those values, so they are served them.
   */
  linksToLast?: { window: number };
}

/**
 * Defaults, compared on a validation split cut from Diginetica's training sessions: small pools
 * rank better than large ones (fewer weak candidates to push aside, and cheaper per request);
 * see DEFAULT_TRAIN_OPTIONS for the figures. Against these as served (52.27 / 19.57), sknnNear's
 * neighbourDecay 1 gave 52.30 / 19.58, 4 gave 52.29 / 19.59, and sknn with k 50 52.33 / 19.59:
 * within the spread between seeds, so unchanged. The links back to the last item counted in the
 * sessions holding it (`linksToLast`, 2026-12-02) instead of read from each candidate's rows gave
 * 52.35 / 19.56 (both links dropped: 52.07 / 19.51): as good, and a decision no longer reads the
 * rows of 100–200 candidates spread over the catalog, only its query items'.
 */
export const DEFAULT_CANDIDATE_OPTIONS: CandidateOptions = {
  sknn: { k: 100, sampleSize: 1000, maxQueryItems: 20, neighbourDecay: 0 },
  sknnNear: { k: 200, sampleSize: 1000, maxQueryItems: 20, neighbourDecay: 2 },
  perSource: { sknn: 50, sknnNear: 40, rulesLast: 15, nextLast: 15, covisitLast: 15, rulesPrev: 5, rulesSession: 15, covisitSession: 15 },
  sessionItems: 20,
  aggregateItems: 10,
  linksToLast: { window: 10 },
};

/**
 * Candidates for one query and each source's view of them: `scores[c * SOURCES.length + s]` is
 * source s's raw score for candidate c and `ranks[...]` its 0-based rank in that source (-1: absent).
 */
export interface CandidateSet {
  items: Uint32Array;
  scores: Float32Array;
  ranks: Int32Array;
  /** Each source's best score for this query (0 when the source returned nothing). */
  maxScores: Float32Array;
  /** Per candidate, the share of plain session-kNN neighbours containing it. */
  voteShares: Float32Array;
  /** Per candidate, the share of the position-decayed session-kNN's (larger) neighbourhood containing it. */
  nearVoteShares: Float32Array;
  /** Per candidate, the sequential rule from it to the query's last item: the sum of 1/distance over the clicks of it the last item followed. */
  rulesToLast: Float32Array;
  /** Per candidate, the cosine of the sessions holding it and the query's last item. */
  covisitWithLast: Float32Array;
}

/**
 * Both links from each candidate back to the query's last item, counted in the sessions holding
 * the last item (its postings row, or the same sessions found in the sessions themselves): the
 * sequential rule candidate → last (1/distance for each pair at most `window` clicks apart, as the
 * rule table counts it) and the co-visit cosine, sessions holding both over the square root of
 * each one's session count. Only the query's side is read, never a candidate's own rows, so a
 * decision needs the rows of its query items alone. The scratch's `poolSlot` maps an item to its candidate (-1: none).
 */
function linksFromSessions(index: ModelIndex, scratch: KnnScratch, last: number, pool: readonly number[], window: number): [Float32Array, Float32Array] {
  const slot = scratch.poolSlot;
  const rules = new Float64Array(pool.length);
  const together = new Float64Array(pool.length);
  const counted = new Int32Array(pool.length).fill(-1);
  const { sessions } = index;
  // Reading `postings` builds them where loading deferred them: not during a decision.
  const held =
    index.postingsBuilt?.() === false
      ? heldSessions(index, scratch, last, index.postingsCap ?? Number.MAX_SAFE_INTEGER)
      : index.postings.values.subarray(rowStart(index.postings, last), rowEnd(index.postings, last));
  const { values } = sessions;
  for (let h = 0; h < held.length; h++) {
    const s = held[h] ?? 0;
    const start = rowStart(sessions, s);
    const end = rowEnd(sessions, s);
    for (let p = start; p < end; p++) {
      const item = values[p] ?? 0;
      if (item === last) {
        for (let q = Math.max(start, p - window); q < p; q++) {
          const c = slot[values[q] ?? 0] ?? -1;
          if (c >= 0 && values[q] !== last) rules[c] = (rules[c] ?? 0) + 1 / (p - q);
        }
        continue;
      }
      const c = slot[item] ?? -1;
      if (c >= 0 && counted[c] !== s) {
        counted[c] = s;
        together[c] = (together[c] ?? 0) + 1;
      }
    }
  }
  const lastSessions = sessionCount(index, last);
  const cosine = Float32Array.from(together, (both, c) => {
    const product = sessionCount(index, pool[c] ?? 0) * lastSessions;
    return both > 0 && product > 0 ? both / Math.sqrt(product) : 0;
  });
  return [Float32Array.from(rules), cosine];
}

/** How many sessions hold an item, from its clicks and the share of them that were re-clicks. */
function sessionCount(index: ModelIndex, item: number): number {
  return Math.round((index.popularity[item] ?? 0) * (1 - (index.repeatRate[item] ?? 0)));
}

/** The links back to the last item read from each candidate's own rows (models trained before linksToLast). */
function linksFromRows(index: ModelIndex, last: number, pool: readonly number[]): [Float32Array, Float32Array] {
  const link = (table: NeighbourTable, item: number): number => {
    const q = positionInRow(table, item, last);
    return q < 0 ? 0 : scoreAt(table, q);
  };
  return [Float32Array.from(pool, (item) => link(index.rules, item)), Float32Array.from(pool, (item) => link(index.covisit, item))];
}

const NO_ITEMS: ScoredItems = { items: new Uint32Array(0), scores: new Float32Array(0) };

/** An item's neighbour row; none for a query position that does not exist (no previous item). */
function rowOf(table: NeighbourTable, item: number | undefined): ScoredItems {
  return item === undefined ? NO_ITEMS : neighbourRow(table, item);
}

/**
 * Neighbours of the session's recent distinct items, each row weighted by the item's linear
 * position weight (latest = 1) and summed, best first.
 */
function sessionNeighbours(table: NeighbourTable, scratch: KnnScratch, query: readonly number[], maxItems: number): ScoredItems {
  const sum = scratch.rowSum;
  const used = new Set<number>();
  for (let p = query.length - 1; p >= 0 && used.size < maxItems; p--) {
    const item = query[p] ?? 0;
    if (used.has(item)) continue;
    used.add(item);
    const weight = (p + 1) / query.length;
    table.fill?.(item);
    for (let q = rowStart(table, item), end = rowEnd(table, item); q < end; q++) {
      addToSum(sum, table.items[q] ?? 0, weight * scoreAt(table, q));
    }
  }
  const touched = sortIdsByScore(sum.touched, sum.values);
  const scores = Float32Array.from(touched, (item) => sum.values[item] ?? 0);
  const items = Uint32Array.from(touched);
  clearSum(sum);
  return { items, scores };
}

/** Drops ids the index doesn't know, so unseen or malformed ids can't index out of range. */
export function knownItems(index: ModelIndex, recent: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let p = 0; p < recent.length; p++) {
    const item = recent[p] ?? -1;
    if (Number.isInteger(item) && item >= 0 && item < index.numItems && (index.popularity[item] ?? 0) > 0) out.push(item);
  }
  return out;
}

/**
 * Both session-kNN sources. They differ only in how many neighbours vote and how, so when they
 * sample alike one neighbour search (the costly part) serves both: the top-k of the larger list
 * is the smaller one's neighbourhood.
 */
function bothKnn(index: ModelIndex, scratch: KnnScratch, query: readonly number[], options: CandidateOptions): [KnnScores, KnnScores] {
  const { sknn, sknnNear } = options;
  if (sknn.sampleSize !== sknnNear.sampleSize || sknn.maxQueryItems !== sknnNear.maxQueryItems) {
    return [sessionKnn(index, scratch, query, sknn), sessionKnn(index, scratch, query, sknnNear)];
  }
  const k = Math.max(sknn.k, sknnNear.k);
  const hood = findNeighbours(index, scratch, query, { ...sknn, k }, voteEpochs(sknn.k) + voteEpochs(sknnNear.k));
  return [voteNeighbours(index, scratch, hood, sknn.k, sknn.neighbourDecay), voteNeighbours(index, scratch, hood, sknnNear.k, sknnNear.neighbourDecay)];
}

/** Generates a bounded candidate pool for a query of known item ids (most recent last). */
export function generateCandidates(index: ModelIndex, scratch: KnnScratch, query: readonly number[], options: CandidateOptions): CandidateSet {
  const last = query[query.length - 1];
  const prev = query.length >= 2 ? query[query.length - 2] : undefined;
  const [sknn, sknnNear] = bothKnn(index, scratch, query, options);
  const lists: Record<SourceName, ScoredItems> = {
    sknn,
    sknnNear,
    rulesLast: rowOf(index.rules, last),
    nextLast: rowOf(index.next, last),
    covisitLast: rowOf(index.covisit, last),
    rulesPrev: rowOf(index.rules, prev),
    rulesSession: sessionNeighbours(index.rules, scratch, query, options.aggregateItems),
    covisitSession: sessionNeighbours(index.covisit, scratch, query, options.aggregateItems),
  };

  const slot = scratch.poolSlot;
  const pool: number[] = [];
  const admit = (item: number): void => {
    if ((slot[item] ?? -1) >= 0) return;
    slot[item] = pool.length;
    pool.push(item);
  };
  for (let p = query.length - 1; p >= 0 && pool.length < options.sessionItems; p--) admit(query[p] ?? 0);
  for (const source of SOURCES) {
    const { items } = lists[source];
    const n = Math.min(items.length, options.perSource[source]);
    for (let r = 0; r < n; r++) admit(items[r] ?? 0);
  }

  const width = SOURCES.length;
  const scores = new Float32Array(pool.length * width);
  const ranks = new Int32Array(pool.length * width).fill(-1);
  const maxScores = new Float32Array(width);
  SOURCES.forEach((source, s) => {
    const list = lists[source];
    maxScores[s] = list.scores[0] ?? 0;
    for (let r = 0; r < list.items.length; r++) {
      const c = slot[list.items[r] ?? 0] ?? -1;
      if (c < 0) continue;
      scores[c * width + s] = list.scores[r] ?? 0;
      ranks[c * width + s] = r;
    }
  });
  const shares = (knn: KnnScores): Float32Array => {
    const out = new Float32Array(pool.length);
    for (let r = 0; r < knn.items.length; r++) {
      const c = slot[knn.items[r] ?? 0] ?? -1;
      if (c >= 0) out[c] = knn.voteShares[r] ?? 0;
    }
    return out;
  };
  const voteShares = shares(sknn);
  const nearVoteShares = shares(sknnNear);
  const { linksToLast } = options;
  const [rulesToLast, covisitWithLast] =
    last === undefined ? [new Float32Array(pool.length), new Float32Array(pool.length)] : linksToLast ? linksFromSessions(index, scratch, last, pool, linksToLast.window) : linksFromRows(index, last, pool);
  for (const item of pool) slot[item] = -1;
  return { items: Uint32Array.from(pool), scores, ranks, maxScores, voteShares, nearVoteShares, rulesToLast, covisitWithLast };
}
