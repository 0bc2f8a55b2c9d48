/**
 * The model's data shapes: CSR tables of ids and of scored neighbours, scored item lists, and the
 * index every candidate source reads.
 */

/** Rows of item ids in compressed-sparse-row form: row r is `values[offsets[r] .. offsets[r + 1])`. */
export interface RowTable {
  offsets: Uint32Array;
  values: Uint32Array;
}

/** Top-N neighbour lists per item in CSR form; each row is ordered by score, highest first. */
export interface NeighbourTable {
  offsets: Uint32Array;
  items: Uint32Array;
  scores: Float32Array;
}

/** Items with scores, best first (one candidate source's answer, or one row of a NeighbourTable). */
export interface ScoredItems {
  items: Uint32Array;
  scores: Float32Array;
}

/**
 * Everything the candidate sources need at request time, as typed arrays so it can be
 * stored in one binary artifact and read without parsing.
 */
export interface ModelIndex {
  /** Item ids are integers in [0, numItems). */
  numItems: number;
  /** Training sessions in time order, items in click order. */
  sessions: RowTable;
  /** Per item, the ids of the sessions containing it, most recent first, capped. */
  postings: RowTable;
  /** Clicks per item over all indexed sessions. */
  popularity: Float32Array;
  /** Clicks per item over the most recent indexed sessions only (captures trends). */
  recentPopularity: Float32Array;
  /** Per item, the share of its clicks that were re-clicks within a session (how "revisitable" it is). */
  repeatRate: Float32Array;
  /** Per item, how far back in the indexed timeline it first appeared: 1 = in the first session, near 0 = new. */
  age: Float32Array;
  /** Sequential rules: item a → items clicked after a in the same session, distance-weighted. */
  rules: NeighbourTable;
  /** Next clicks: item a → the items clicked right after a, by how often (a sharper, first-order view of `rules`). */
  next: NeighbourTable;
  /** Item-to-item cosine similarity of session co-occurrence. */
  covisit: NeighbourTable;
}
