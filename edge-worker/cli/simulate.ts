/**
 * Simulated shoppers against a running Rapport Worker, to make the learning
 * loop visible: shoppers with known tastes (see `simulate/shoppers.ts` for
 * the whole model) browse, click recommendations, fill and abandon carts and
 * buy, through the real wire API (`simulate/visit.ts`), a few of them in a
 * real browser when the caller brings one; then sessions they never sent
 * measure the served model's next-item predictions (`simulate/held-back.ts`).
 * `npm run simulate` runs it against the demo shop (`scripts/simulate.ts`).
 */
import { createHash } from 'node:crypto';
import { workerClient } from './simulate/client';
import { evaluateHeldBack } from './simulate/held-back';
import { rates, type BrowserTally, type SimulationSummary } from './simulate/report';
import { buildWorld, makeShoppers, type Shopper, type ShopItem, type World } from './simulate/shoppers';
import { addTally, CURRENCY, emptyTally, runVisits, type PageSlot, type Visit } from './simulate/visit';

/** What shoppers driven by a browser did: their tally and the sessions they sent. */
export interface BrowserOutcome {
  tally: BrowserTally;
  sessions: string[][];
}

/** Options for {@link simulate}. */
export interface SimulateOptions {
  /** The Worker's base URL. */
  url: string;
  /** The catalog the Worker serves (its published feed). */
  catalog: readonly ShopItem[];
  /** Shoppers in all, browser ones included. */
  shoppers: number;
  seed: number;
  /** The slots a product page asks decide about. */
  pageSlots: readonly PageSlot[];
  /** The item slots the held-back sessions are measured on. */
  evalSlots: readonly string[];
  /** Shoppers driven through the API at the same time (default 8: enough to keep the pace the rate limits allow). */
  concurrency?: number;
  /** How many of the shoppers (the last ones) `browse` drives instead of the API. */
  browsers?: number;
  browse?: (world: World, shoppers: Shopper[]) => Promise<BrowserOutcome>;
  /** Called as API shoppers finish. */
  onProgress?: (done: number, total: number) => void;
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** Runs `task` over `items`, at most `concurrency` at a time, keeping the order of the results. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Runs the shoppers and the held-back evaluation against the Worker at `url`.
 * @example
 * const summary = await simulate({ url: 'http://127.0.0.1:8787', catalog, shoppers: 50, seed: 1,
 *   pageSlots: [{ id: 'similar', max: 4 }], evalSlots: ['similar'] });
 * console.log(formatSummary(summary));
 */
export async function simulate(options: SimulateOptions): Promise<SimulationSummary> {
  const started = performance.now();
  const world = buildWorld(options.catalog, options.seed);
  const shoppers = makeShoppers(world, options.shoppers, options.seed);
  const inBrowser = options.browse ? Math.min(options.browsers ?? 0, shoppers.length) : 0;
  const viaApi = shoppers.slice(0, shoppers.length - inBrowser);
  const client = workerClient(options.url);

  let finished = 0;
  const visits: Visit[] = await pool(viaApi, options.concurrency ?? 8, async (shopper) => {
    const visit = await runVisits(client, world, shopper, shopper.personalization ? options.pageSlots : []);
    options.onProgress?.(++finished, viaApi.length);
    return visit;
  });
  const browsed = inBrowser ? await options.browse!(world, shoppers.slice(viaApi.length)) : undefined;

  const sent = [...visits.flatMap((v) => v.sessions), ...(browsed?.sessions ?? [])];
  const heldBack = await evaluateHeldBack(client, world, shoppers.map((s) => s.heldBack), sent, options.evalSlots);
  const api = visits.map((v) => v.tally).reduce(addTally, emptyTally());
  const total = addTally(addTally(emptyTally(), api), browsed?.tally ?? emptyTally());
  const plan = shoppers.map(({ taste, personalization, sessionLengths, heldBack }) => ({ taste, personalization, sessionLengths, heldBack }));
  return {
    url: options.url,
    seed: options.seed,
    shoppers: {
      total: shoppers.length,
      personalized: shoppers.filter((s) => s.personalization).length,
      analyticsOnly: shoppers.filter((s) => !s.personalization).length,
      returning: shoppers.filter((s) => s.sessionLengths.length > 1).length,
      inBrowser,
    },
    total,
    api,
    browser: browsed?.tally ?? null,
    rates: rates(total),
    currency: CURRENCY,
    heldBack,
    requests: { total: client.stats.requests, rateLimited: client.stats.rateLimited, unavailable: client.stats.unavailable },
    tastes: shoppers.map((s, i) => ({
      shopper: s.index,
      taste: Object.fromEntries(s.taste.map((t) => [t.category, Math.round(t.weight * 1000) / 1000])),
      personalization: s.personalization,
      sessions: s.sessionLengths.length,
      via: i < viaApi.length ? 'api' : 'browser',
    })),
    plan: digest(plan),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
}
