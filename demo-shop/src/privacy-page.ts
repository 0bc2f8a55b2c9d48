/**
 * The privacy centre: what Rapport stores and why, in plain words; the
 * shopper's choices (a switch per purpose, and the banner's TCF mode); what
 * is stored about them (the SDK's export, shown readably and as a JSON
 * download); "Forget me" and "Opt out". public/privacy.js runs it through
 * the SDK's `rapport('export' | 'forget')` and the banner's `demoConsent`.
 */
import { html, raw } from 'hono/html';
import { CATEGORIES, categoryTitle, PRODUCTS } from './catalog';
import { modeSentence, purposeSwitches, tcfSwitch } from './consent-banner';
import { layout } from './pages';
import type { Html, View } from './view';

/**
 * The names privacy.js shows for the ids an export holds (products by id,
 * categories by slug), as JSON in the page: `<` is escaped so no name can
 * end the script element.
 */
function namesJson(): string {
  const names = {
    products: Object.fromEntries(PRODUCTS.map((p) => [p.id, p.title])),
    categories: Object.fromEntries(CATEGORIES.map((c) => [c, categoryTitle(c)])),
  };
  return JSON.stringify(names).replace(/</g, '\\u003c');
}

export function privacyPage(view: View): Html {
  return layout(
    view,
    'Privacy centre',
    html`<div class="privacy">
<h1>Privacy centre</h1>
<p class="privacy-lead">This shop personalizes with Rapport, open-source software that runs on the shop's own server. Here you can see what it keeps about you, change what you allow, and have it all erased.</p>

<section aria-labelledby="privacy-what">
  <h2 id="privacy-what">What is stored, and why</h2>
  <p>Nothing at all until you allow it. Then:</p>
  <ul>
    <li><strong>A random id.</strong> The shop's server gives this browser an id made of random numbers, kept in the browser's storage (not a cookie). It says nothing about who you are: no name, email, address, IP address or browser details are kept.</li>
    <li><strong>With Measurement:</strong> what you view, click, put in your cart and buy (which products, and when), and which version of a page you were shown, to count what works. These records also teach the shop which products go together; they are deleted after 180 days.</li>
    <li><strong>With Personalization:</strong> a short profile: the last products you looked at, the categories you seem to like, your cart and what you bought, to recommend products. It is deleted 30 days after your last visit.</li>
    <li><strong>In this browser:</strong> while a visit lasts, the products you viewed in it (with Personalization), and events not yet sent (for a moment, or until you are back online).</li>
  </ul>
  <p>No other company receives any of it.</p>
</section>

<section aria-labelledby="privacy-choices">
  <h2 id="privacy-choices">Your choices</h2>
  <p data-privacy-current></p>
  <form class="privacy-form" data-privacy-form>
    <fieldset>
      <legend>Allow, purpose by purpose</legend>
      ${purposeSwitches(view.cmp, 'privacy')}
    </fieldset>
    <button type="submit">Save choices</button>
    <p class="privacy-status" role="status" data-privacy-status="choices"></p>
  </form>
  <h3>How consent is asked</h3>
  <p>${modeSentence(view.cmp)}</p>
  ${tcfSwitch(view.cmp, 'privacy-tcf')}
</section>

<section aria-labelledby="privacy-stored">
  <h2 id="privacy-stored">What is stored about you</h2>
  <p>Everything Rapport keeps about you, in this browser and on the shop's server, as it is right now.</p>
  <p class="privacy-actions">
    <button type="button" data-privacy-export>Show what is stored about me</button>
    <a class="button secondary" data-privacy-download download="rapport-data.json" hidden>Download as JSON</a>
  </p>
  <p class="privacy-status" role="status" data-privacy-status="export"></p>
  <div class="privacy-export" data-privacy-export-result></div>
</section>

<section aria-labelledby="privacy-forget">
  <h2 id="privacy-forget">Forget me</h2>
  <p>Erases everything: your profile and records on the shop's server, and the id, this visit and any waiting events in this browser. If you still allow Measurement or Personalization, browsing on starts afresh with a new id.</p>
  <button type="button" data-privacy-forget>Forget me</button>
  <p class="privacy-status" role="status" data-privacy-status="forget"></p>
</section>

<section aria-labelledby="privacy-opt-out">
  <h2 id="privacy-opt-out">Opt out</h2>
  <p>Withdraws both purposes, the same as “Reject all” in the banner: nothing more is collected, and what was stored is erased.</p>
  <button type="button" data-privacy-opt-out>Opt out</button>
  <p class="privacy-status" role="status" data-privacy-status="opt-out"></p>
</section>
</div>
<script type="application/json" id="privacy-names">${raw(namesJson())}</script>`,
    { head: html`<script defer src="/privacy.js"></script>` },
  );
}
