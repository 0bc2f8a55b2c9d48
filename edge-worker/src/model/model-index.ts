/**
 * Builds the model index from sessions in time order: postings, popularity, item age and repeat
 * rate, and the neighbour tables (sequential rules, next clicks, co-visits, co-purchases).
 */
import type { IdRows, Ids, ModelIndex, NeighbourTable, RowTable } from './types';
import { SCORE_LEVELS, packCodes, rowCount, rowEnd, rowLength, rowStart, rowValues, sliceRows } from './rows';
import { type StampSet, addOnce, addToSum, clearSum, createSparseSum, createStampSet, newRound } from './scratch';
import { sortIdsByScore } from './sort';
import { buildPostings } from './postings';

/** Knobs of the index builder; they bound artifact size and per-request work. */
export interface IndexOptions {
  /** Sessions kept per item in the postings; must be ≥ the session-kNN sample size. */
  maxPostings: number;
  /** Sequential-rule neighbours kept per item. */
  rulesPerItem: number;
  /** How many clicks ahead a sequential rule may reach. */
  ruleWindow: number;
  /** Next-click neighbours kept per item. */
  nextPerItem: number;
  /** Co-visitation neighbours kept per item. */
  covisitPerItem: number;
  /** How many of the most recent sessions count towards recent popularity. */
  recentSessions: number;
  /** How many of the most recent sessions session-kNN keeps (sessions and postings); the item tables count every session. */
  maxSessions: number;
}

/**
 * Defaults. With them the artifact's size has a bound set by the catalog and these numbers, not
 * by traffic: sessions for session-kNN ≤ maxSessions, each item's rows ≤ its caps. Validation
 * on Diginetica (the last 20,000 training sessions held out; HR@20 / MRR@20; all 186,670 kept:
 * 52.35 / 19.61, seed 8 52.36 / 19.55) chose maxSessions 200,000, which keeps every session of
 * Diginetica: keeping fewer cost more than the noise between seeds (65,535: 52.01 / 19.54, seed 8
 * 52.20 / 19.58; 100,000: 51.98 / 19.54), and so did shorter rows (rules, next, co-visits 20 / 15
 * / 20: 51.80 / 19.52 at 65,535 sessions, 51.73 / 19.46 at 100,000, 52.00 / 19.54 at 131,072).
 * Scores quantized to few levels cost nothing measurable down to 8 (every session: 256 levels
 * 52.31 / 19.54, 16 levels 52.27 / 19.57, 8 levels 52.24 / 19.59) and MRR at 4 (52.21 / 19.46), so
 * they take 4 bits (SCORE_BITS). Tried to win back what a
 * shorter sample loses, without success: boosting rare items' votes by their idf (× 1 + w·ln(S/n),
 * w 0.3 and 1: 52.06 / 19.54 and 52.02 / 19.51 at 65,535) and a feature for the share of votes
 * cast from after the matched click (52.32 / 19.53 with every session). Nor did reshaping the item
 * tables (against 52.27 / 19.57 as served, 2026-12-02, each a throwaway change to index-sql.ts):
 * each session's pairs weighted by its recency, halving every 40,000, 15,000 or 5,000 sessions
 * (52.31 / 19.59, 52.23 / 19.46, 52.27 / 19.35), and co-visits damped by the neighbour's session
 * count to the power 0.3 or 0.7 instead of cosine's 0.5 (52.26 / 19.61, 52.33 / 19.57).
 * docs/SCALE.md has the sizes.
 */
export const DEFAULT_INDEX_OPTIONS: IndexOptions = {
  maxPostings: 1000,
  rulesPerItem: 30,
  ruleWindow: 10,
  nextPerItem: 20,
  covisitPerItem: 30,
  recentSessions: 20000,
  maxSessions: 200_000,
};

/** The largest value (0 for none): the highest item id, so the index knows how many items it covers. */
function maxValue(values: Uint32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (v > max) max = v;
  }
  return max;
}

/** Calls `visit(item, s)` once for each distinct item of session s, in click order. */
function forEachDistinctItem(sessions: IdRows, s: number, distinct: StampSet, visit: (item: number, s: number) => void): void {
  newRound(distinct);
  for (let p = rowStart(sessions, s), end = rowEnd(sessions, s); p < end; p++) {
    const item = sessions.values[p] ?? 0;
    if (addOnce(distinct, item)) visit(item, s);
  }
}

/** Rounds float32 values to the nearest bfloat16 (ties to even), in place, so they store in 16 bits exactly. */
export function roundToBfloat16(values: Float32Array): Float32Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] ?? 0;
    bits[i] = ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return values;
}

