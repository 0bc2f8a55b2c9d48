/**
 * The gift finder, the shop's single-page section (/gifts): an app that uses
 * Rapport's npm build exactly as the SDK's README tells an app to. It starts
 * the SDK waiting for consent, follows the shop's banner (its `demo:consent`
 * event, or the TC string when the banner plays an IAB TCF CMP), lets
 * autocapture count product views and clicks, and fills each view's slots
 * once it is rendered. Page views need no code: the SDK counts one per route
 * change itself.
 */
import { autocapture, consent, fill, init, tcf, type Consent } from '@rapport/sdk';
import { startRouter } from './spa/router';
import { failed, notFound, routes } from './spa/views';

init({ endpoint: location.origin, consent: 'pending', privacyUrl: '/privacy', sources: [tcf()] });
autocapture();
// The shop's banner announces each choice it applies (see demo-shop/public/consent.js). Playing an IAB TCF
// CMP (its `__tcfapi` on the page), it records the choice as a TC string, which the SDK follows by itself
// through `tcf()`, as the script tag does on the shop's other pages.
document.addEventListener('demo:consent', (e) => {
  if (!('__tcfapi' in window)) consent((e as CustomEvent<Consent>).detail);
});

startRouter({
  base: '/gifts',
  outlet: document.querySelector<HTMLElement>('[data-spa-view]')!,
  status: document.querySelector<HTMLElement>('[data-spa-status]')!,
  routes,
  notFound,
  failed,
  site: 'Rapport demo shop',
  // After autocapture has seen the new view's product (its observer runs in the microtask the render queued
  // first), so that the decision knows the product on screen.
  rendered: () => queueMicrotask(() => void fill()),
});
