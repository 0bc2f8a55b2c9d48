/**
 * The model's public face, shared by the Worker and evaluation: load an artifact once per isolate,
 * then answer queries with ranked, explained recommendations (and "bought together").
 */
import { type ArtifactBytes, type ModelArtifact, decodeArtifact } from './artifact';
import type { Ids, ModelIndex } from './types';
import { generateCandidates, knownItems } from './candidates';
import { FEATURES, type FeatureGroup, NUM_FEATURES, buildFeatures } from './features';
import { neighbourRow, positionInRow } from './rows';
import { type KnnScratch, createKnnScratch } from './scratch';
import { rankByScore } from './sort';
import { type Reranker, type Scored, createReranker, inputGradient, scoreRows, softmaxNormaliser } from './reranker';
import { FILL_DEPTH, fillTopK, popularOrder } from './popularity';
import { findItemId, isIntegerItemId, itemIdAt } from './item-ids';

/** Why an item was recommended; `because` names the viewed item it relates to, when there is one. */
export type Reason = Exclude<FeatureGroup, 'context'> | 'bought-together';

/** One ranked recommendation. */
export interface Recommendation {
  item: number;
  /** Share of the re-ranker's softmax over this request's candidates (0 for fill-ins). */
  score: number;
  /** What explains the item: the feature group that contributed most to its score ('popular' when none but popularity did, and for fill-ins). */
  reason: Reason;
  because: number | null;
  /**
   * True only for padding: a popular item appended because the model had fewer than k answers
   * (all of them for a history it does not know). False for every model pick, whatever its reason.
   */
  fill: boolean;
}

/** A decoded artifact with its per-isolate state (scratch buffers, re-ranker tensors). */
export interface LoadedModel {
  artifact: ModelArtifact;
  scratch: KnnScratch;
  reranker: Reranker;
  /** Padding (`fill: true`), in order: recently popular items. */
  popular: Ids;
  /** The model id of a shop item id, or undefined when the model does not know the item. */
  idOf(itemId: string): number | undefined;
  /** The shop item id of a model id. */
  itemIdOf(id: number): string;
  /**
   * Set on a model read from its core, its rows in shards (a published model: published.ts):
   * reads the shards holding these items' rows, each once per isolate. A decision awaits it for
   * the items it asks about before it asks; absent, every row is there already.
   */
  readRows?(items: readonly number[]): Promise<void>;
}

/** Maps shop item ids to the model's, in order, dropping items the model does not know. */
export function modelQuery(model: LoadedModel, itemIds: readonly string[]): number[] {
  const out: number[] = [];
  for (const itemId of itemIds) {
    const id = model.idOf(itemId);
    if (id !== undefined) out.push(id);
  }
  return out;
}

const EXPLAINED: ReadonlyArray<Exclude<Reason, 'popular' | 'bought-together'>> = ['similar-sessions', 'viewed-after', 'viewed-together', 'viewed-before'];
const GROUP_COLUMNS = new Map(EXPLAINED.map((g) => [g, FEATURES.flatMap((f, i) => (f.group === g ? [i] : []))]));

/** The viewed item a recommendation relates to: the most recent one whose neighbour list holds it. */
function anchorOf(index: ModelIndex, reason: Reason, item: number, query: readonly number[]): number | null {
  if (reason === 'popular' || reason === 'bought-together') return null;
  if (reason === 'viewed-before') return item;
  // Any other reason relates the item to something else the visitor viewed, never to itself.
  let lastOther: number | null = null;
  for (let p = query.length - 1; p >= 0 && lastOther === null; p--) if (query[p] !== item) lastOther = query[p] ?? null;
  if (reason === 'similar-sessions') return lastOther;
  const table = reason === 'viewed-after' ? index.rules : index.covisit;
  for (let p = query.length - 1; p >= 0; p--) {
    const viewed = query[p] ?? 0;
    if (viewed !== item && positionInRow(table, viewed, item) >= 0) return viewed;
  }
  return lastOther;
}

/** Reads an artifact in place (bytes from KV, or an already decoded one) and prepares it for requests; do this once per isolate. */
export function loadModel(source: ArtifactBytes | ModelArtifact, options: { deferPostings?: boolean } = {}): LoadedModel {
  // Rows of the rule and next-click tables are filled as decisions first read them, not all at loading.
  const artifact = source instanceof ArrayBuffer || source instanceof Uint8Array || Array.isArray(source) ? decodeArtifact(source as ArtifactBytes, { lazyRows: true, deferPostings: options.deferPostings === true }) : (source as ModelArtifact);
  const { itemIds } = artifact;
  const { numItems } = artifact.index;
  return {
    artifact,
    idOf: itemIds
      ? (itemId) => findItemId(itemIds, itemId)
      : (itemId) => {
          if (!isIntegerItemId(itemId)) return undefined;
          const id = Number(itemId);
          return id < numItems ? id : undefined;
        },
    itemIdOf: itemIds ? (id) => itemIdAt(itemIds, id) : (id) => String(id),
    scratch: createKnnScratch(artifact.index),
    reranker: createReranker(artifact.reranker),
    popular: artifact.popular ?? popularOrder(artifact.index.recentPopularity, FILL_DEPTH),
  };
}

