/**
 * A decision for every slot on a page: candidates and scores from the served
 * model (session-kNN, rules and co-visits re-ranked by TF.js), then business
 * rules — in stock, not in the cart, not bought, diverse, no repeats across
 * the page — then items with a reason a shopper can read. Pure: everything it
 * needs is loaded by the caller. It decides on the catalog's core (ids,
 * categories, stock, popularity); the display fields of the items it picks,
 * and of the items their reasons name, are read after (`detailsNeeded`, then
 * `present` builds the answer).
 */
import { inStock, type Catalog } from '../catalog/catalog';
import type { ItemDetails } from '../catalog/shards';
import type { DecidedVariant, SlotDecision } from '../../../sdk/src/wire';
import type { DecideRequest } from '../contract/schemas';
import { boughtTogether, modelQuery, recommendMany, type LoadedModel, type Query } from '../model/recommend';
import { interestsAt, type Profile } from '../profile/profile';
import { catalogIndex } from './id-join';
import { categoryLabel, type Explained, reasonFor } from './reasons';
import type { ItemSlotConfig, SlotConfigs, SlotStrategy, VariantSlotConfig } from '../slots/config';

/** Everything one decision needs, already loaded. */
export interface DecisionInput {
  request: DecideRequest;
  catalog: Catalog;
  /** Absent when no usable model is published: rank by popularity. */
  model?: LoadedModel;
  profile: Profile | null;
  slots: SlotConfigs;
  now: number;
}

/** How many model candidates a slot draws from before rules thin them out (popular items fill any gap). */
const POOL_PER_ITEM = 3;
const MIN_POOL = 12;

function poolSize(config: ItemSlotConfig): number {
  return Math.max(MIN_POOL, config.size * POOL_PER_ITEM);
}

/**
 * The shop item ids a strategy asks the model about, most recent last (the
 * model maps them to its own ids with `modelQuery`).
 */
export function queryFor(strategy: SlotStrategy, profile: Profile | null, contextItem: string | undefined): string[] {
  const recent = (profile?.recent ?? []).map(([item]) => item);
  switch (strategy) {
    case 'personal':
      return contextItem && recent[recent.length - 1] !== contextItem ? [...recent, contextItem] : recent;
    case 'similar':
    case 'together':
      return contextItem ? [contextItem] : recent.slice(-1);
    case 'cart':
      return profile?.cart ?? [];
  }
}

/**
 * Every item a decision may ask the model about, whichever strategy a slot (or an experiment's arm)
 * uses: the visitor's recent views, the product on the page and the cart (see {@link queryFor}).
 */
export function itemsAsked(profile: Profile | null, contextItem: string | undefined): string[] {
  return [...(profile?.recent ?? []).map(([item]) => item), ...(contextItem ? [contextItem] : []), ...(profile?.cart ?? [])];
}

/**
 * Picks the first variant whose conditions hold for this visitor and fills
 * in their favourite category. A visitor is "returning" from their second
 * session on.
 */
export function chooseVariant(slot: VariantSlotConfig, profile: Profile | null, favourite: string | undefined): DecidedVariant {
  const returning = (profile?.n.sessions ?? 0) >= 2;
  const chosen =
    slot.variants.find(({ when }) => {
      if (!when) return true;
      if (when.visitor && (when.visitor === 'returning') !== returning) return false;
      if (when.interest !== undefined && when.interest !== (favourite !== undefined)) return false;
      if (when.cart !== undefined && when.cart !== (profile?.cart.length ?? 0) > 0) return false;
      return true;
    }) ?? slot.variants[slot.variants.length - 1]!;
  const fill = (text: string, slug: boolean) => (favourite ? text.replaceAll('{category}', slug ? favourite : categoryLabel(favourite)) : text);
  return {
    id: chosen.id,
    title: fill(chosen.title, false),
    body: fill(chosen.body, false),
    href: fill(chosen.href, true),
    reason: fill(chosen.reason, false),
  };
}

/**
 * What is popular where the shopper is: the category's most popular items
 * first, then the shop's (the core's precomputed, bounded orders). Lazy:
 * rules stop it early.
 */
function* popularIn(catalog: Catalog, category: string | undefined): Generator<number> {
  const { core } = catalog;
  const k = category === undefined ? -1 : core.categoryIndex(category);
  if (k >= 0) yield* core.popular(k);
  for (const i of core.popular()) if (core.categoryAt(i) !== k) yield i;
}

interface Candidate {
  /** Catalog index. */
  index: number;
  rec: Explained;
  /** A popularity fill-in (the model had nothing more to say), not a pick for this visitor. */
  fill: boolean;
}

/** An item a slot shows, before its display fields are read. */
export interface Pick {
  id: string;
  /** Core index. */
  index: number;
  category: string;
  rec: Explained;
  /** The category its reason names when it is popular there. */
  popularIn: string | undefined;
}

/** A slot as decided: its items (or content variant), before their display fields are read. */
export interface DecidedSlot {
  title: string;
  items: Pick[];
  variant?: DecidedVariant;
}

