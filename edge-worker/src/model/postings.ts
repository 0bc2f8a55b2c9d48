/**
 * Session-kNN's postings (per item, the sessions containing it, most recent first, capped) and
 * the other CSR offsets, rebuilt from what the artifact stores: the postings are the sessions
 * inverted, so the artifact keeps only the sessions and each isolate inverts them once, when it
 * loads the model; offsets are stored as row lengths and summed back.
 */
import type { IdRows, RowTable } from './types';
import { zeroedBuffer } from './zeroed';

/** Row offsets from row lengths: offsets[r] is where row r starts, offsets[n] the total. */
export function offsetsFromLengths(lengths: ArrayLike<number>): Uint32Array {
  // Every value is written: a zeroed buffer's pages spare only the zeroing, not the writes.
  const offsets = new Uint32Array(zeroedBuffer(4 * (lengths.length + 1)), 0, lengths.length + 1);
  let total = 0;
  for (let r = 0; r < lengths.length; r++) {
    total += lengths[r] ?? 0;
    offsets[r + 1] = total;
  }
  return offsets;
}

/** Row lengths from row offsets, in the narrowest unsigned width that holds the longest row. */
export function lengthsFromOffsets(offsets: Uint32Array): Uint8Array | Uint16Array | Uint32Array {
  const n = Math.max(0, offsets.length - 1);
  let longest = 0;
  for (let r = 0; r < n; r++) longest = Math.max(longest, (offsets[r + 1] ?? 0) - (offsets[r] ?? 0));
  const lengths = longest <= 0xff ? new Uint8Array(n) : longest <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
  for (let r = 0; r < n; r++) lengths[r] = (offsets[r + 1] ?? 0) - (offsets[r] ?? 0);
  return lengths;
}

/**
 * Per item, the ids of the sessions containing it (each session once), most recent (highest id)
 * first, at most `cap` of them: the newest, since session-kNN only ever compares the `cap` most
 * recent sessions sharing an item. With `bounds` (per item, at least how many sessions contain
 * it: the count over every training session) it takes one pass over the sessions and a compaction;
 * without, a counting pass first.
 */
export function buildPostings(sessions: IdRows, numItems: number, cap: number, bounds?: ArrayLike<number>): RowTable {
  const { offsets: starts, values } = sessions;
  const nSessions = starts.length - 1;
  // lastSeen[item] = 1 + the last session that listed it, so an item counts once per session.
  const lastSeen = new Uint32Array(numItems);
  const room = new Uint32Array(numItems);
  if (bounds) {
    for (let item = 0; item < numItems; item++) room[item] = Math.min(cap, bounds[item] ?? 0);
  } else {
    for (let s = 0; s < nSessions; s++) {
      for (let p = starts[s] ?? 0, end = starts[s + 1] ?? 0; p < end; p++) {
        const item = values[p] ?? 0;
        if (lastSeen[item] === s + 1) continue;
        lastSeen[item] = s + 1;
        if ((room[item] ?? 0) < cap) room[item] = (room[item] ?? 0) + 1;
      }
    }
    lastSeen.fill(0);
  }
  const rowStarts = offsetsFromLengths(room);
  const out = new Uint32Array(rowStarts[numItems] ?? 0);
  // Newest session first: each row fills from its start, and the cap keeps the newest.
  const filled = room.fill(0);
  for (let s = nSessions - 1; s >= 0; s--) {
    for (let p = starts[s] ?? 0, end = starts[s + 1] ?? 0; p < end; p++) {
      const item = values[p] ?? 0;
      if (lastSeen[item] === s + 1) continue;
      lastSeen[item] = s + 1;
      const at = (rowStarts[item] ?? 0) + (filled[item] ?? 0);
      if (at >= (rowStarts[item + 1] ?? 0)) continue;
      out[at] = s;
      filled[item] = (filled[item] ?? 0) + 1;
    }
  }
  if (!bounds) return { offsets: rowStarts, values: out };
  // Rows sized by a bound may have room left at their end: close the gaps, in place.
  const offsets = offsetsFromLengths(filled);
  for (let item = 0; item < numItems; item++) {
    const from = rowStarts[item] ?? 0;
    const to = offsets[item] ?? 0;
    if (from !== to) out.copyWithin(to, from, from + (filled[item] ?? 0));
  }
  return { offsets, values: out.subarray(0, offsets[numItems] ?? 0) };
}
