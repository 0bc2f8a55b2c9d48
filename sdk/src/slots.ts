/**
 * Personalized slots, imported apart from tracking so an app that only tracks
 * never downloads the renderer. `fill()` decides every `[data-rapport-slot]`
 * on the page not yet settled or asked about, in one request. Only the slots
 * wait (hidden by the stub's CSS), never the page, and for at most the
 * timeout: whatever has not arrived by then leaves the slot's default content
 * in place. A filled slot keeps at least the height its default content had,
 * so what follows it does not move. Each item carries a "why this?"
 * disclosure with the Worker's reason and a link to the shopper's privacy
 * controls. Clicks on rendered items are tracked with the decision that
 * showed them, and so is the slot's viewable impression (`impressions.ts`).
 */
import { trackClick } from './autocapture.js';
import { watch } from './impressions.js';
import { instance, type DecidePlan } from './rapport.js';
import { WAIT_CLASS } from './stub.js';
import { post } from './transport.js';
import { isWeb } from './urls.js';
import { warn } from './warn.js';
import { LIMITS, type DecideBody, type DecideResponse, type DecidedItem } from './wire.js';

/** Attribute set on a slot once settled: `filled` or `default`. */
export const STATE_ATTR = 'data-rapport-state';

/** What `data-rapport-field` elements can show: an item's or a variant's fields. */
type Fields = Partial<DecidedItem> & { title: string; reason: string; url: string; body?: string; privacy?: string };

/**
 * A URL as the page may use it: http(s) only, relative ones resolved against
 * the page. Anything else (`javascript:`, `data:`) becomes empty, whatever the
 * Worker sent: decisions are data, never code.
 */
const safeUrl = (url = ''): string => (isWeb(url, location.href) ? url : '');

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
  // The shopper's privacy controls (init's privacyUrl); without one, the link goes.
  privacy: (el, data) => (data.privacy ? el.setAttribute('href', safeUrl(data.privacy)) : el.remove()),
};

/** An element with these children (text inserted as text). */
function make(tag: string, ...children: Array<Node | string>): HTMLElement {
  const el = document.createElement(tag);
  el.append(...children);
  return el;
}

/** Fills every `[data-rapport-field]` in `root` (and root itself). */
function fillFields(root: HTMLElement, data: Fields): void {
  for (const el of [root, ...root.querySelectorAll<HTMLElement>('[data-rapport-field]')]) FIELDS[el.dataset.rapportField ?? '']?.(el, data);
}

/**
 * One item's markup: the slot's `<template>` when it has one (its own
 * disclosure, if any, is filled through the `reason` and `privacy` fields), or
 * a link and a "why this?" disclosure: a native <details>, which keyboards and
 * screen readers operate as a disclosure without script or style.
 */
function renderItem(template: HTMLTemplateElement | null, data: Fields & { id: string }): HTMLElement {
  let root: HTMLElement;
  if (template) {
    root = (template.content.cloneNode(true) as DocumentFragment).firstElementChild as HTMLElement;
    fillFields(root, data);
  } else {
    const link = (text: string, url?: string) => {
      const a = make('a', text);
      a.setAttribute('href', safeUrl(url));
      return a;
    };
    const privacy = data.privacy ? [' ', link('Your privacy choices', data.privacy)] : [];
    root = make('div', link(data.title, data.url), make('details', make('summary', 'Why this?'), data.reason, ...privacy));
  }
  root.dataset.rapportItem = data.id;
  return root;
}

function settle(slot: HTMLElement, state: 'filled' | 'default'): void {
  slot.setAttribute(STATE_ATTR, state);
}

/**
 * Where what follows `slot` starts: the top of its next sibling that is laid
 * out (margins collapsing out of the slot move it too), or the slot's own end.
 */
function edge(slot: Element): number {
  let next = slot.nextElementSibling;
  // Scripts, templates and hidden elements have no box to measure.
  while (next && !next.getClientRects().length) next = next.nextElementSibling;
  return next ? next.getBoundingClientRect().top : slot.getBoundingClientRect().bottom;
}

/**
 * Renders one slot's decision: a variant fills the slot's fields in place;
 * items are drawn from its `<template>`, which stays for later fills.
 * @example renderSlot(document.querySelector('[data-rapport-slot="similar"]')!, decision)
 */
