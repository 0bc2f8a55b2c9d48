/**
 * The wire cases: one table of events the Worker accepts and refuses, run
 * through both sides of the contract by `contract.test.ts` (the Worker's zod
 * schemas and the SDK's own validator, the one `track()` uses). Bounds come
 * from `LIMITS`, so a changed limit moves the cases with it.
 */
import { LIMITS } from '../../sdk/src/wire';

/** An event as it would travel, and whether the Worker accepts it. */
export interface EventCase {
  name: string;
  event: Record<string, unknown>;
  valid: boolean;
}

export const TS = 1_764_000_000_000;
const base = { id: 'event-0001', ts: TS, path: '/p/sku-1' };
const text = (length: number) => 'x'.repeat(length);
const items = (count: number) => Array.from({ length: count }, (_, i) => `sku-${i}`);

const valid = (name: string, event: Record<string, unknown>): EventCase => ({ name, event: { ...base, ...event }, valid: true });
const invalid = (name: string, event: Record<string, unknown>): EventCase => ({ name, event: { ...base, ...event }, valid: false });

export const EVENT_CASES: EventCase[] = [
  // Every type, as the SDK builds them.
  valid('a page view', { type: 'page_view' }),
  valid('a page view without a path', { type: 'page_view', path: undefined }),
  valid('a product view', { type: 'product_view', item: 'sku-1' }),
  valid('an attributed click', { type: 'click', item: 'sku-2', decision: 'decision-01', slot: 'recommended' }),
  valid('a plain click', { type: 'click', item: 'sku-2' }),
  valid('a scroll', { type: 'scroll', depth: 75 }),
  valid('a search', { type: 'search', query: 'red shoes' }),
  valid('engaged time', { type: 'engagement', ms: 12_500 }),
  valid('the longest engaged time', { type: 'engagement', ms: LIMITS.engagedMsMax }),
  valid('an add to cart', { type: 'add_to_cart', item: 'sku-1', qty: 2 }),
  valid('an add to cart without a quantity', { type: 'add_to_cart', item: 'sku-1' }),
  valid('a remove from cart', { type: 'remove_from_cart', item: 'sku-1' }),
  valid('a checkout', { type: 'checkout' }),
  valid('a purchase', { type: 'purchase', items: ['sku-1', 'sku-2'] }),
  valid('a purchase with its order id, value and currency', { type: 'purchase', items: ['sku-1'], order: 'order-10042', value: 129.9, currency: 'EUR' }),
  valid('an add to cart with a price', { type: 'add_to_cart', item: 'sku-1', qty: 1, price: 19.99, currency: 'USD' }),
  valid('an attributed add to cart', { type: 'add_to_cart', item: 'sku-1', decision: 'decision-01', slot: 'recommended' }),
  valid('an attributed purchase', { type: 'purchase', items: ['sku-1'], decision: 'decision-01', slot: 'similar' }),
  valid('a free item', { type: 'add_to_cart', item: 'sku-1', price: 0 }),
  valid('a viewable impression', { type: 'impression', decision: 'decision-01', slot: 'recommended' }),
  // Exactly at each limit.
  valid('the longest item id', { type: 'product_view', item: text(LIMITS.itemIdLength) }),
  valid('the longest path', { type: 'page_view', path: `/${text(LIMITS.pathLength - 1)}` }),
  valid('an empty path', { type: 'page_view', path: '' }),
  valid('the longest query', { type: 'search', query: text(LIMITS.queryLength) }),
  valid('the longest slot name', { type: 'click', item: 'sku-1', slot: text(LIMITS.slotLength) }),
  valid('an impression of the longest slot id', { type: 'impression', decision: 'decision-01', slot: text(LIMITS.slotLength) }),
  valid('the largest quantity', { type: 'add_to_cart', item: 'sku-1', qty: LIMITS.qtyMax }),
  valid('a purchase of the most items', { type: 'purchase', items: items(LIMITS.purchaseItems) }),
  valid('a scroll to the top', { type: 'scroll', depth: 0 }),
  valid('a scroll to the bottom', { type: 'scroll', depth: LIMITS.scrollDepthMax }),
  valid('the shortest event id', { type: 'page_view', id: '12345678' }),
  valid('the longest event id', { type: 'page_view', id: text(64) }),
  valid('a 32-hex event id (the SDK’s own)', { type: 'page_view', id: '9f1c04e2b7a35d6e80c2f4a19b3d7e05' }),
  valid('the epoch', { type: 'page_view', ts: 0 }),
  // Past a limit.
  invalid('an item id too long', { type: 'product_view', item: text(LIMITS.itemIdLength + 1) }),
  invalid('a path too long', { type: 'page_view', path: `/${text(LIMITS.pathLength)}` }),
  invalid('no engaged time', { type: 'engagement', ms: 0 }),
  invalid('engaged time past a day', { type: 'engagement', ms: LIMITS.engagedMsMax + 1 }),
  invalid('engaged time in fractions of a ms', { type: 'engagement', ms: 1.5 }),
  invalid('a query too long', { type: 'search', query: text(LIMITS.queryLength + 1) }),
  invalid('a slot name too long', { type: 'click', item: 'sku-1', slot: text(LIMITS.slotLength + 1) }),
  invalid('an impression of a slot id too long', { type: 'impression', decision: 'decision-01', slot: text(LIMITS.slotLength + 1) }),
  invalid('a quantity too large', { type: 'add_to_cart', item: 'sku-1', qty: LIMITS.qtyMax + 1 }),
  invalid('a purchase of too many items', { type: 'purchase', items: items(LIMITS.purchaseItems + 1) }),
  invalid('a scroll past the bottom', { type: 'scroll', depth: LIMITS.scrollDepthMax + 1 }),
  invalid('an event id too short', { type: 'page_view', id: '1234567' }),
  invalid('an event id too long', { type: 'page_view', id: text(65) }),
  // Missing, empty or mistyped fields.
  invalid('a product view without an item', { type: 'product_view' }),
  invalid('an empty item id', { type: 'product_view', item: '' }),
  invalid('a numeric item id', { type: 'add_to_cart', item: 42 }),
  invalid('an empty search', { type: 'search', query: '' }),
  invalid('a purchase of nothing', { type: 'purchase', items: [] }),
  invalid('a negative price', { type: 'add_to_cart', item: 'sku-1', price: -1 }),
  invalid('a price as text', { type: 'add_to_cart', item: 'sku-1', price: '19.99' }),
  invalid('a value past the largest', { type: 'purchase', items: ['sku-1'], value: LIMITS.moneyMax + 1 }),
  invalid('a currency in lower case', { type: 'purchase', items: ['sku-1'], currency: 'eur' }),
  invalid('a currency by name', { type: 'add_to_cart', item: 'sku-1', currency: 'euro' }),
  invalid('an order id too long', { type: 'purchase', items: ['sku-1'], order: text(LIMITS.orderIdLength + 1) }),
  invalid('an empty order id', { type: 'purchase', items: ['sku-1'], order: '' }),
  invalid('a decision id that is not one', { type: 'purchase', items: ['sku-1'], decision: 'x' }),
  invalid('a purchase of one item as text', { type: 'purchase', items: 'sku-1' }),
  invalid('a purchase with an empty item id', { type: 'purchase', items: ['sku-1', ''] }),
  invalid('a zero quantity', { type: 'add_to_cart', item: 'sku-1', qty: 0 }),
  invalid('a fractional quantity', { type: 'remove_from_cart', item: 'sku-1', qty: 1.5 }),
  invalid('a negative scroll', { type: 'scroll', depth: -1 }),
  invalid('a fractional scroll', { type: 'scroll', depth: 50.5 }),
  invalid('a scroll as text', { type: 'scroll', depth: '50' }),
  invalid('a scroll without a depth', { type: 'scroll' }),
  invalid('a decision id with spaces', { type: 'click', item: 'sku-1', decision: 'not a decision' }),
  invalid('an impression without a decision', { type: 'impression', slot: 'recommended' }),
  invalid('an impression without a slot', { type: 'impression', decision: 'decision-01' }),
  invalid('an impression of a decision id that is not one', { type: 'impression', decision: 'x', slot: 'recommended' }),
  invalid('an impression of an uppercase slot id', { type: 'impression', decision: 'decision-01', slot: 'Recommended' }),
  invalid('an impression of an empty slot id', { type: 'impression', decision: 'decision-01', slot: '' }),
  invalid('an impression of an item', { type: 'impression', decision: 'decision-01', slot: 'recommended', item: 'sku-1' }),
  invalid('an event id with spaces', { type: 'page_view', id: 'event 0001' }),
  invalid('a numeric event id', { type: 'page_view', id: 12_345_678 }),
  invalid('no event id', { type: 'page_view', id: undefined }),
  invalid('a negative time', { type: 'page_view', ts: -1 }),
  invalid('a fractional time', { type: 'page_view', ts: 1.5 }),
  invalid('a time beyond safe integers', { type: 'page_view', ts: 2 ** 53 }),
  invalid('a time as text', { type: 'page_view', ts: String(TS) }),
  invalid('a path that is not text', { type: 'page_view', path: 7 }),
  // Unknown types and fields (the schemas are strict).
  invalid('an unknown type', { type: 'teleport' }),
  invalid('no type', {}),
  invalid('a type named like an object property', { type: 'constructor' }),
  invalid('a field another type has', { type: 'page_view', item: 'sku-1' }),
  invalid('an unknown field', { type: 'product_view', item: 'sku-1', price: 10 }),
  invalid('a field named like an object property', { type: 'checkout', toString: 'x' }),
];
