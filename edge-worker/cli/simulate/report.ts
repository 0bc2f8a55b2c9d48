/**
 * What a simulation reports: one object (the `--json` line) and the same
 * figures as a readable summary.
 */
import type { HeldBackReport, NextItemScore } from './held-back';
import type { Tally } from './visit';

/** Shoppers driven by a browser, when any were: their own tally (the API shoppers' is `api`). */
export interface BrowserTally extends Tally {
  shoppers: number;
  /** Events in collect fetches with no answer read: failed or cut short as a page went away (the SDK sends them again), refused, or answered after the page was gone. */
  unanswered: number;
}

/** Everything one run measured. */
export interface SimulationSummary {
  url: string;
  seed: number;
  shoppers: { total: number; personalized: number; analyticsOnly: number; returning: number; inBrowser: number };
  /** Every shopper's figures, API and browser together. */
  total: Tally;
  api: Tally;
  browser: BrowserTally | null;
  rates: {
    /** Clicks per recommended item shown. */
    clickThrough: number;
    /** Orders per session. */
    conversion: number;
    /** Orders per session that ended with a cart. */
    cartConversion: number;
  };
  currency: string;
  heldBack: HeldBackReport;
  requests: { total: number; rateLimited: number; unavailable: number };
  /** Each shopper's taste (category → weight), consent, planned sessions, and how they shopped. */
  tastes: Array<{ shopper: number; taste: Record<string, number>; personalization: boolean; sessions: number; via: 'api' | 'browser' }>;
  /** A hash of every shopper's plan: tastes, consent, session lengths and held-back sessions. */
  plan: string;
  elapsedSeconds: number;
}

const ratio = (a: number, b: number) => (b ? a / b : 0);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const n = (x: number) => x.toLocaleString('en-US');
const metric = (s: NextItemScore) => `HR@20 ${s.hr20.toFixed(1).padStart(5)}  MRR@20 ${s.mrr20.toFixed(1).padStart(5)}`;

/**
 * The click-through and conversion rates of a tally.
 * @example rates(total).conversion // orders per session
 */
export function rates(t: Tally): SimulationSummary['rates'] {
  return { clickThrough: ratio(t.clicks, t.impressions), conversion: ratio(t.orders, t.sessions), cartConversion: ratio(t.orders, t.carts) };
}

/**
 * The summary as a person reads it.
 * @example console.log(formatSummary(summary));
 */
export function formatSummary(s: SimulationSummary): string {
  const t = s.total;
  const lines = [
    `Simulated ${n(s.shoppers.total)} shoppers against ${s.url} (seed ${s.seed}): ${n(s.shoppers.personalized)} granted analytics + personalization, ${n(s.shoppers.analyticsOnly)} analytics only; ${n(s.shoppers.inBrowser)} in Chromium`,
    `  sessions         ${n(t.sessions)} (${n(s.shoppers.returning)} shoppers came back), ${n(t.views)} product views`,
    `  events           ${n(t.eventsSent)} sent (+${n(t.eventsResent)} sent again), ${n(t.accepted)} accepted, ${n(t.duplicates)} duplicates`,
    `  recommendations  ${n(t.decisions)} decisions, ${n(t.impressions)} items shown, ${n(t.clicks)} clicked (${n(t.relatedClicks)} on a related item): click-through ${pct(s.rates.clickThrough)}`,
    `  carts            ${n(t.cartAdds)} additions; ${n(t.carts)} sessions ended with a cart: ${n(t.orders)} bought, ${n(t.abandoned)} abandoned`,
    `  orders           ${n(t.orders)} worth ${t.revenue.toFixed(2)} ${s.currency}: conversion ${pct(s.rates.conversion)} of sessions, ${pct(s.rates.cartConversion)} of carts`,
  ];
  if (s.browser) {
    const b = s.browser;
    lines.push(
      `  in Chromium      ${n(b.shoppers)} shoppers, ${n(b.sessions)} sessions: ${n(b.eventsSent)} events sent by the SDK, ${n(b.accepted)} accepted, ${n(b.duplicates)} duplicates` +
        `${b.unanswered ? `, ${n(b.unanswered)} unanswered` : ''}; ${n(b.impressions)} shown, ${n(b.clicks)} clicked, ${n(b.orders)} orders`,
    );
  }
  const h = s.heldBack;
  const cases = h.served[0]?.cases ?? h.reference.popularity.cases;
  lines.push(`  held back        ${n(cases)} next-item cases never sent; decide asked as a new visitor for ${h.asked} items:`);
  for (const slot of h.served) {
    const capped = slot.longestList < h.asked ? `  (returns at most ${slot.longestList} items: HR@20 of a ${slot.longestList}-item list)` : '';
    lines.push(`    live "${slot.slot}"`.padEnd(30) + metric(slot) + capped);
  }
  if (h.model) lines.push(`    active model, top 20`.padEnd(30) + metric(h.model) + `  catalog coverage ${h.model.coverage.toFixed(1)} % (${h.model.version})`);
  lines.push(`    offline popularity`.padEnd(30) + metric(h.reference.popularity) + '  (from the sent sessions)');
  lines.push(`    offline next clicks`.padEnd(30) + metric(h.reference.nextClicks) + '  (from the sent sessions)');
  lines.push(`  API requests     ${n(s.requests.total)} (${n(s.requests.rateLimited)} answered 429, ${n(s.requests.unavailable)} answered 503) in ${s.elapsedSeconds.toFixed(1)} s`);
  return lines.join('\n');
}
