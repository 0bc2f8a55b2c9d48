/**
 * The published baselines the served model is measured against (POP, S-POP, Item-kNN, V-SKNN),
 * as evaluation recommenders over the same index.
 */
import type { ModelIndex } from './types';
import { neighbourRow } from './rows';
import { createKnnScratch } from './scratch';
import { sessionKnn } from './sknn';
import { fillTopK, popularOrder } from './popularity';

/** A recommender for evaluation: prefix (most recent item last) and k → top-k item ids. */
export type Recommender = (prefix: ArrayLike<number>, k: number) => Uint32Array;

/** V-SKNN settings of the published reproduction: k=100 neighbours out of the 1000 most recent sessions. */
export const VSKNN_OPTIONS = { k: 100, sampleSize: 1000, maxQueryItems: Number.MAX_SAFE_INTEGER, neighbourDecay: 0 };

/** POP: the globally most clicked items, whatever the session. */
export function createPop(index: ModelIndex, maxK = 100): Recommender {
  const order = popularOrder(index.popularity, maxK);
  return (_prefix, k) => order.slice(0, k);
}

/** S-POP: the session's own items by how often it clicked them (ties: global popularity), then POP. */
export function createSessionPop(index: ModelIndex, maxK = 100): Recommender {
  const order = popularOrder(index.popularity, maxK);
  return (prefix, k) => {
    const counts = new Map<number, number>();
    for (let p = 0; p < prefix.length; p++) {
      const item = prefix[p] ?? 0;
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    const own = [...counts.keys()].sort(
      (a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (index.popularity[b] ?? 0) - (index.popularity[a] ?? 0) || a - b,
    );
    return fillTopK(own, order, k);
  };
}

/** Item-kNN: items most cosine-similar (session co-occurrence) to the last clicked item, then POP. */
export function createItemKnn(index: ModelIndex, maxK = 100): Recommender {
  const order = popularOrder(index.popularity, maxK);
  return (prefix, k) => {
    const last = prefix[prefix.length - 1] ?? -1;
    if (last < 0 || last >= index.numItems) return order.slice(0, k);
    return fillTopK(neighbourRow(index.covisit, last).items, order, k);
  };
}

/** V-SKNN: session-kNN with linear position decay over the query, then POP. */
export function createVsknn(index: ModelIndex, maxK = 100): Recommender {
  const order = popularOrder(index.popularity, maxK);
  const scratch = createKnnScratch(index);
  return (prefix, k) => fillTopK(sessionKnn(index, scratch, prefix, VSKNN_OPTIONS).items, order, k);
}
