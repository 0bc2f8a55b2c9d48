/**
 * The gift finder's shell: the shop's frame around an empty stage that the
 * single-page app (demo-shop/bundles/spa.ts) renders every route of
 * /gifts into, from the gift finder's JSON API (spa-api.ts). The app imports
 * Rapport's npm build itself, so this page loads no script-tag SDK.
 */
import { html } from 'hono/html';
import { layout } from './pages';
import type { Html, View } from './view';

export function spaPage(view: View): Html {
  return layout(
    view,
    'Gift finder',
    html`<div class="spa" data-spa-view aria-busy="true">
  <h1 tabindex="-1">Gift finder</h1>
  <p>Loading gift ideas…</p>
  <noscript><p>The gift finder runs in your browser and needs JavaScript. <a href="/categories">Browse the shop's categories</a> instead.</p></noscript>
</div>
<p class="visually-hidden" role="status" data-spa-status></p>`,
    { sdk: 'none', head: html`<link rel="stylesheet" href="/css/spa.css"><script type="module" src="/js/spa.js"></script>` },
  );
}
