/**
 * The shop's consent banner: what it asks (Rapport's two purposes, in plain
 * words), with rejecting as easy as accepting, and what <head> needs to run
 * it. public/consent.js shows it when the shopper has not chosen yet, applies
 * their choice and re-opens it from the footer.
 *
 * With the `demo_cmp` cookie set to `tcf` the same banner plays an IAB TCF
 * v2.2 CMP: <head> then starts with IAB's `__tcfapi` stub and the CMP
 * (/js/tcf-cmp.js, built from demo-shop/bundles/tcf-cmp.ts), which the SDK
 * follows by itself, and the banner names the TCF purposes each choice records.
 */
import { html, raw } from 'hono/html';
import { TCF_PURPOSE_NAMES, TCF_PURPOSES, type Choice } from '../bundles/tcf/purposes';
import { CMP_COOKIE, type Cmp, type Html } from './view';

/**
 * IAB's CMP stub, as the TCF's CMP JS API describes it: until the CMP has
 * loaded, `__tcfapi()` returns the queue, answers `ping` itself and queues
 * every other command, which IAB's CmpApi takes over and answers once it
 * knows the shopper's choice. (No `__tcfapiLocator` frame: no frame on this
 * shop calls the CMP.)
 */
const TCF_STUB = `<script>(function(w){if(w.__tcfapi)return;var q=[];w.__tcfapi=function(command,version,callback){if(!arguments.length)return q;if(command==="ping")callback({gdprApplies:void 0,cmpLoaded:false,cmpStatus:"stub",displayStatus:"hidden",apiVersion:"2.2"},true);else q.push([].slice.call(arguments))}})(window)</script>`;

/**
 * What <head> needs for the banner: its stylesheet and script, and in TCF
 * mode first the stub and the CMP, which must answer `__tcfapi` by the
 * page's load event (the SDK looks for it until then). The CMP, a module,
 * runs before consent.js: deferred scripts and modules run in document order.
 */
export function consentHead(cmp: Cmp): Html {
  return html`<link rel="stylesheet" href="/css/consent.css">
${cmp === 'tcf' ? html`${raw(TCF_STUB)}
<script type="module" src="/js/tcf-cmp.js"></script>
` : ''}<script defer src="/consent.js"></script>`;
}

/** What each purpose does, as the banner and the privacy centre say it. */
const PURPOSES: ReadonlyArray<{ key: keyof Choice; name: string; what: string }> = [
  { key: 'analytics', name: 'Measurement', what: 'counting what you view, click and buy, to measure and improve the shop' },
  { key: 'personalization', name: 'Personalization', what: 'remembering what you look at, to recommend products you may like' },
];

/** Which banner is asking, in a sentence. */
export function modeSentence(cmp: Cmp): Html {
  return cmp === 'tcf'
    ? html`This banner is playing an <strong>IAB TCF v2.2 CMP</strong>: your choice is kept as a TC string (cookie <code>euconsent-v2</code>), which Rapport reads through <code>__tcfapi</code>.`
    : html`This is the <strong>shop's own banner</strong>: it tells Rapport your choice through Rapport's consent API.`;
}

/**
 * The switch that plays the banner as a TCF CMP (consent.js sets or clears
 * the cookie and reloads). `id` keeps it unique where two are on one page.
 */
export function tcfSwitch(cmp: Cmp, id: string): Html {
  return html`<div class="consent-switch">
  <input type="checkbox" role="switch" id="${id}" data-consent-tcf data-cmp-cookie="${CMP_COOKIE}" aria-describedby="${id}-hint"${cmp === 'tcf' ? raw(' checked') : ''}>
  <label for="${id}">Play this banner as an IAB TCF v2.2 CMP</label>
  <p class="consent-hint" id="${id}-hint">A demonstration of Rapport following a TCF consent platform by itself. The page reloads when you switch.</p>
</div>`;
}

/** Under a purpose's switch in TCF mode: the TCF purposes it records. */
function tcfPurposes(key: keyof Choice): Html {
  const ids = TCF_PURPOSES[key];
  return html`<span class="consent-tcf-purposes">Recorded as TCF purposes ${ids.join(', ')}: ${ids.map((id) => TCF_PURPOSE_NAMES[id]).join('; ')}.</span>`;
}

/**
 * One switch per purpose, named `analytics` and `personalization`, checked by
 * the script from the current choice. `prefix` keeps their ids unique.
 */
export function purposeSwitches(cmp: Cmp, prefix: string): Html {
  return html`${PURPOSES.map(
    ({ key, name, what }) => html`<div class="consent-switch">
  <input type="checkbox" role="switch" id="${prefix}-${key}" name="${key}" aria-describedby="${prefix}-${key}-hint">
  <label for="${prefix}-${key}">${name}</label>
  <p class="consent-hint" id="${prefix}-${key}-hint">${what[0]!.toUpperCase()}${what.slice(1)}.${cmp === 'tcf' ? html` ${tcfPurposes(key)}` : ''}</p>
</div>`,
  )}`;
}

/**
 * The banner: a labelled region, hidden until consent.js shows it (first
 * visit, or re-opened from the footer). "Accept all" and "Reject all" look
 * and weigh the same; "Choose" reveals a switch per purpose, "Save choices"
 * and the TCF switch. The status line outside it announces a saved choice
 * once the banner has closed.
 */
export function consentBanner(cmp: Cmp): Html {
  return html`<section class="consent" data-consent-banner data-cmp="${cmp}" aria-labelledby="consent-title" hidden>
  <div class="consent-head">
    <h2 id="consent-title" tabindex="-1">Your privacy choices</h2>
    <button type="button" class="consent-close secondary" data-consent-close hidden>Close<span class="visually-hidden"> privacy choices</span></button>
  </div>
  <p>This shop uses Rapport, which can work for you in two ways, only if you allow it:</p>
  <ul class="consent-purposes">
    ${PURPOSES.map(({ name, what }) => html`<li><strong>${name}</strong>: ${what}.</li>`)}
  </ul>
  <p class="consent-hint">Rapport knows you only by a random id, never your name or email, and forgets what you looked at 30 days after your last visit. Change your mind any time with “Cookie and privacy choices” at the bottom of every page, or in the <a href="/privacy">privacy centre</a>.</p>
  <p class="consent-current" data-consent-current hidden></p>
  <div class="consent-actions">
    <button type="button" data-consent-choice="all">Accept all</button>
    <button type="button" data-consent-choice="none">Reject all</button>
    <button type="button" class="secondary" data-consent-choose aria-expanded="false" aria-controls="consent-choose">Choose</button>
  </div>
  <form id="consent-choose" class="consent-choose" data-consent-form hidden>
    <fieldset>
      <legend>Allow, purpose by purpose</legend>
      ${purposeSwitches(cmp, 'consent')}
    </fieldset>
    <button type="submit">Save choices</button>
    <fieldset class="consent-mode">
      <legend>How consent is asked</legend>
      ${tcfSwitch(cmp, 'consent-tcf')}
    </fieldset>
  </form>
  <p class="consent-mode-line">${modeSentence(cmp)}</p>
</section>
<p class="visually-hidden" role="status" data-consent-status></p>`;
}
