/**
 * The re-ranker's feature pipeline: the columns, their explanation groups, and the one function
 * that computes them, shared by training, evaluation and the Worker so they cannot drift apart.
 */
import type { ModelIndex } from './types';
import { type CandidateOptions, type CandidateSet, SOURCES, type SourceName } from './candidates';

/** What a feature says about a candidate; used to explain a recommendation. */
export type FeatureGroup = 'similar-sessions' | 'viewed-after' | 'viewed-together' | 'viewed-before' | 'popular' | 'context';

const SOURCE_GROUP: Record<SourceName, FeatureGroup> = {
  sknn: 'similar-sessions',
  sknnNear: 'similar-sessions',
  rulesLast: 'viewed-after',
  nextLast: 'viewed-after',
  covisitLast: 'viewed-together',
  rulesPrev: 'viewed-after',
  rulesSession: 'viewed-after',
  covisitSession: 'viewed-together',
};

/** Feature names and groups, in column order. */
export const FEATURES: ReadonlyArray<{ name: string; group: FeatureGroup }> = [
  ...SOURCES.flatMap((source) => [
    { name: `${source}.relative`, group: SOURCE_GROUP[source] },
    { name: `${source}.reciprocalRank`, group: SOURCE_GROUP[source] },
    { name: `${source}.logScore`, group: SOURCE_GROUP[source] },
  ]),
  { name: 'sknn.voteShare', group: 'similar-sessions' },
  { name: 'sknnNear.voteShare', group: 'similar-sessions' },
  { name: 'rulesToLast.logScore', group: 'viewed-after' },
  { name: 'covisitWithLast.cosine', group: 'viewed-together' },
  { name: 'session.contains', group: 'viewed-before' },
  { name: 'session.logCount', group: 'viewed-before' },
  { name: 'session.recency', group: 'viewed-before' },
  { name: 'session.isLast', group: 'viewed-before' },
  { name: 'popularity.log', group: 'popular' },
  { name: 'popularity.recentLog', group: 'popular' },
  { name: 'item.repeatRate', group: 'context' },
  { name: 'item.age', group: 'context' },
  { name: 'last.logPopularity', group: 'context' },
  { name: 'last.repeated', group: 'context' },
  { name: 'query.logLength', group: 'context' },
  { name: 'query.logDistinct', group: 'context' },
];

/** Number of feature columns. */
export const NUM_FEATURES = FEATURES.length;

/** What the two links back to the last item were called when they were read from the candidate's rows (models without `linksToLast`). */
const ROW_LINK_NAMES: Readonly<Record<string, string>> = {
  'rulesToLast.logScore': 'rulesBackToLast.logScore',
  'covisitWithLast.cosine': 'covisitBackToLast.score',
};

/** The feature names a model trained with these candidate options was trained on (its artifact lists them). */
export function featureNames(options: CandidateOptions): string[] {
  return FEATURES.map(({ name }) => (options.linksToLast ? name : (ROW_LINK_NAMES[name] ?? name)));
}

/**
 * Row-major feature matrix (candidates × NUM_FEATURES) for a query of known items (most recent
 * last). Training, evaluation and serving all call this, so the re-ranker sees one distribution.
 */
export function buildFeatures(index: ModelIndex, candidates: CandidateSet, query: readonly number[]): Float32Array {
  const n = candidates.items.length;
  const width = SOURCES.length;
  const out = new Float32Array(n * NUM_FEATURES);
  const len = query.length;
  const count = new Map<number, number>();
  const lastPos = new Map<number, number>();
  query.forEach((item, p) => {
    count.set(item, (count.get(item) ?? 0) + 1);
    lastPos.set(item, p);
  });
  const last = query[len - 1] ?? -1;
  const logLength = Math.log1p(len);
  const logDistinct = Math.log1p(count.size);
  // What the query's last item is like tells the re-ranker how far to trust each source.
  const lastLogPopularity = last >= 0 ? Math.log1p(index.popularity[last] ?? 0) : 0;
  const lastRepeated = (count.get(last) ?? 0) > 1 ? 1 : 0;

  for (let c = 0; c < n; c++) {
    const item = candidates.items[c] ?? 0;
    let f = c * NUM_FEATURES;
    for (let s = 0; s < width; s++) {
      const rank = candidates.ranks[c * width + s] ?? -1;
      // Most candidates come from few sources; an absent one's three columns stay 0.
      if (rank < 0) {
        f += 3;
        continue;
      }
      const score = candidates.scores[c * width + s] ?? 0;
      const max = candidates.maxScores[s] ?? 0;
      out[f++] = max > 0 ? score / max : 0;
      out[f++] = rank >= 0 ? 1 / (1 + rank) : 0;
      out[f++] = Math.log1p(score);
    }
    out[f++] = candidates.voteShares[c] ?? 0;
    out[f++] = candidates.nearVoteShares[c] ?? 0;
    out[f++] = Math.log1p(candidates.rulesToLast[c] ?? 0);
    out[f++] = candidates.covisitWithLast[c] ?? 0;
    const seen = count.get(item) ?? 0;
    const pos = lastPos.get(item);
    out[f++] = seen > 0 ? 1 : 0;
    out[f++] = seen > 0 ? Math.log1p(seen) : 0;
    out[f++] = pos === undefined ? 0 : 1 / (len - pos);
    out[f++] = item === last ? 1 : 0;
    out[f++] = Math.log1p(index.popularity[item] ?? 0);
    out[f++] = Math.log1p(index.recentPopularity[item] ?? 0);
    out[f++] = index.repeatRate[item] ?? 0;
    out[f++] = index.age[item] ?? 0;
    out[f++] = lastLogPopularity;
    out[f++] = lastRepeated;
    out[f++] = logLength;
    out[f++] = logDistinct;
  }
  return out;
}
