/**
 * Simulated shoppers in real Chromium on the demo shop's pages: the shop's
 * own script and the real SDK (script tag) do all the talking to the
 * Worker, exactly as for a person. Each shopper is a fresh browser profile:
 * consent through the shop's banner ("Yes, personalize"; a shopper who grants
 * analytics only says so through the SDK's `rapport('consent', …)`, which the
 * banner does not offer), product pages visited by URL along their walk,
 * recommended items clicked in the filled slots by the same formula as the
 * API shoppers, "Add to cart" and "Buy now" pressed. Each session is a new tab
 * (the SDK's session lives in the tab); the shop keeps an abandoned cart in
 * the browser, so it is still in the cart in the next session.
 *
 * Counting: Playwright sees the SDK's fetches but not its beacons (sent as a
 * page hides). So "sent" is the distinct events of the fetches, "duplicates"
 * what the Worker answered them (mostly events a beacon had delivered
 * first), and "accepted" is the Worker's own count of the visitor's events
 * (`GET /v1/privacy/export`), beacons included; for a shopper without
 * personalization, who has no profile to export, the fetches' answers.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BrowserOutcome } from '../edge-worker/cli/simulate';
import type { BrowserTally } from '../edge-worker/cli/simulate/report';
import { afterPage, buys, cartQuantity, cartValue, chooseClick, firstView, type Shopper, type World } from '../edge-worker/cli/simulate/shoppers';
import { addTally, emptyTally } from '../edge-worker/cli/simulate/visit';
import type { CollectBody, CollectResponse } from '../sdk/src/wire';
import { launchChromium } from '../tests/support/chromium';

/** How long to wait for the SDK's last collect answers before a tab closes. */
const DRAIN_MS = 5000;

type Rapport = { rapport(...call: unknown[]): unknown };

/** Counts what the SDK sent to `/v1/collect` and what the Worker answered, for one browser profile. */
function watchCollects(context: BrowserContext, tally: BrowserTally) {
  const ids = new Set<string>();
  const open = new Map<object, number>();
  let accepted = 0;
  let unanswered = 0;
  /** Answers other than 200, by status: the SDK waits out a 429 or 503 and splits a 400. */
  const refused = new Map<number, number>();
  context.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/v1/collect')) return;
    const body = JSON.parse(request.postData() ?? '{}') as Partial<CollectBody>;
    const events = body.events ?? [];
    for (const ev of events) {
      if (ids.has(ev.id)) tally.eventsResent++;
      else (ids.add(ev.id), tally.eventsSent++);
    }
    open.set(request, events.length);
  });
  context.on('response', async (response) => {
    const request = response.request();
    if (!open.has(request)) return;
    const answer = response.ok() ? ((await response.json().catch(() => null)) as CollectResponse | null) : null;
    if (answer) {
      accepted += answer.accepted;
      tally.duplicates += answer.duplicates;
    } else {
      // Refused, or its body gone with the page that asked (then what it accepted is unknown here).
      if (!response.ok()) refused.set(response.status(), (refused.get(response.status()) ?? 0) + 1);
      unanswered += open.get(request)!;
    }
    open.delete(request);
  });
  // A fetch cut short as its page went away: the SDK still holds its events and sends them again.
  context.on('requestfailed', (request) => {
    unanswered += open.get(request) ?? 0;
    open.delete(request);
  });
  return {
    /** Resolves once every collect request has its answer or has failed, or after {@link DRAIN_MS}. */
    async drained() {
      const deadline = Date.now() + DRAIN_MS;
      while (open.size && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    },
    /** Events the answers accepted (beacons' answers unseen). */
    accepted: () => accepted,
    refused,
    /** Events in requests that failed, were refused or were never answered. */
    unanswered: () => unanswered + [...open.values()].reduce((sum, n) => sum + n, 0),
  };
}

/** The page's slots once all have settled: the items the filled ones show, with their slot. */
async function shownItems(page: Page): Promise<Array<{ id: string; slot: string }>> {
  await page.waitForFunction(() => document.querySelectorAll('[data-rapport-slot]:not([data-rapport-state])').length === 0);
  return page.$$eval('[data-rapport-slot][data-rapport-state="filled"] [data-rapport-item]', (els) =>
    els.map((el) => ({ id: (el as HTMLElement).dataset.rapportItem!, slot: el.closest<HTMLElement>('[data-rapport-slot]')!.dataset.rapportSlot! })),
  );
}

/** Sends what the SDK still holds, then waits for the answers. */
async function flush(page: Page, collects: ReturnType<typeof watchCollects>): Promise<void> {
  await page.evaluate(() => (window as unknown as Rapport).rapport('flush'));
  await collects.drained();
}

/**
 * Events the Worker counted for the visitor whose id the SDK keeps in `page`
 * (undefined without a profile), once it counts at least `want` or 15 s have
 * passed: a fetch a navigation cut short leaves its events to the SDK's
 * queue, which sends them again after its backoff, and a slot seen on the
 * last page reports its impression a second later.
 */