/** Decides every requested slot. Items never repeat across the slots of one page. */
export function decide(input: DecisionInput): Record<string, DecidedSlot> {
  const { request, catalog, model, profile, slots, now } = input;
  const { core } = catalog;
  const contextItem = request.context.item;
  const contextIndex = contextItem === undefined ? -1 : core.indexOf(contextItem);
  const contextCategory = contextIndex < 0 ? request.context.category : core.categories[core.categoryAt(contextIndex)];
  const favourite = profile ? interestsAt(profile, now)[0]?.[0] : undefined;

  const excluded = new Set<string>([...(profile?.cart ?? []), ...(profile?.bought ?? [])]);
  if (contextItem) excluded.add(contextItem);
  const used = new Set<number>();
  // Every question the page's item slots ask the model, answered in one pass; slots asking the
  // same question (similar and together both start from the product on the page) share one answer.
  const key = (query: number[], k: number) => `${k}:${query.join(',')}`;
  // The model's ids for what each strategy asks about (the strategy alone decides the question).
  const queries = new Map<SlotStrategy, number[]>();
  const queryOf = (strategy: SlotStrategy): number[] => {
    let query = queries.get(strategy);
    if (!query) queries.set(strategy, (query = model ? modelQuery(model, queryFor(strategy, profile, contextItem)) : []));
    return query;
  };
  const questions = new Map<string, Query>();
  for (const slot of request.slots) {
    const config = slots[slot.id]!;
    if (config.kind === 'variants' || !model) continue;
    const query = queryOf(config.strategy);
    if (query.length) questions.set(key(query, poolSize(config)), { recent: query, k: poolSize(config) });
  }
  const answers = model ? recommendMany(model, [...questions.values()]) : [];
  const asked = new Map([...questions.keys()].map((q, i) => [q, answers[i] ?? []]));

  const explained = (reason: Explained['reason'], because: number | null): Explained => ({
    reason,
    because: because === null || !model ? null : (catalogIndex(core, model, because) ?? null),
  });

  function* candidatesFor(config: ItemSlotConfig): Generator<Candidate> {
    const query = queryOf(config.strategy);
    if (model) {
      // "Bought together" leads with what the orders say, when the model was trained with orders.
      if (config.strategy === 'together' && query.length) {
        const anchor = query[query.length - 1]!;
        for (const { item } of boughtTogether(model, anchor, poolSize(config))) {
          const index = catalogIndex(core, model, item);
          if (index !== undefined) yield { index, rec: explained('bought-together', anchor), fill: false };
        }
      }
      for (const { item, reason, because, fill } of asked.get(key(query, poolSize(config))) ?? []) {
        const index = catalogIndex(core, model, item);
        // The model's own padding is skipped: the catalog's popularity order below knows stock and categories.
        if (index !== undefined && !fill) yield { index, rec: explained(reason, because), fill: false };
      }
    }
    // New visitors, and slots the model could not fill: what is popular where the shopper is.
    for (const index of popularIn(catalog, contextCategory ?? favourite)) yield { index, rec: { reason: 'popular', because: null }, fill: true };
  }

  const result: Record<string, DecidedSlot> = {};
  for (const slot of request.slots) {
    const config = slots[slot.id]!;
    if (config.kind === 'variants') {
      const variant = chooseVariant(config, profile, favourite);
      result[slot.id] = { title: variant.title, items: [], variant };
      continue;
    }
    const size = Math.min(slot.max ?? config.size, config.size);
    const perCategory = config.maxPerCategory ?? Math.max(2, Math.ceil(size / 2));
    const counts = new Map<string, number>();
    const items: Pick[] = [];
    let personal = false;
    for (const { index, rec, fill } of candidatesFor(config)) {
      if (items.length >= size) break;
      if (used.has(index) || !inStock(catalog, index)) continue;
      const id = core.idAt(index);
      const category = core.categories[core.categoryAt(index)]!;
      if (excluded.has(id) || (counts.get(category) ?? 0) >= perCategory) continue;
      counts.set(category, (counts.get(category) ?? 0) + 1);
      used.add(index);
      personal ||= !fill;
      items.push({ id, index, category, rec, popularIn: category === (contextCategory ?? favourite) ? category : undefined });
    }
    result[slot.id] = { title: personal ? config.title : (config.coldTitle ?? config.title), items };
  }
  return result;
}

/** The core indices whose display fields an answer shows: the items picked and the viewed items their reasons name. */
export function detailsNeeded(decided: Record<string, DecidedSlot>): number[] {
  return Object.values(decided).flatMap(({ items }) => items.flatMap(({ index, rec }) => (rec.because === null ? [index] : [index, rec.because])));
}

/**
 * The answer's slots: each pick with its display fields (`details`, from its
 * shard) and its price as last changed (`catalog.delta`), and a reason
 * naming the viewed item by its title.
 */
export function present(decided: Record<string, DecidedSlot>, catalog: Catalog, details: ReadonlyMap<number, ItemDetails>): Record<string, SlotDecision> {
  const out: Record<string, SlotDecision> = {};
  for (const [slot, { items, ...rest }] of Object.entries(decided)) {
    out[slot] = {
      ...rest,
      items: items.map(({ id, index, category, rec, popularIn }) => {
        const { title, price, url, image } = details.get(index)!;
        const anchor = rec.because === null ? undefined : details.get(rec.because)?.title;
        return { id, title, price: catalog.delta.get(index)?.price ?? price, url, image, category, reason: reasonFor(rec, anchor, popularIn) };
      }),
    };
  }
  return out;
}