/**
 * A neighbour table's scores as codes into at most SCORE_LEVELS (16) levels: that many distinct
 * values are kept exactly (small counts, for instance); more are snapped to levels spaced evenly
 * in log scale between the smallest and largest, each score to its nearest level (within a factor
 * of e^(ln(range) / 30) either way: ±26 % for a range of 1e3). Order is kept: a higher score never
 * gets a lower level. Codes come unpacked, one per byte; {@link scoreTable} packs them.
 */
export function quantizeScores(values: Float32Array): { codes: Uint8Array; levels: Float32Array } {
  const distinct = [...new Set(values)].filter((v) => v > 0).sort((a, b) => a - b);
  let levels: Float32Array;
  if (distinct.length <= SCORE_LEVELS) {
    levels = Float32Array.from(distinct.length ? distinct : [0]);
  } else {
    const low = Math.log(distinct[0]!);
    const step = (Math.log(distinct[distinct.length - 1]!) - low) / (SCORE_LEVELS - 1);
    levels = Float32Array.from({ length: SCORE_LEVELS }, (_, k) => Math.exp(low + k * step));
  }
  const codes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    // The first level at or above v, or the one below it when that is nearer (in log scale).
    let lo = 0;
    let hi = levels.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((levels[mid] ?? 0) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && v > 0 && Math.log(v / (levels[lo - 1] ?? v)) < Math.log((levels[lo] ?? v) / v)) lo--;
    codes[i] = lo;
  }
  return { codes, levels };
}

/** A neighbour table from its rows (offsets, items) and their exact scores, which it keeps quantized and packed, as stored. */
export function scoreTable(offsets: Uint32Array, items: Ids, scores: Float32Array): NeighbourTable {
  const { codes, levels } = quantizeScores(scores);
  return { offsets, items, scoreCodes: packCodes(codes), scoreLevels: levels };
}

