import type { ModelIndex, NeighbourTable, RowTable } from './types';

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
}

/** Defaults; on full Diginetica they give a ~12 MB artifact (under the 25 MiB KV value limit). */
export const DEFAULT_INDEX_OPTIONS: IndexOptions = {
  maxPostings: 1000,
  rulesPerItem: 30,
  ruleWindow: 10,
  nextPerItem: 20,
  covisitPerItem: 30,
  recentSessions: 20000,
};

/** Number of rows in a CSR table. */
export function rowCount(table: { offsets: Uint32Array }): number {
  return table.offsets.length - 1;
}

/** Builds a CSR table from plain arrays of ids. */
export function rowTableFromArrays(rows: ReadonlyArray<ArrayLike<number>>): RowTable {
  const offsets = new Uint32Array(rows.length + 1);
  let total = 0;
  rows.forEach((row, r) => {
    total += row.length;
    offsets[r + 1] = total;
  });
  const values = new Uint32Array(total);
  rows.forEach((row, r) => values.set(Array.from(row), offsets[r] ?? 0));
  return { offsets, values };
}

/** Keeps only rows [from, to) of a CSR table (the values are copied, offsets rebased). */
export function sliceRows(table: RowTable, from: number, to: number): RowTable {
  const start = table.offsets[from] ?? 0;
  const end = table.offsets[to] ?? start;
  const offsets = new Uint32Array(to - from + 1);
  for (let r = from; r <= to; r++) offsets[r - from] = (table.offsets[r] ?? end) - start;
  return { offsets, values: table.values.slice(start, end) };
}

function maxValue(values: Uint32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (v > max) max = v;
  }
  return max;
}

