/**
 * A decision for every slot on a page: candidates → TF.js scores → business
 * rules → ranked items, each with a reason a shopper can read.
 */
import type { Catalog, CatalogItem } from '../catalog/catalog';
import type { DecidedItem, DecidedVariant, SlotDecision } from '../contract/responses';
import type { DecideRequest } from '../contract/schemas';
import { interestsAt, type Profile } from '../profile/profile';
import { scoreAll, type AffinityModel } from './affinity-model';
import type { SlotConfig, SlotStrategy, VariantSlotConfig } from './slots';

/** Everything one decision needs, already loaded. */
export interface DecisionInput {
  request: DecideRequest;
  catalog: Catalog;
  /** Absent when no usable model is published: rank by popularity. */
  model?: AffinityModel;
  profile: Profile | null;
  slots: Readonly<Record<string, SlotConfig>>;
  now: number;
}

/** Turns a category slug like `mens-shirts` into `mens shirts` for reasons. */
export function categoryLabel(slug: string): string {
  return slug.replace(/[-_]+/g, ' ');
}

function interestShares(profile: Profile | null, now: number): Map<string, number> {
  const interests = profile ? interestsAt(profile, now) : [];
  const total = interests.reduce((sum, [, w]) => sum + w, 0);
  return new Map(total > 0 ? interests.map(([cat, w]) => [cat, w / total]) : []);
}

const PERSONAL_REASON = 'Because you looked at';

function reasonFor(item: CatalogItem, personalShare: number, contextCategory: string | undefined, hasModel: boolean): string {
  if (hasModel && personalShare >= 0.5) return `${PERSONAL_REASON} ${categoryLabel(item.category)}`;
  if (hasModel && item.category === contextCategory) return `More in ${categoryLabel(item.category)}`;
  return 'Popular in the shop right now';
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

interface Ranking {
  order: number[];
  score: Float32Array;
  personal: Float32Array;
}

/** Decides every requested slot. Items never repeat across the slots of one page. */
export function decide(input: DecisionInput): Record<string, SlotDecision> {
  const { request, catalog, model, profile, slots, now } = input;
  const contextIndex = request.context.item === undefined ? undefined : catalog.byId.get(request.context.item);
  const contextCategory = contextIndex === undefined ? request.context.category : catalog.items[contextIndex]!.category;
  const interests = interestShares(profile, now);
  const excluded = new Set<string>([...(profile?.cart ?? []), ...(profile?.bought ?? [])]);
  if (request.context.item) excluded.add(request.context.item);
  const eligible = catalog.items.flatMap((item, i) => (item.stock > 0 && !excluded.has(item.id) ? [i] : []));

  // "personal" ranks by the visitor's interests; "similar" adds the category of
  // the product on the page. Each strategy is scored once per request.
  const rankings = new Map<SlotStrategy, Ranking>();
  const rankingFor = (strategy: SlotStrategy): Ranking => {
    let ranking = rankings.get(strategy);
    if (ranking) return ranking;
    const context = strategy === 'similar' ? contextCategory : undefined;
    const { score, personal } = model
      ? scoreAll(catalog, model, { interests, contextCategory: context })
      : { score: Float32Array.from(catalog.items, (i) => i.popularity), personal: new Float32Array(catalog.items.length) };
    ranking = { order: [...eligible].sort((a, b) => score[b]! - score[a]!), score, personal };
    rankings.set(strategy, ranking);
    return ranking;
  };

  const used = new Set<number>();
  const result: Record<string, SlotDecision> = {};
  const favourite = interests.keys().next().value;
  for (const slot of request.slots) {
    const config: SlotConfig = slots[slot.id]!;
    if (config.kind === 'variants') {
      const variant = chooseVariant(config, profile, favourite);
      result[slot.id] = { title: variant.title, items: [], variant };
      continue;
    }
    const { order, score, personal } = rankingFor(config.strategy);
    const size = Math.min(slot.max ?? config.size, config.size);
    const picked = order.filter((i) => !used.has(i)).slice(0, size);
    picked.forEach((i) => used.add(i));
    const items = picked.map((i) => {
      const item = catalog.items[i]!;
      const share = score[i]! > 0 ? personal[i]! / score[i]! : 0;
      return {
        id: item.id,
        title: item.title,
        price: item.price,
        url: item.url,
        image: item.image,
        category: item.category,
        reason: reasonFor(item, share, config.strategy === 'similar' ? contextCategory : undefined, model !== undefined),
      };
    });
    const cold = !items.some((item) => item.reason.startsWith(PERSONAL_REASON));
    result[slot.id] = { title: cold ? (config.coldTitle ?? config.title) : config.title, items };
  }
  return result;
}
