/**
 * The model's data shapes: CSR tables of ids and of scored neighbours, scored item lists, and the
 * index every candidate source reads.
 */

/**
 * Ids as an artifact stores them: 16 bits when every id fits, else 32. The Worker reads them in
 * place, as views over the fetched bytes, so a table's width is whatever its artifact chose.
 */
export type Ids = Uint16Array | Uint32Array;

/** Rows of item ids in compressed-sparse-row form: row r is `values[offsets[r] .. offsets[r + 1])`. */
export interface RowTable {
  offsets: Uint32Array;
  values: Uint32Array;
}

/** A RowTable as the index keeps it: ids of whatever width its artifact stored. */
export interface IdRows {
  offsets: Uint32Array;
  values: Ids;
}

/**
 * Top-N neighbour lists per item in CSR form; each row is ordered by score, highest first.
 * Scores take SCORE_BITS (4) each, as the artifact stores them: a code into the table's levels
 * (`quantizeScores`); `scoreAt` (rows.ts) reads one.
 */
export interface NeighbourTable {
  offsets: Uint32Array;
  items: Ids;
  /** Per entry, a code into scoreLevels, packed (`scoreCode` in rows.ts reads one). */
  scoreCodes: Uint8Array;
  /** The score each code stands for, ascending (at most SCORE_LEVELS). */
  scoreLevels: Float32Array;
  /**
   * Set on a table whose rows a loaded model fills on first use (`decodeArtifact` with `lazyRows`):
   * makes row r readable. Whatever reads a row of a neighbour table calls it first (rows.ts).
   */
  fill?: (r: number) => void;
}

/** Items with scores, best first (one candidate source's answer, or one row of a NeighbourTable). */
export interface ScoredItems {
  items: Ids;
  scores: Float32Array;
}

/**
 * Everything the candidate sources need at request time, as typed arrays so it can be
 * stored in one binary artifact and read without parsing.
 */
export interface ModelIndex {
  /** Item ids are integers in [0, numItems). */
  numItems: number;
  /** The most recent training sessions (at most `maxSessions`), in time order, items in click order. */
  sessions: IdRows;
  /** Per item, the ids of the kept sessions containing it, most recent first, capped. */
  postings: IdRows;
  /**
   * Set on the index of a model loaded with its postings deferred (`decodeArtifact` with
   * `deferPostings`): false until they are built, which reading `postings` does. Until then
   * session-kNN finds its sample in the sessions instead (sknn.ts), with the same answer.
   */
  postingsBuilt?: () => boolean;
  /** With `postingsBuilt`: the most sessions an item's postings keep (what finding them in the sessions must honour). */
  postingsCap?: number;
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