/** Collects per-item neighbour rows, keeping the `perItem` best by score (ties: lower id first). */
export function buildNeighbours(
  numItems: number,
  perItem: number,
  accumulate: (item: number, add: (other: number, weight: number) => void) => void,
  finalize: (item: number, other: number, raw: number) => number,
): NeighbourTable {
  const sum = createSparseSum(numItems);
  const add = (other: number, weight: number): void => addToSum(sum, other, weight);
  const final = new Float64Array(numItems);
  const rowItems: Uint32Array[] = [];
  const rowScores: Float32Array[] = [];
  let total = 0;
  for (let item = 0; item < numItems; item++) {
    accumulate(item, add);
    // A zero score is no evidence (finalize may veto a pair), so it never makes a row.
    const evidence: number[] = [];
    for (const other of sum.touched) {
      const score = finalize(item, other, sum.values[other] ?? 0);
      final[other] = score;
      if (score > 0) evidence.push(other);
    }
    clearSum(sum);
    const kept = sortIdsByScore(evidence, final).slice(0, perItem);
    rowItems.push(Uint32Array.from(kept));
    rowScores.push(Float32Array.from(kept, (other) => final[other] ?? 0));
    total += kept.length;
  }
  const offsets = new Uint32Array(numItems + 1);
  const items = new Uint32Array(total);
  const scores = new Float32Array(total);
  for (let item = 0; item < numItems; item++) {
    const start = offsets[item] ?? 0;
    const row = rowItems[item] ?? new Uint32Array(0);
    items.set(row, start);
    scores.set(rowScores[item] ?? new Float32Array(0), start);
    offsets[item + 1] = start + row.length;
  }
  // Scores are kept quantized, as stored, so training and serving see the same values.
  return scoreTable(offsets, items, scores);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * What a sequential rule's 1/distance weights are counted in: units of 1/lcm(1..window), so each
 * weight is an integer and their sums are exact whatever order they are added in (the JS builder
 * and the DuckDB one add them in different orders, and equal sums must tie, lower id first). Past
 * 2^32 (windows over 30) an integer sum could lose precision: the weights are then plain 1/distance.
 *
 * @example
 * ruleWeightScale(10); // 2520: a click 3 ahead weighs 840 units, 1/3
 */
export function ruleWeightScale(window: number): number {
  let lcm = 1;
  for (let d = 2; d <= window; d++) lcm = (lcm * d) / gcd(lcm, d);
  return lcm <= 2 ** 32 ? lcm : 1;
}

/** Builds every table the candidate sources and baselines read, from sessions in time order. */
export function buildModelIndex(sessions: RowTable, options: IndexOptions = DEFAULT_INDEX_OPTIONS): ModelIndex {
  const numItems = maxValue(sessions.values) + 1;
  const nSessions = rowCount(sessions);
  const full = buildPostings(sessions, numItems, Infinity);
  const postings = buildPostings(sessions, numItems, options.maxPostings);

  const popularity = new Float32Array(numItems);
  const recentPopularity = new Float32Array(numItems);
  const recentFrom = rowStart(sessions, Math.max(0, nSessions - options.recentSessions));
  for (let p = 0; p < sessions.values.length; p++) {
    const item = sessions.values[p] ?? 0;
    popularity[item] = (popularity[item] ?? 0) + 1;
    if (p >= recentFrom) recentPopularity[item] = (recentPopularity[item] ?? 0) + 1;
  }

  const forEachSessionOf = (item: number, visit: (s: number) => void): void => {
    for (let q = rowStart(full, item), end = rowEnd(full, item); q < end; q++) visit(full.values[q] ?? 0);
  };

  const ruleScale = ruleWeightScale(options.ruleWindow);
  const rules = buildNeighbours(
    numItems,
    options.rulesPerItem,
    (item, add) =>
      forEachSessionOf(item, (s) => {
        const end = rowEnd(sessions, s);
        for (let p = rowStart(sessions, s); p < end; p++) {
          if (sessions.values[p] !== item) continue;
          const last = Math.min(end, p + 1 + options.ruleWindow);
          for (let q = p + 1; q < last; q++) {
            const next = sessions.values[q] ?? 0;
            if (next !== item) add(next, ruleScale / (q - p));
          }
        }
      }),
    (_item, _other, raw) => raw / ruleScale,
  );

  const next = buildNeighbours(
    numItems,
    options.nextPerItem,
    (item, add) =>
      forEachSessionOf(item, (s) => {
        const end = rowEnd(sessions, s);
        for (let p = rowStart(sessions, s); p + 1 < end; p++) {
          const following = sessions.values[p + 1] ?? 0;
          if (sessions.values[p] === item && following !== item) add(following, 1);
        }
      }),
    (_item, _other, raw) => raw,
  );

  const sessionCount = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) sessionCount[i] = rowLength(full, i);
  const repeatRate = Float32Array.from(popularity, (clicks, i) => (clicks > 0 ? (clicks - (sessionCount[i] ?? 0)) / clicks : 0));
  const distinct = createStampSet(numItems);
  const covisit = buildNeighbours(
    numItems,
    options.covisitPerItem,
    (item, add) => {
      const addOther = (other: number): void => {
        if (other !== item) add(other, 1);
      };
      forEachSessionOf(item, (s) => forEachDistinctItem(sessions, s, distinct, addOther));
    },
    (item, other, raw) => raw / Math.sqrt((sessionCount[item] ?? 1) * (sessionCount[other] ?? 1)),
  );

  // Postings run newest first, so a full row's last entry is the item's first session.
  const age = roundToBfloat16(
    Float32Array.from({ length: numItems }, (_, i) => {
      const end = rowEnd(full, i);
      return end > rowStart(full, i) ? 1 - (full.values[end - 1] ?? 0) / Math.max(1, nSessions) : 0;
    }),
  );
  return keepRecentSessions({ numItems, sessions, postings, popularity, recentPopularity, repeatRate, age, rules, next, covisit }, options);
}

/** The index with session-kNN's sessions cut to the most recent `maxSessions` (postings rebuilt over them); the item tables stay. */
export function keepRecentSessions(index: ModelIndex, options: Pick<IndexOptions, 'maxSessions' | 'maxPostings'>): ModelIndex {
  const n = rowCount(index.sessions);
  if (n <= options.maxSessions) return index;
  const kept = sliceRows(index.sessions, n - options.maxSessions, n);
  return { ...index, sessions: kept, postings: buildPostings(kept, index.numItems, options.maxPostings) };
}

/**
 * Items bought together: for each item, the items most often in the same
 * order (basket), scored by cosine similarity of the items' order sets, so
 * a best-seller in every basket does not top every row. Needs two orders
 * that share the pair; one coincidence is not a pattern.
 */
export function buildCopurchase(baskets: RowTable, numItems: number, perItem: number): NeighbourTable {
  const orders: number[][] = Array.from({ length: numItems }, () => []);
  const distinct: Uint32Array[] = [];
  for (let b = 0; b < rowCount(baskets); b++) {
    const items = [...new Set(rowValues(baskets, b))].filter((i) => i < numItems);
    distinct.push(Uint32Array.from(items));
    for (const item of items) orders[item]?.push(b);
  }
  return buildNeighbours(
    numItems,
    perItem,
    (item, add) => {
      for (const b of orders[item] ?? []) for (const other of distinct[b] ?? []) if (other !== item) add(other, 1);
    },
    (item, other, together) => (together < 2 ? 0 : together / Math.sqrt((orders[item]?.length ?? 1) * (orders[other]?.length ?? 1))),
  );
}
