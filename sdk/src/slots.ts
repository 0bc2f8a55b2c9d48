/**
 * Personalized slots, imported apart from tracking so an app that only tracks
 * never downloads the renderer. `fill()` decides every `[data-rapport-slot]`
 * on the page in one request. Only the slots wait (hidden by the stub's CSS),
 * never the page, and for at most the timeout: whatever has not arrived by
 * then leaves the slot's default content in place. Clicks on rendered items
 * are tracked with the decision that showed them.
 */
import { instance, track, type DecidePlan } from './rapport.js';
import { WAIT_CLASS } from './stub.js';
import { post } from './transport.js';
import { warn } from './warn.js';
import type { DecideBody, DecideResponse, DecidedItem } from './wire.js';

/** Attribute set on a slot once settled: `filled` or `default`. */
export const STATE_ATTR = 'data-rapport-state';

/** What `data-rapport-field` elements can show: an item's or a variant's fields. */
type Fields = Partial<DecidedItem> & { title: string; reason: string; url: string; body?: string };

/**
 * A URL as the page may use it: http(s) only, relative ones resolved against
 * the page. Anything else (`javascript:`, `data:`) becomes empty, whatever the
 * Worker sent: decisions are data, never code.
 */
const safeUrl = (url = ''): string => {
  try {
    return /^https?:$/.test(new URL(url, location.href).protocol) ? url : '';
  } catch {
    return '';
  }
};

const FIELDS: Record<string, (el: HTMLElement, data: Fields) => void> = {
  title: (el, data) => (el.textContent = data.title),
  reason: (el, data) => (el.textContent = data.reason),
  body: (el, data) => (el.textContent = data.body ?? ''),
  price: (el, data) => (el.textContent = data.price?.toFixed(2) ?? ''),
  image: (el, data) => {
    el.setAttribute('src', safeUrl(data.image));
    el.setAttribute('alt', data.title);
  },
  url: (el, data) => el.setAttribute('href', safeUrl(data.url)),
};

/** Fills every `[data-rapport-field]` in `root` (and root itself). */
function fillFields(root: HTMLElement, data: Fields): void {
  for (const el of [root, ...root.querySelectorAll<HTMLElement>('[data-rapport-field]')]) FIELDS[el.dataset.rapportField ?? '']?.(el, data);
}

/** One item's markup: the slot's `<template>` when it has one, a plain link otherwise. */
function renderItem(template: HTMLTemplateElement | null, item: DecidedItem): HTMLElement {
  let root: HTMLElement;
  if (template) {
    root = (template.content.cloneNode(true) as DocumentFragment).firstElementChild as HTMLElement;
    fillFields(root, item);
  } else {
    root = document.createElement('a');
    root.setAttribute('href', safeUrl(item.url));
    root.textContent = item.title;
  }
  root.dataset.rapportItem = item.id;
  root.title = item.reason;
  return root;
}

function settle(slot: HTMLElement, state: 'filled' | 'default'): void {
  slot.setAttribute(STATE_ATTR, state);
}

/**
 * Renders one slot's decision: a variant fills the slot's fields in place;
 * items are drawn from its `<template>`, which stays for later fills.
 * @example renderSlot(document.querySelector('[data-rapport-slot="similar"]')!, decision)
 */
export function renderSlot(slot: HTMLElement, decision: DecideResponse): void {
  const answer = decision.slots[slot.dataset.rapportSlot!];
  const variant = answer?.variant;
  if (variant) {
    fillFields(slot, { ...variant, url: variant.href });
    slot.dataset.rapportVariant = variant.id;
    slot.dataset.rapportDecision = decision.decisionId;
    return settle(slot, 'filled');
  }
  if (!answer?.items.length) return settle(slot, 'default');
  const template = slot.querySelector<HTMLTemplateElement>('template');
  const list = slot.querySelector<HTMLElement>('[data-rapport-list]') ?? slot;
  const heading = slot.querySelector('[data-rapport-title]');
  const nodes = answer.items.map((item) => renderItem(template, item));
  for (const child of [...list.children]) if (child !== template) child.remove();
  list.append(...nodes);
  if (heading) heading.textContent = answer.title;
  slot.dataset.rapportDecision = decision.decisionId;
  settle(slot, 'filled');
}

/**
 * Finds the page's slots; the ones already settled are left alone.
 * @example pendingSlots().length // 0 once every slot is filled or left default
 */
export function pendingSlots(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('[data-rapport-slot]')].filter((s) => !s.hasAttribute(STATE_ATTR));
}

/** Fills every pending slot with one decide request; resolves once all are settled. */
async function fillSlots(plan: DecidePlan): Promise<DecideResponse | undefined> {
  const slots = pendingSlots();
  if (!slots.length) return undefined;
  const remaining = plan.deadline - Date.now();
  let decision: DecideResponse | undefined;
  if (remaining > 0) {
    const body: DecideBody = {
      ...plan.body,
      slots: slots.map((s) => ({ id: s.dataset.rapportSlot!, ...(s.dataset.max ? { max: Number(s.dataset.max) } : {}) })),
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    const { outcome, response } = await post(plan.url, body, controller.signal);
    clearTimeout(timer);
    if (outcome.kind === 'done' && Date.now() <= plan.deadline) decision = (await response!.json().catch(() => undefined)) as DecideResponse | undefined;
  }
  for (const slot of slots) decision ? renderSlot(slot, decision) : settle(slot, 'default');
  document.documentElement.classList.remove(WAIT_CLASS);
  return decision;
}

/** Gives up on every pending slot: default content stays. */
function releaseSlots(): void {
  pendingSlots().forEach((slot) => settle(slot, 'default'));
  document.documentElement.classList.remove(WAIT_CLASS);
}

/** Attributes a click on a rendered item to the decision that showed it. */
function trackClick(e: Event): void {
  const el = (e.target as Element | null)?.closest?.<HTMLElement>('[data-rapport-item]');
  if (!el) return;
  const slot = el.closest<HTMLElement>('[data-rapport-slot]');
  const decision = slot?.dataset.rapportDecision;
  void track('click', {
    item: el.dataset.rapportItem!,
    ...(decision ? { decision, slot: slot!.dataset.rapportSlot! } : {}),
  });
}

/**
 * Fills the page's pending slots (`[data-rapport-slot]` not yet settled) with
 * one decide request, for the instance `init()` created. Resolves with the
 * decision once every slot is settled, or undefined when none arrived in time
 * or personalization is not granted (slots then keep their default content).
 * Never rejects. The script-tag build calls it on its own.
 * @example
 * import { init, fill } from '@rapport/sdk';
 * init({ endpoint: 'https://rapport.example.com' });
 * await fill(); // after the page's slots are in the DOM
 */
export function fill(): Promise<DecideResponse | undefined> {
  // The same function each time: addEventListener adds it once.
  addEventListener('click', trackClick);
  const plan = instance()?._decide();
  if (!plan) {
    // No personalization consent: nothing is asked of the server; defaults stay.
    releaseSlots();
    return Promise.resolve(undefined);
  }
  return fillSlots(plan).catch((err: unknown) => {
    warn('could not fill slots', err);
    releaseSlots();
    return undefined;
  });
}