export function renderSlot(slot: HTMLElement, decision: DecideResponse, privacy?: string): void {
  const answer = decision.slots[slot.dataset.rapportSlot!];
  const variant = answer?.variant;
  if (variant) fillFields(slot, { ...variant, url: variant.href });
  else if (answer?.items.length) {
    const template = slot.querySelector<HTMLTemplateElement>('template');
    const list = slot.querySelector<HTMLElement>('[data-rapport-list]') ?? slot;
    const heading = slot.querySelector('[data-rapport-title]');
    const nodes = answer.items.map((item) => renderItem(template, { ...item, privacy }));
    const before = edge(slot);
    for (const child of [...list.children]) if (child !== template) child.remove();
    list.append(...nodes);
    if (heading) heading.textContent = answer.title;
    // The space the default content took stays reserved (set before the next frame is drawn): a shorter
    // answer moves nothing below the slot. In the slot's own box-sizing, as min-height reads it.
    slot.style.minHeight = `${parseFloat(getComputedStyle(slot).height) + before - edge(slot)}px`;
  } else return settle(slot, 'default');
  slot.dataset.rapportDecision = decision.decisionId;
  settle(slot, 'filled');
  watch(slot);
}

/** Slots a decide request is already asking about: a second fill() meanwhile leaves them to it. */
const asked = new WeakSet<Element>();

/**
 * Finds the page's slots neither settled nor being asked about.
 * @example pendingSlots().length // 0 once every slot is filled or left default
 */
export function pendingSlots(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('[data-rapport-slot]')].filter((s) => !s.hasAttribute(STATE_ATTR) && !asked.has(s));
}

/** Fills under way: the slots they ask about wait hidden (with the stub's style) until the last one settles. */
let filling = 0;

/** Fills every pending slot with one decide request; resolves once all are settled (default where rendering failed). */
async function fillSlots(plan: DecidePlan): Promise<DecideResponse | undefined> {
  const slots = pendingSlots();
  if (!slots.length) return undefined;
  let decision: DecideResponse | undefined;
  slots.forEach((s) => asked.add(s));
  filling++;
  document.documentElement.classList.add(WAIT_CLASS);
  try {
    const remaining = plan.deadline - Date.now();
    if (remaining > 0) {
      const body: DecideBody = {
        ...plan.body,
        // As many items as `data-max` says, or as the default content shows: the answer then takes the space the default did.
        slots: slots.map((s) => {
          const max = Number(s.dataset.max) || Math.min(s.querySelectorAll('[data-rapport-item]').length, LIMITS.slotMax);
          return { id: s.dataset.rapportSlot!, ...(max ? { max } : {}) };
        }),
      };
      const { outcome, response } = await post(plan.url, body, AbortSignal.timeout(remaining));
      if (outcome.kind === 'done' && Date.now() <= plan.deadline) decision = (await response!.json().catch(() => undefined)) as DecideResponse | undefined;
    }
    if (decision) for (const slot of slots) renderSlot(slot, decision, plan.privacy);
  } finally {
    for (const slot of slots) if (!slot.hasAttribute(STATE_ATTR)) settle(slot, 'default');
    if (!--filling) document.documentElement.classList.remove(WAIT_CLASS);
  }
  return decision;
}

/** Gives up on every pending slot (not those a fill is asking about, which settle themselves): default content stays. */
function releaseSlots(): void {
  pendingSlots().forEach((slot) => settle(slot, 'default'));
  if (!filling) document.documentElement.classList.remove(WAIT_CLASS);
}

/**
 * Fills the page's pending slots (`[data-rapport-slot]` neither settled nor
 * being asked about by an earlier call) with one decide request, for the
 * instance `init()` created. Resolves with the
 * decision once every slot is settled, or undefined when none arrived in time
 * or personalization is not granted (slots then keep their default content).
 * Never rejects. The script-tag build calls it on its own.
 * @example
 * import { init, fill } from '@rapport/sdk';
 * init({ endpoint: 'https://rapport.example.com' });
 * await fill(); // after the page's slots are in the DOM
 */
export async function fill(): Promise<DecideResponse | undefined> {
  // Clicks on the items slots render (the same function each time: addEventListener adds it once).
  addEventListener('click', trackClick);
  const plan = instance()?._decide();
  try {
    // No personalization consent: nothing is asked of the server; defaults stay.
    if (plan) return await fillSlots(plan);
  } catch (err) {
    warn('could not fill slots', err);
  }
  releaseSlots();
}
