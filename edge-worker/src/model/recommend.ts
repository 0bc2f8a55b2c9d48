import { type ModelArtifact, decodeArtifact } from './artifact';
import type { ModelIndex, NeighbourTable } from './types';
import { generateCandidates, knownItems } from './candidates';
import { FEATURES, type FeatureGroup, NUM_FEATURES, buildFeatures } from './features';
import { type KnnScratch, createKnnScratch, sortByScore } from './sknn';
import { type Reranker, createReranker, scoreRows } from './reranker';
import { popularOrder } from './popularity';

/** Why an item was recommended; `because` names the viewed item it relates to, when there is one. */
export type Reason = Exclude<FeatureGroup, 'context'>;

/** One ranked recommendation. */
export interface Recommendation {
  item: number;
  /** Share of the re-ranker's softmax over this request's candidates (0 for popularity fill-ins). */
  score: number;
  reason: Reason;
  because: number | null;
}

/** A decoded artifact with its per-isolate state (scratch buffers, re-ranker tensors). */
export interface LoadedModel {
  artifact: ModelArtifact;
  scratch: KnnScratch;
  reranker: Reranker;
  /** Fill-ins when a visitor has no usable history: recently popular items. */
  popular: Uint32Array;
}

const EXPLAINED: ReadonlyArray<Exclude<Reason, 'popular'>> = ['similar-sessions', 'viewed-after', 'viewed-together', 'viewed-before'];
const GROUP_COLUMNS = new Map(EXPLAINED.map((g) => [g, FEATURES.flatMap((f, i) => (f.group === g ? [i] : []))]));
const FILL_DEPTH = 200;

function inRow(table: NeighbourTable, from: number, item: number): boolean {
  for (let q = table.offsets[from] ?? 0; q < (table.offsets[from + 1] ?? 0); q++) if (table.items[q] === item) return true;
  return false;
}

/** The viewed item a recommendation relates to: the most recent one whose neighbour list holds it. */
function anchorOf(index: ModelIndex, reason: Reason, item: number, query: readonly number[]): number | null {
  if (reason === 'popular') return null;
  if (reason === 'viewed-before') return item;
  const last = query[query.length - 1] ?? null;
  if (reason === 'similar-sessions') return last;
  const table = reason === 'viewed-after' ? index.rules : index.covisit;
  for (let p = query.length - 1; p >= 0; p--) {
    const viewed = query[p] ?? 0;
    if (inRow(table, viewed, item)) return viewed;
  }
  return last;
}

/** Decodes an artifact (bytes from KV, or an already decoded one) and prepares it for requests; do this once per isolate. */
export function loadModel(source: ArrayBuffer | Uint8Array | ModelArtifact): LoadedModel {
  const artifact = source instanceof ArrayBuffer || source instanceof Uint8Array ? decodeArtifact(source) : source;
  return {
    artifact,
    scratch: createKnnScratch(artifact.index),
    reranker: createReranker(artifact.reranker),
    popular: popularOrder(artifact.index.recentPopularity, FILL_DEPTH),
  };
}

/**
 * Top-k recommendations for a visitor's recent item ids (most recent last), each with the
 * feature group that drove its score: the drop in the re-ranker's logit when that group's
 * features are blanked out (largest drop wins; no positive drop means plain popularity).
 */
export function recommend(model: LoadedModel, recent: ArrayLike<number>, k: number): Recommendation[] {
  const { index, candidateOptions } = model.artifact;
  const query = knownItems(index, recent);
  const out: Recommendation[] = [];
  if (query.length > 0 && k > 0) {
    const candidates = generateCandidates(index, model.scratch, query, candidateOptions);
    const n = candidates.items.length;
    const features = buildFeatures(index, candidates, query);
    const logits = scoreRows(model.reranker, features, n);
    // Ties keep candidate order, so equal logits rank the same on every run.
    const top = sortByScore(Array.from({ length: n }, (_, c) => c), (c) => logits[c] ?? 0, true, n).subarray(0, k);
    let max = -Infinity;
    for (let c = 0; c < n; c++) max = Math.max(max, logits[c] ?? 0);
    let z = 0;
    for (let c = 0; c < n; c++) z += Math.exp((logits[c] ?? 0) - max);

    // Explanations only for the returned items: one batched pass over copies of their rows, each
    // with one group blanked. A group that is all zeros already can't lower the logit, so it gets no copy.
    const occluded = new Float32Array(top.length * EXPLAINED.length * NUM_FEATURES);
    const blankedOf: Array<{ t: number; group: Exclude<Reason, 'popular'> }> = [];
    top.forEach((c, t) => {
      const row = features.subarray(c * NUM_FEATURES, (c + 1) * NUM_FEATURES);
      for (const group of EXPLAINED) {
        const cols = GROUP_COLUMNS.get(group) ?? [];
        if (cols.every((col) => row[col] === 0)) continue;
        const at = blankedOf.length * NUM_FEATURES;
        occluded.set(row, at);
        for (const col of cols) occluded[at + col] = 0;
        blankedOf.push({ t, group });
      }
    });
    const blanked = scoreRows(model.reranker, occluded, blankedOf.length);
    const reasons: Reason[] = Array.from(top, () => 'popular');
    const bestDrops = new Float64Array(top.length);
    blankedOf.forEach(({ t, group }, r) => {
      const drop = (logits[top[t] ?? 0] ?? 0) - (blanked[r] ?? 0);
      if (drop > (bestDrops[t] ?? 0)) {
        bestDrops[t] = drop;
        reasons[t] = group;
      }
    });

    top.forEach((c, t) => {
      const item = candidates.items[c] ?? 0;
      const logit = logits[c] ?? 0;
      const reason = reasons[t] ?? 'popular';
      out.push({ item, score: Math.exp(logit - max) / z, reason, because: anchorOf(index, reason, item, query) });
    });
  }
  const taken = new Set(out.map((r) => r.item));
  for (let i = 0; i < model.popular.length && out.length < k; i++) {
    const item = model.popular[i] ?? 0;
    if (taken.has(item)) continue;
    taken.add(item);
    out.push({ item, score: 0, reason: 'popular', because: null });
  }
  return out;
}
