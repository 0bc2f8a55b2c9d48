/**
 * The walking skeleton's scorer: a linear model over item features
 * (category one-hot, popularity, rating) against a visitor vector built from
 * the profile's category interests. One TF.js matMul scores the whole pool.
 */
import type { Catalog } from '../catalog/catalog';
import { tf } from './tf';

/** Published artifact: a named, versioned set of weights. */
export interface AffinityModel {
  name: 'affinity';
  version: string;
  weights: {
    /** Weight of the visitor's interest in the item's category. */
    interest: number;
    /** Weight of the category of the product being looked at now. */
    context: number;
    popularity: number;
    rating: number;
  };
}

/**
 * The walking skeleton's weights: interest in a category counts most, the
 * product on screen next, then popularity and rating. Hand-set, not trained;
 * the trained model replaces it.
 */
export const SKELETON_MODEL: AffinityModel = {
  name: 'affinity',
  version: 'skeleton-1',
  weights: { interest: 3, context: 2, popularity: 0.5, rating: 0.2 },
};

/** KV key holding the active model version; the artifact itself is under `model:<version>`. */
export const ACTIVE_MODEL_KEY = 'model:active';

function isModel(x: unknown): x is AffinityModel {
  const m = x as AffinityModel;
  const w = m?.weights;
  return (
    m?.name === 'affinity' &&
    typeof m.version === 'string' &&
    [w?.interest, w?.context, w?.popularity, w?.rating].every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

/** Checks a parsed artifact; throws a `TypeError` saying what is wrong. */
export function buildModel(raw: unknown): AffinityModel {
  if (!isModel(raw)) throw new TypeError('model artifact does not match the affinity model format');
  return raw;
}

const matrices = new WeakMap<Catalog, tf.Tensor2D>();

/**
 * Item features (one column per category, then popularity and rating) are
 * fixed per catalog snapshot: built once per isolate, reused by every request.
 */
function itemMatrix(catalog: Catalog): tf.Tensor2D {
  const cached = matrices.get(catalog);
  if (cached) return cached;
  const c = catalog.categories.length;
  const width = c + 2;
  const data = new Float32Array(catalog.items.length * width);
  const maxPop = Math.log1p(Math.max(1, ...catalog.items.map((i) => i.popularity)));
  catalog.items.forEach((item, row) => {
    data[row * width + catalog.categories.indexOf(item.category)] = 1;
    data[row * width + c] = Math.log1p(item.popularity) / maxPop;
    data[row * width + c + 1] = item.rating / 5;
  });
  const features = tf.keep(tf.tensor2d(data, [catalog.items.length, width]));
  matrices.set(catalog, features);
  return features;
}

/** What the scorer knows about the visitor and the page. */
export interface ScoringInput {
  /** Category → interest share (sums to 1, or empty for a new visitor). */
  interests: ReadonlyMap<string, number>;
  /** Category of the product on the current page, if any. */
  contextCategory?: string;
}

/** Scores and the share of each score that came from the visitor's interests. */
export interface Scores {
  score: Float32Array;
  personal: Float32Array;
}

/** Scores every catalog item for one visitor with a single matrix-vector product. */
export function scoreAll(catalog: Catalog, model: AffinityModel, input: ScoringInput): Scores {
  const features = itemMatrix(catalog);
  const w = model.weights;
  const c = catalog.categories.length;
  const visitor = new Float32Array(c + 2);
  catalog.categories.forEach((cat, j) => {
    visitor[j] = w.interest * (input.interests.get(cat) ?? 0) + (cat === input.contextCategory ? w.context : 0);
  });
  visitor[c] = w.popularity;
  visitor[c + 1] = w.rating;
  const score = tf.tidy(() => tf.matMul(features, tf.tensor2d(visitor, [c + 2, 1])).dataSync() as Float32Array);
  const personal = new Float32Array(score.length);
  catalog.items.forEach((item, i) => {
    personal[i] = w.interest * (input.interests.get(item.category) ?? 0);
  });
  return { score, personal };
}