/**
 * Builds what loading deferred (`deferPostings`: session-kNN's postings, ~15–30 ms for
 * Diginetica's 0.9 M clicks); true when there was something to build. The Worker calls it after
 * a fresh isolate's first answer, so that answer scans the sessions instead of waiting for them.
 */
export function completeModel(model: LoadedModel): boolean {
  const { index } = model.artifact;
  if (index.postingsBuilt?.() !== false) return false;
  void index.postings;
  return true;
}

/** One question to the model: a visitor's recent item ids (most recent last) and how many answers. */
export interface Query {
  recent: ArrayLike<number>;
  k: number;
}

/** One query's candidates and feature rows, placed in the decision's shared score matrix from row `start`. */
interface Prepared {
  query: number[];
  items: Uint32Array;
  features: Float32Array;
  start: number;
}

/**
 * The feature group that contributed most to a row's logit (gradient × feature, summed per group);
 * when none contributes positively the pick is explained by popularity (still a model pick, not padding).
 */
function reasonOf(model: LoadedModel, scored: Scored, features: Float32Array, row: number, at: number): Reason {
  const gradient = inputGradient(model.reranker, scored, row);
  let best: Reason = 'popular';
  let bestContribution = 0;
  for (const group of EXPLAINED) {
    let contribution = 0;
    for (const col of GROUP_COLUMNS.get(group) ?? []) contribution += (features[at + col] ?? 0) * (gradient[col] ?? 0);
    if (contribution > bestContribution) {
      bestContribution = contribution;
      best = group;
    }
  }
  return best;
}

/**
 * Top-k recommendations for each query, each with the feature group that
 * drove its score. All queries' candidates are scored in one TF.js pass (a
 * page's slots ask several questions at once); `recommend()` is the
 * one-query case, so evaluation runs exactly this code.
 */
export function recommendMany(model: LoadedModel, queries: readonly Query[]): Recommendation[][] {
  const { index, candidateOptions } = model.artifact;
  const prepared: Array<Prepared | null> = [];
  let rows = 0;
  for (const { recent, k } of queries) {
    const query = knownItems(index, recent);
    if (query.length === 0 || k <= 0) {
      prepared.push(null);
      continue;
    }
    const candidates = generateCandidates(index, model.scratch, query, candidateOptions);
    prepared.push({ query, items: candidates.items, features: buildFeatures(index, candidates, query), start: rows });
    rows += candidates.items.length;
  }
  const all = new Float32Array(rows * NUM_FEATURES);
  for (const p of prepared) if (p) all.set(p.features, p.start * NUM_FEATURES);
  const scored = scoreRows(model.reranker, all, rows);

  return queries.map(({ k }, q) => {
    const p = prepared[q];
    const out: Recommendation[] = [];
    if (p) {
      const n = p.items.length;
      const logits = scored.logits.subarray(p.start, p.start + n);
      // Ties keep candidate order, so equal logits rank the same on every run.
      const top = rankByScore(logits).subarray(0, k);
      const { max, sum } = softmaxNormaliser(logits, 0, n);
      // Explanations only for the returned items.
      for (const c of top) {
        const item = p.items[c] ?? 0;
        const reason = reasonOf(model, scored, p.features, p.start + c, c * NUM_FEATURES);
        out.push({ item, score: Math.exp((logits[c] ?? 0) - max) / sum, reason, because: anchorOf(index, reason, item, p.query), fill: false });
      }
    }
    // Padding, marked as such: popular items the model did not pick, up to k.
    const items = fillTopK(Array.from(out, (r) => r.item), model.popular, k);
    for (let i = out.length; i < items.length; i++) out.push({ item: items[i] ?? 0, score: 0, reason: 'popular', because: null, fill: true });
    return out;
  });
}

/** Top-k recommendations for a visitor's recent item ids (most recent last); see {@link recommendMany}. */
export function recommend(model: LoadedModel, recent: ArrayLike<number>, k: number): Recommendation[] {
  return recommendMany(model, [{ recent, k }])[0] ?? [];
}

/**
 * Items most often bought together with `item` (from the orders the model
 * was trained with), best first; empty when there were no orders or none
 * with this item.
 */
export function boughtTogether(model: LoadedModel, item: number, k: number): Recommendation[] {
  const table = model.artifact.copurchase;
  if (!table) return [];
  const { items, scores } = neighbourRow(table, item);
  const out: Recommendation[] = [];
  for (let q = 0; q < items.length && out.length < k; q++) {
    out.push({ item: items[q] ?? 0, score: scores[q] ?? 0, reason: 'bought-together', because: item, fill: false });
  }
  return out;
}