async function acceptedByWorker(page: Page, url: string, want: () => number): Promise<number | undefined> {
  const vid = await page.evaluate(() => localStorage.getItem('rapport_vid'));
  if (!vid) return undefined;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${url}/v1/privacy/export`, { headers: { authorization: `Bearer ${vid}` } });
    // The visitor's own rate limit counts these requests too: wait it out.
    if (res.status === 429) {
      await new Promise((done) => setTimeout(done, 1000 * Number(res.headers.get('retry-after') ?? 10)));
      continue;
    }
    if (!res.ok) throw new Error(`GET /v1/privacy/export answered ${res.status}: ${await res.text()}`);
    const events = ((await res.json()) as { profile: { counts: { events: number } } | null }).profile?.counts.events;
    if (events === undefined || events >= want() || Date.now() > deadline) return events;
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** One shopper's sessions in a browser profile of their own. */
async function browseAs(browser: Browser, url: string, world: World, shopper: Shopper): Promise<BrowserOutcome> {
  const context = await browser.newContext();
  const tally: BrowserTally = { ...emptyTally(), shoppers: 1, unanswered: 0 };
  const collects = watchCollects(context, tally);
  const sessions: string[][] = [];
  // The shop's cart lives in the browser: an abandoned one is still there next time.
  const cart = new Map<string, number>();
  let exported: number | undefined;
  try {
    let page = await context.newPage();
    await page.goto(url);
    if (shopper.personalization) await page.click('[data-consent-choice="all"]');
    else await page.evaluate(() => (window as unknown as Rapport).rapport('consent', { analytics: true, personalization: false }));
    for (const [s, length] of shopper.sessionLengths.entries()) {
      if (s > 0) page = await context.newPage();
      const views: string[] = [];
      let item = firstView(world, shopper, shopper.random);
      await page.goto(`${url}/p/${item}`);
      tally.sessions++;
      for (;;) {
        views.push(item);
        let clicked: string | undefined;
        if (shopper.personalization) {
          const shown = await shownItems(page);
          if (shown.length) tally.decisions++;
          tally.impressions += shown.length;
          clicked = chooseClick(world, shopper, item, shown.map((x) => x.id), shopper.random);
          if (clicked) {
            tally.clicks++;
            if (world.related.get(item)!.includes(clicked)) tally.relatedClicks++;
          }
        }
        const qty = cartQuantity(world, shopper, item, shopper.random);
        const form = page.locator(`[data-rapport-product="${item}"] [data-cart-form]`);
        if (qty && (await form.locator('button:not([disabled])').count())) {
          await form.getByLabel('Quantity').selectOption(String(Math.min(qty, 5)));
          await form.getByRole('button', { name: 'Add to cart' }).click();
          await form.locator('[data-added]').filter({ hasText: 'in your cart' }).waitFor();
          cart.set(item, (cart.get(item) ?? 0) + Math.min(qty, 5));
          tally.cartAdds++;
        }
        const next = afterPage(world, shopper, item, clicked, views.length, length);
        if (next === undefined) break;
        // A person reads a page for a while, long enough for the SDK to send its batch; leaving at once
        // would cut the fetch short and leave the events to the beacon and to the next page's resend.
        await flush(page, collects);
        if (clicked) {
          await page.click(`[data-rapport-slot][data-rapport-state="filled"] [data-rapport-item="${clicked}"] a`);
          await page.waitForURL(`**/p/${clicked}`);
        } else await page.goto(`${url}/p/${next}`);
        item = next;
      }
      tally.views += views.length;
      sessions.push(views);
      if (cart.size) {
        tally.carts++;
        if (buys(shopper.random)) {
          await page.goto(`${url}/checkout`);
          await page.getByLabel('Full name').fill(`Shopper ${shopper.index}`);
          await page.getByLabel('Email').fill(`shopper${shopper.index}@example.com`);
          await page.getByLabel('Delivery address').fill('1 Demo Street');
          await page.getByRole('button', { name: /^Place order/ }).click();
          await page.waitForURL('**/order/*');
          tally.orders++;
          tally.revenue += cartValue(world, cart);
          cart.clear();
        } else {
          tally.abandoned++;
        }
      }
      await flush(page, collects);
      if (s === shopper.sessionLengths.length - 1) exported = await acceptedByWorker(page, url, () => tally.eventsSent);
      await page.close();
    }
  } finally {
    await collects.drained();
    tally.unanswered = collects.unanswered();
    for (const [status, times] of collects.refused) process.stderr.write(`simulate: shopper ${shopper.index} in Chromium: collect answered ${status} ×${times}\n`);
    tally.accepted = exported ?? collects.accepted();
    await context.close();
  }
  return { tally, sessions };
}

/**
 * Runs `shoppers` one after another in Chromium on the demo shop at `url`.
 * @example const outcome = await browseDemoShop('http://localhost:8795', world, shoppers.slice(-2));
 */
export async function browseDemoShop(url: string, world: World, shoppers: readonly Shopper[]): Promise<BrowserOutcome> {
  const browser = await launchChromium();
  const tally: BrowserTally = { ...emptyTally(), shoppers: 0, unanswered: 0 };
  const sessions: string[][] = [];
  try {
    for (const shopper of shoppers) {
      const outcome = await browseAs(browser, url, world, shopper);
      // Every field, `shoppers` and `unanswered` included.
      addTally(tally, outcome.tally);
      sessions.push(...outcome.sessions);
    }
  } finally {
    await browser.close();
  }
  return { tally, sessions };
}