/** Sessions containing each item (deduplicated), most recent first; all of them when cap is Infinity. */
function buildPostings(sessions: RowTable, numItems: number, cap: number): RowTable {
  const nSessions = rowCount(sessions);
  const counts = new Uint32Array(numItems);
  const stamp = new Int32Array(numItems).fill(-1);
  for (let s = 0; s < nSessions; s++) {
    for (let p = sessions.offsets[s] ?? 0; p < (sessions.offsets[s + 1] ?? 0); p++) {
      const item = sessions.values[p] ?? 0;
      if (stamp[item] === s) continue;
      stamp[item] = s;
      counts[item] = (counts[item] ?? 0) + 1;
    }
  }
  const offsets = new Uint32Array(numItems + 1);
  for (let i = 0; i < numItems; i++) offsets[i + 1] = (offsets[i] ?? 0) + Math.min(counts[i] ?? 0, cap);
  const values = new Uint32Array(offsets[numItems] ?? 0);
  const fill = new Uint32Array(numItems);
  stamp.fill(-1);
  // Walk sessions newest first so each row comes out most-recent-first and the cap keeps the newest.
  for (let s = nSessions - 1; s >= 0; s--) {
    for (let p = sessions.offsets[s] ?? 0; p < (sessions.offsets[s + 1] ?? 0); p++) {
      const item = sessions.values[p] ?? 0;
      if (stamp[item] === s) continue;
      stamp[item] = s;
      const used = fill[item] ?? 0;
      const rowLen = (offsets[item + 1] ?? 0) - (offsets[item] ?? 0);
      if (used >= rowLen) continue;
      values[(offsets[item] ?? 0) + used] = s;
      fill[item] = used + 1;
    }
  }
  return { offsets, values };
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

/** Collects per-item neighbour rows, keeping the `perItem` best by score (ties: lower id first). */
export function buildNeighbours(
  numItems: number,
  perItem: number,
  accumulate: (item: number, add: (other: number, weight: number) => void) => void,
  finalize: (item: number, other: number, raw: number) => number,
): NeighbourTable {
  const acc = new Float64Array(numItems);
  const touched: number[] = [];
  const rowItems: Uint32Array[] = [];
  const rowScores: Float32Array[] = [];
  const add = (other: number, weight: number): void => {
    if (acc[other] === 0) touched.push(other);
    acc[other] = (acc[other] ?? 0) + weight;
  };
  let total = 0;
  for (let item = 0; item < numItems; item++) {
    touched.length = 0;
    accumulate(item, add);
    const scored = touched.map((other) => ({ other, score: finalize(item, other, acc[other] ?? 0) }));
    for (const other of touched) acc[other] = 0;
    scored.sort((a, b) => b.score - a.score || a.other - b.other);
    // A zero score is no evidence (finalize may veto a pair), so it never makes a row.
    const kept = scored.filter((k) => k.score > 0).slice(0, perItem);
    rowItems.push(Uint32Array.from(kept, (k) => k.other));
    rowScores.push(Float32Array.from(kept, (k) => k.score));
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
  // Scores are stored as bfloat16; rounding here means training and serving see the stored values.
  return { offsets, items, scores: roundToBfloat16(scores) };
}

/** Builds every table the candidate sources and baselines read, from sessions in time order. */
export function buildModelIndex(sessions: RowTable, options: IndexOptions = DEFAULT_INDEX_OPTIONS): ModelIndex {
  const numItems = maxValue(sessions.values) + 1;
  const nSessions = rowCount(sessions);
  const full = buildPostings(sessions, numItems, Infinity);
  const postings = buildPostings(sessions, numItems, options.maxPostings);

  const popularity = new Float32Array(numItems);
  const recentPopularity = new Float32Array(numItems);
  const recentFrom = sessions.offsets[Math.max(0, nSessions - options.recentSessions)] ?? 0;
  for (let p = 0; p < sessions.values.length; p++) {
    const item = sessions.values[p] ?? 0;
    popularity[item] = (popularity[item] ?? 0) + 1;
    if (p >= recentFrom) recentPopularity[item] = (recentPopularity[item] ?? 0) + 1;
  }

  const forEachSessionOf = (item: number, visit: (start: number, end: number) => void): void => {
    for (let q = full.offsets[item] ?? 0; q < (full.offsets[item + 1] ?? 0); q++) {
      const s = full.values[q] ?? 0;
      visit(sessions.offsets[s] ?? 0, sessions.offsets[s + 1] ?? 0);
    }
  };

  const rules = buildNeighbours(
    numItems,
    options.rulesPerItem,
    (item, add) =>
      forEachSessionOf(item, (start, end) => {
        for (let p = start; p < end; p++) {
          if (sessions.values[p] !== item) continue;
          const last = Math.min(end, p + 1 + options.ruleWindow);
          for (let q = p + 1; q < last; q++) {
            const next = sessions.values[q] ?? 0;
            if (next !== item) add(next, 1 / (q - p));
          }
        }
      }),
    (_item, _other, raw) => raw,
  );

  const next = buildNeighbours(
    numItems,
    options.nextPerItem,
    (item, add) =>
      forEachSessionOf(item, (start, end) => {
        for (let p = start; p + 1 < end; p++) {
          const following = sessions.values[p + 1] ?? 0;
          if (sessions.values[p] === item && following !== item) add(following, 1);
        }
      }),
    (_item, _other, raw) => raw,
  );

  const sessionCount = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) sessionCount[i] = (full.offsets[i + 1] ?? 0) - (full.offsets[i] ?? 0);
  const repeatRate = Float32Array.from(popularity, (clicks, i) => (clicks > 0 ? (clicks - (sessionCount[i] ?? 0)) / clicks : 0));
  const seen = new Uint32Array(numItems);
  let visit = 0;
  const covisit = buildNeighbours(
    numItems,
    options.covisitPerItem,
    (item, add) =>
      forEachSessionOf(item, (start, end) => {
        visit++;
        seen[item] = visit;
        for (let p = start; p < end; p++) {
          const other = sessions.values[p] ?? 0;
          if (seen[other] === visit) continue;
          seen[other] = visit;
          add(other, 1);
        }
      }),
    (item, other, raw) => raw / Math.sqrt((sessionCount[item] ?? 1) * (sessionCount[other] ?? 1)),
  );

  // Postings run newest first, so a full row's last entry is the item's first session.
  const age = roundToBfloat16(
    Float32Array.from({ length: numItems }, (_, i) => {
      const end = full.offsets[i + 1] ?? 0;
      return end > (full.offsets[i] ?? 0) ? 1 - (full.values[end - 1] ?? 0) / Math.max(1, nSessions) : 0;
    }),
  );
  return { numItems, sessions, postings, popularity, recentPopularity, repeatRate, age, rules, next, covisit };
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
  for (let b = 0; b + 1 < baskets.offsets.length; b++) {
    const items = [...new Set(baskets.values.subarray(baskets.offsets[b] ?? 0, baskets.offsets[b + 1] ?? 0))].filter((i) => i < numItems);
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
