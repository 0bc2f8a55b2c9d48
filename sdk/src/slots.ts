/**
 * Personalized slots. Every `[data-rapport-slot]` on the page is decided in
 * one request. Only the slots wait (hidden by the stub's CSS), never the page,
 * and for at most the timeout: whatever has not arrived by then leaves the
 * slot's default content in place.
 */
import { WAIT_CLASS } from './stub';
import { post } from './transport';
import type { DecideBody, Decision, DecidedItem } from './wire';

/** Attribute set on a slot once settled: `filled` or `default`. */
export const STATE_ATTR = 'data-rapport-state';

/** Options for one fill of the page's slots. */
export interface FillOptions {
  decideUrl: string;
  vid?: string;
  context: DecideBody['context'];
  /** Epoch ms after which decisions are no longer rendered. */
  deadline: number;
}

/** What `data-rapport-field` elements can show: an item's or a variant's fields. */
type Fields = Partial<DecidedItem> & { title: string; reason: string; url: string; body?: string };

const FIELDS: Record<string, (el: HTMLElement, data: Fields) => void> = {
  title: (el, data) => (el.textContent = data.title),
  reason: (el, data) => (el.textContent = data.reason),
  body: (el, data) => (el.textContent = data.body ?? ''),
  price: (el, data) => (el.textContent = data.price?.toFixed(2) ?? ''),
  image: (el, data) => {
    el.setAttribute('src', data.image ?? '');
    el.setAttribute('alt', data.title);
  },
  url: (el, data) => el.setAttribute('href', data.url),
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
    root.setAttribute('href', item.url);
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
 */
export function renderSlot(slot: HTMLElement, decision: Decision): void {
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

/** Finds the page's slots; the ones already settled are left alone. */
export function pendingSlots(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('[data-rapport-slot]')].filter((s) => !s.hasAttribute(STATE_ATTR));
}

/** Fills every pending slot with one decide request; resolves once all are settled. */
export async function fillSlots(options: FillOptions): Promise<Decision | undefined> {
  const slots = pendingSlots();
  if (!slots.length) return undefined;
  const remaining = options.deadline - Date.now();
  let decision: Decision | undefined;
  if (remaining > 0) {
    const body: DecideBody = {
      v: 1,
      ...(options.vid ? { vid: options.vid } : {}),
      slots: slots.map((s) => ({ id: s.dataset.rapportSlot!, ...(s.dataset.max ? { max: Number(s.dataset.max) } : {}) })),
      context: options.context,
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    const { outcome, response } = await post(options.decideUrl, body, controller.signal);
    clearTimeout(timer);
    if (outcome.kind === 'done' && Date.now() <= options.deadline) decision = (await response!.json().catch(() => undefined)) as Decision | undefined;
  }
  for (const slot of slots) decision ? renderSlot(slot, decision) : settle(slot, 'default');
  document.documentElement.classList.remove(WAIT_CLASS);
  return decision;
}

/** Gives up on every pending slot: default content stays. */
export function releaseSlots(): void {
  pendingSlots().forEach((slot) => settle(slot, 'default'));
  document.documentElement.classList.remove(WAIT_CLASS);
}
