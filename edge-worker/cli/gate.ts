/**
 * The quality gate `npm run retrain` applies before it publishes: the
 * candidate and the active model answer the same held-back sessions (the
 * most recent part of the log, which the candidate was not trained on), one
 * next-item case per prefix, as `npm run eval` scores them; the candidate is
 * published only if it is not worse than the active model beyond a
 * tolerance on any of next-item HR@20, MRR@20 and the share of the catalog
 * it recommends (a model that recommends ever fewer items narrows the shop).
 */
import type { CatalogItem } from '../src/catalog/catalog';
import { isCore, openCore } from '../src/catalog/core';
import { addCase, createMetrics, summarize } from '../src/model/metrics';
import { loadModel, modelQuery, recommend, type LoadedModel } from '../src/model/recommend';
import type { AdminClient } from './admin-client';

/** How a model does on the held-back sessions, in percent. */
export interface GateMetrics {
  'HR@20': number;
  'MRR@20': number;
  /** Share of the catalog that appears in at least one top-20 list. */
  coverage: number;
  cases: number;
}

/** What answers: a trained model, or (no model published) the catalog's popularity order, as the Worker then serves. */
export type Contender = { model: LoadedModel } | { popularity: readonly string[] };

/**
 * What the Worker behind `admin` serves now: the active model, or (none
 * published) the active catalog's popularity order; with the catalog's item ids.
 * @example const { name, contender, catalog } = await activeContender(adminClient(adminTarget(undefined)));
 */
export async function activeContender(admin: AdminClient): Promise<{ name: string; contender: Contender; catalog: string[] }> {
  const status = await admin.status();
  const { catalog, popularity } = status.catalog.active ? catalogIds(await admin.value('catalog', status.catalog.active)) : { catalog: [], popularity: [] };
  if (status.model.active) {
    const bytes = await admin.value('model', status.model.active);
    return { name: status.model.active, contender: { model: loadModel(bytes) }, catalog };
  }
  return { name: 'popularity (no model published)', contender: { popularity }, catalog };
}

/**
 * A stored catalog's ids, and its items in the order the Worker's popularity
 * fallback shows them: from its binary core (the precomputed order first),
 * or from the JSON items of a catalog stored in the old format.
 */
export function catalogIds(bytes: Uint8Array): { catalog: string[]; popularity: string[] } {
  if (isCore(bytes)) {
    const core = openCore(bytes);
    const catalog = Array.from({ length: core.size }, (_, i) => core.idAt(i));
    const first = new Set(core.popular());
    return { catalog, popularity: [...Array.from(first, (i) => catalog[i]!), ...catalog.filter((_, i) => !first.has(i))] };
  }
  const items = JSON.parse(new TextDecoder().decode(bytes)) as CatalogItem[];
  return { catalog: items.map((item) => item.id), popularity: [...items].sort((a, b) => b.popularity - a.popularity).map((item) => item.id) };
}

/** How much worse than the active model a candidate may be and still be published, in percentage points. */
export interface Tolerance {
  /** For HR@20 and MRR@20. */
  accuracy: number;
  coverage: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { accuracy: 0.5, coverage: 5 };

const K = 20;

/** The top 20 shop item ids for a prefix (most recent item last). */
function top20(contender: Contender, prefix: readonly string[]): string[] {
  if ('popularity' in contender) return contender.popularity.filter((item) => !prefix.includes(item)).slice(0, K);
  const { model } = contender;
  return recommend(model, modelQuery(model, prefix), K).map((r) => model.itemIdOf(r.item));
}

/**
 * Scores a contender on every prefix of every held-back session (sessions
 * of shop item ids, oldest view first) against `catalog`, the shop's items.
 * @example evaluateGate({ model }, [['a', 'b', 'c']], ['a', 'b', 'c', 'd']) // 2 cases: a→b, a b→c
 */
export function evaluateGate(contender: Contender, heldBack: readonly (readonly string[])[], catalog: readonly string[]): GateMetrics {
  const acc = createMetrics();
  const inCatalog = new Set(catalog);
  const shown = new Set<string>();
  // Metrics compare positions, so any numbering works: a list's entries are matched against the target's number.
  const numbers = new Map<string, number>();
  const number = (item: string) => numbers.get(item) ?? numbers.set(item, numbers.size).get(item)!;
  for (const session of heldBack) {
    for (let p = 1; p < session.length; p++) {
      const ranked = top20(contender, session.slice(0, p));
      for (const item of ranked) if (inCatalog.has(item)) shown.add(item);
      addCase(acc, ranked.map(number), number(session[p]!));
    }
  }
  const summary = summarize(acc);
  return { 'HR@20': summary['HR@20'], 'MRR@20': summary['MRR@20'], coverage: inCatalog.size ? (100 * shown.size) / inCatalog.size : 0, cases: acc.cases };
}

/** The gate's verdict and, when it refuses, why. */
export interface Verdict {
  publish: boolean;
  reasons: string[];
}

/**
 * Whether the candidate may replace the active model.
 * @example verdict({ 'HR@20': 50, 'MRR@20': 18, coverage: 40, cases: 9 }, { 'HR@20': 52, 'MRR@20': 18, coverage: 40, cases: 9 }) // { publish: false, reasons: ['HR@20 …'] }
 */
export function verdict(candidate: GateMetrics, active: GateMetrics, tolerance: Tolerance = DEFAULT_TOLERANCE): Verdict {
  const reasons: string[] = [];
  const check = (name: keyof Omit<GateMetrics, 'cases'>, allowed: number) => {
    const drop = active[name] - candidate[name];
    if (drop > allowed) reasons.push(`${name} ${candidate[name].toFixed(2)} is ${drop.toFixed(2)} points below the active model's ${active[name].toFixed(2)} (tolerance ${allowed})`);
  };
  check('HR@20', tolerance.accuracy);
  check('MRR@20', tolerance.accuracy);
  check('coverage', tolerance.coverage);
  if (candidate.cases === 0) reasons.push('no held-back case to judge by: the log has no recent session of two or more views');
  return { publish: reasons.length === 0, reasons };
}
