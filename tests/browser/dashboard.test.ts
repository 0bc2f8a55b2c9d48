/**
 * The uplift dashboard against a live demo Worker, nothing stood in for:
 * real traffic through the wire API (the holdout's uplift simulation, then
 * a bandit on the hero banner, an A/B test and an interleaving of the
 * active model), the bandit's scheduled update run twice, and the page at
 * /admin/ in Chromium drawing the real `GET /v1/admin/report`. Every chart's
 * marks are checked against the report the test reads at the same moment,
 * and the page is photographed at 1280 and 390 px; the 1280 px one is the
 * README's picture (docs/images/dashboard.png).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, seed } from '../../demo-shop/scripts/seed';
import { catalogFeed } from '../../demo-shop/src/catalog';
import { DEMO_SLOTS } from '../../demo-shop/src/seed';
import { adminClient, adminTarget, type AdminClient } from '../../edge-worker/cli/admin-client';
import { workerClient, type WorkerClient } from '../../edge-worker/cli/simulate/client';
import { simulateUplift } from '../../edge-worker/cli/simulate/uplift';
import { DEVELOPMENT_ADMIN_TOKEN, ROOT, startDevServer, type DevServer } from '../../edge-worker/cli/wrangler';
import type { Comparison, Report } from '../../edge-worker/src/contract/report';
import type { ExperimentsConfig } from '../../edge-worker/src/experiments/config';
import { seededRandom } from '../../edge-worker/src/model/random';
import { decodeArtifact, encodeArtifact } from '../../edge-worker/src/model/artifact';
import { publishExperiments, publishModel } from '../../edge-worker/src/published/published';
import type { Purpose, WireEvent } from '../../sdk/src/wire';
import { expectLine, forestRows, marks as marksOn, values, vertices } from './dashboard-marks';
import { expectAccessible } from './axe';
import { perTestPage } from './support';

const PORT = Number(process.env.RAPPORT_DASHBOARD_LIVE_TEST_PORT ?? 8798);
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
/** The README's picture of the dashboard. */
/** The README's picture: written beside the other screenshots, and into docs/ only when asked (a test run leaves the checkout as it was). */
const README_IMAGE = process.env.RAPPORT_UPDATE_README_IMAGES === '1' ? join(ROOT, 'docs', 'images', 'dashboard.png') : join(SCREENSHOTS, 'dashboard-readme.png');

/**
 * The bandits' cron (`BANDIT_CRON` in edge-worker/src/experiments/allocation.ts,
 * which imports the Workers runtime and so cannot be loaded in Node).
 */
const BANDIT_CRON = '*/10 * * * *';
/** The demo's product page slots (as `npm run simulate` asks for them). */
const PRODUCT_PAGE_SLOTS = [
  { id: 'similar', max: 4 },
  { id: 'recommended', max: 4 },
];
const ITEMS = catalogFeed().map((item) => item.id);
const HERO = DEMO_SLOTS.hero!;
if (HERO.kind !== 'variants') throw new Error('the demo hero is a variant slot');
/** The hero's variants this test's bandit shows (the demo's cart reminder needs a cart, which these visitors never fill). */
const [FAVOURITE, WELCOME, EVERYONE] = ['favourite-category', 'welcome', 'everyone'].map((id) => {
  if (!HERO.variants.some((v) => v.id === id)) throw new Error(`the demo hero has no variant "${id}"`);
  return id;
}) as [string, string, string];
/** A click on the hero banner, by the variant shown: the returning visitor's favourite category draws best. */
const HERO_CLICKS: Record<string, number> = { [FAVOURITE]: 0.4, [WELCOME]: 0.2, [EVERYONE]: 0.1 };

let server: DevServer;
let persistTo: string;
let client: WorkerClient;
let admin: AdminClient;

beforeAll(async () => {
  mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
  persistTo = mkdtempSync(join(ROOT, '.wrangler', 'dashboard-live-'));
  seed(persistTo);
  // Visitors' counts reach the counter shards a second after their first event, not a minute: the report settles at once.
  server = await startDevServer({ port: PORT, persistTo, config: DEMO_CONFIG, testScheduled: true, vars: { COUNTER_FLUSH_SECONDS: '1' } });
  client = workerClient(server.url);
  admin = adminClient(adminTarget(server.url));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

let page: Page;
perTestPage((fresh) => ({ page } = fresh));
const marks = (selector: string) => marksOn(page, selector);

const randomId = () => randomBytes(12).toString('base64url');
/** The report without its time of generation: two reads of settled counters agree on the rest. */
const content = ({ generatedAt: _, ...rest }: Report) => rest;

/** The report's answer where it has no estimate: no lift, in intervals of no width. */
const uninformative = (c: Comparison) => c.lift === 0 && c.ci[0] === 0 && c.ci[1] === 0 && c.sequentialCi[0] === 0 && c.sequentialCi[1] === 0;

/** The report once the counters have settled: two reads a second apart agree (deliveries follow the answers). */
async function settledReport(): Promise<Report> {
  let last = await admin.report();
  for (let attempt = 0; attempt < 30; attempt++) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = await admin.report();
    if (JSON.stringify(content(next)) === JSON.stringify(content(last))) return next;
    last = next;
  }
  throw new Error('the report kept changing after the traffic stopped');
}

/**
 * Loads the dashboard afresh and waits until it has drawn the report. The page takes the token
 * out of its address, so going to the address with the token again would only change the
 * fragment of the page already open (no new load), while a resize may be redrawing it.
 */
async function openDashboard(): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${server.url}/admin/#token=${DEVELOPMENT_ADMIN_TOKEN}`);
  await page.locator('#bias').waitFor();
}

/** Runs the bandits' scheduled update, as the cron would. */
async function runBanditCron(): Promise<void> {
  const res = await fetch(`${server.url}/__scheduled?cron=${encodeURIComponent(BANDIT_CRON).replace(/%20/g, '+')}`);
  expect(res.status, await res.text()).toBe(200);
}

/**
 * Visitors on a product page with the hero banner: each is decided for the
 * three slots, reports a viewable impression of each slot answered, clicks
 * the banner as likely as its variant draws (`HERO_CLICKS`), clicks an item
 * of `similar` or `recommended` now and then, and sometimes buys.
 */
async function productPageVisitors(from: number, count: number, random: () => number): Promise<void> {
  const consent: Purpose[] = ['analytics', 'personalization'];
  const visit = async (index: number) => {
    const who = `experiments-${index}`;
    const item = ITEMS[Math.floor(random() * ITEMS.length)]!;
    const [heroDraw, itemDraw, pickDraw, buyDraw] = [random(), random(), random(), random()];
    const sid = randomId();
    const event = (ev: Record<string, unknown>) => ({ id: randomId(), ts: Date.now(), ...ev }) as WireEvent;
    const { vid } = await client.collect({ v: 1, sid, consent, events: [event({ type: 'page_view', path: `/p/${item}` }), event({ type: 'product_view', item })] }, who);
    const decision = await client.decide({ v: 1, vid, consent, slots: [{ id: 'hero' }, ...PRODUCT_PAGE_SLOTS], context: { item } }, who);
    const at = { decision: decision.decisionId };
    const events = Object.keys(decision.slots).map((slot) => event({ type: 'impression', ...at, slot }));
    const variant = decision.slots.hero?.variant?.id;
    if (variant && heroDraw < HERO_CLICKS[variant]!) events.push(event({ type: 'click', item: variant, ...at, slot: 'hero' }));
    const shown = ['similar', 'recommended'].flatMap((slot) => (decision.slots[slot]?.items ?? []).map((it) => ({ slot, id: it.id })));
    if (shown.length && itemDraw < 0.35) {
      const pick = shown[Math.floor(pickDraw * shown.length)]!;
      events.push(event({ type: 'click', item: pick.id, ...at, slot: pick.slot }));
    }
    // A quarter buy, for 20 to 100 dollars: the A/B test has conversions and revenue to compare.
    if (buyDraw < 0.25) events.push(event({ type: 'purchase', items: [item], order: randomId(), value: Math.round(20 + 320 * buyDraw), currency: 'USD' }));
    await client.collect({ v: 1, vid, sid, consent, events }, who);
  };
  let next = from;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < from + count) await visit(next++);
    }),
  );
}

describe('the dashboard on a live Worker', () => {
  let report: Report;

  it('draws the real report: uplift, experiments, click-through, allocation, latency, models and bias as the Worker reports them', async () => {
    // The holdout's proof first: visitors with a known true lift, a 50 % holdout published for the run.
    const uplift = await simulateUplift({ client, admin, items: ITEMS, pageSlots: PRODUCT_PAGE_SLOTS, visitors: 300, uplift: 0.3, minSample: 100, checkEvery: 300, seed: 11 });
    expect(uplift.arms.holdout! + uplift.arms.personalized!).toBe(300);

    // A model goes live through the admin API, as `npm run retrain` publishes one (the seed's, renamed:
    // the seed writes KV directly, so its model has no activation for the report to list).
    const seeded = (await admin.status()).model.active!;
    const activeModel = `${seeded}-retrained`;
    await admin.publish(publishModel(encodeArtifact({ ...decodeArtifact(await admin.value('model', seeded)), modelVersion: activeModel })), true);

    // Then the holdout kept as it ran, and an experiment in each slot of the product page.
    const status = await admin.status();
    expect(status.model.active).toBe(activeModel);
    const running = JSON.parse(new TextDecoder().decode(await admin.value('experiments', status.experiments.active!))) as ExperimentsConfig;
    await admin.publish(
      publishExperiments({
        holdout: running.holdout,
        experiments: [
          {
            id: 'hero-banner',
            slot: 'hero',
            kind: 'bandit',
            control: { id: 'control', share: 0.2, variant: EVERYONE },
            arms: [
              { id: 'favourite', variant: FAVOURITE },
              { id: 'welcome', variant: WELCOME },
            ],
            burnIn: 10,
            minSample: 50,
          },
          {
            id: 'recommended-strategy',
            slot: 'recommended',
            kind: 'ab',
            arms: [
              { id: 'control', weight: 1 },
              { id: 'together', weight: 1, strategy: 'together' },
            ],
            minSample: 50,
          },
          { id: 'similar-model', slot: 'similar', kind: 'interleave', candidate: activeModel, share: 0.5, minSample: 50 },
        ],
      }),
      true,
    );

    // Two rounds of visitors, each followed by the bandit's scheduled update: its allocation has a history.
    const random = seededRandom(5);
    await productPageVisitors(0, 120, random);
    await settledReport();
    await runBanditCron();
    await productPageVisitors(120, 120, random);
    await settledReport();
    await runBanditCron();
    report = await settledReport();

    // What the report holds, before the page draws it: every chart has something to draw.
    const holdout = report.holdout!;
    expect(holdout.arms.reduce((sum, arm) => sum + arm.visitors, 0)).toBeGreaterThanOrEqual(300);
    expect(report.experiments.map((e) => e.id)).toEqual(['hero-banner', 'recommended-strategy', 'similar-model']);
    const bandit = report.experiments[0]!;
    expect(bandit.allocation).toHaveLength(2);
    expect(report.ctr.length).toBeGreaterThan(0);
    // The Worker's own decide timings: an isolate's first decide flushes at once (experiments/latency.ts).
    expect(report.latency.length).toBeGreaterThan(0);
    expect(report.bias.length).toBeGreaterThan(0);
    const interleaving = report.experiments[2]!.interleaving!;
    expect(interleaving).toMatchObject({ candidate: activeModel, active: activeModel });

    // The page and the test read the report at the same moment, and they agree.
    const pageRead = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/admin/report');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/admin/#token=${DEVELOPMENT_ADMIN_TOKEN}`);
    const [drawn, own] = await Promise.all([pageRead.then((res) => res.json() as Promise<Report>), admin.report()]);
    expect(content(drawn)).toEqual(content(own));
    report = drawn;
    await page.locator('#bias').waitFor();

    // Uplift: each metric's lift and sequential interval, day by day, as the holdout's overTime says,
    // from its first estimate (days before the traffic get the uninformative answer: 0 in intervals of no width).
    for (const [i, metric] of (['conversion', 'revenue'] as const).entries()) {
      const all = report.holdout!.metrics.find((m) => m.metric === metric)!.overTime.map((d) => ({ day: d.day, c: d.comparisons.find((c) => c.arm === 'personalized')! }));
      const overTime = all.filter(({ c }) => !uninformative(c));
      expect(overTime.length).toBeGreaterThan(0);
      const personalized = overTime.map((d) => d.c);
      const figure = `#uplift figure:nth-of-type(${i + 1})`;
      const [line] = await marks(`${figure} path[data-series="lift"]`);
      expectLine(line!, overTime.map((d) => d.day), personalized.map((c) => c.lift));
      const [band] = await marks(`${figure} path[data-series="sequential-ci"]`);
      expect(values(band!['data-lower']!)).toEqual(personalized.map((c) => c.sequentialCi[0]));
      expect(values(band!['data-upper']!)).toEqual(personalized.map((c) => c.sequentialCi[1]));
      // The interval is seen, however few its days: a band of one day is drawn as a bar.
      const xs = vertices(band!.d!).map(([x]) => x);
      expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0);
      expect(await page.locator(`#uplift .verdict[data-metric="${metric}"]`).getAttribute('data-verdict')).toBe(personalized.at(-1)!.verdict);
    }

    // Each experiment's forest plot: one row per metric and arm, as its comparisons say (interleaving has none).
    for (const experiment of report.experiments.filter((e) => e.kind !== 'interleave')) {
      expect(await forestRows(page, experiment.id)).toEqual(
        experiment.metrics.flatMap((m) => m.comparisons.map(({ arm, verdict, lift, ci, sequentialCi }) => ({ metric: m.metric, arm, verdict, lift, ci, sequentialCi }))),
      );
    }

    // The bandit's allocation: each arm's share at each update, as its history says.
    const areas = await marks('[data-experiment="hero-banner"] path[data-series][fill]:not([fill="none"])');
    expect(areas.map((a) => a['data-series'])).toEqual(['control', 'favourite', 'welcome']);
    for (const area of areas) {
      expect(area['data-x']!.split(' ')).toEqual(bandit.allocation!.map((u) => u.at));
      expect(values(area['data-values']!)).toEqual(report.experiments[0]!.allocation!.map((u) => u.shares[area['data-series']!]));
    }

    // The interleaving's preference, its interval and its decisions.
    const result = report.experiments[2]!.interleaving!;
    expect(Number((await marks('[data-experiment="similar-model"] [data-series="preference"]'))[0]!['data-value'])).toBe(result.preference);
    const [ci] = await marks('[data-experiment="similar-model"] [data-series="ci"]');
    expect([Number(ci!['data-lower']), Number(ci!['data-upper'])]).toEqual(result.ci);
    const bars = await marks('[data-experiment="similar-model"] rect[data-series]');
    expect(bars.map((b) => [b['data-series'], Number(b['data-value'])])).toEqual([['wins', result.wins], ['losses', result.losses], ['ties', result.ties]]);

    // Click-through: one line per slot and arm, each day's clicks over its impressions.
    const lines = await marks('#ctr path[data-series][data-values]');
    const bySlot = [...new Set(report.ctr.map((s) => s.slot))].flatMap((slot) => report.ctr.filter((s) => s.slot === slot));
    expect(lines.map((l) => l['data-series'])).toEqual(bySlot.map((s) => s.arm));
    bySlot.forEach((series, i) => expectLine(lines[i]!, series.days.map((d) => d.day), series.days.map((d) => (d.impressions ? d.clicks / d.impressions : null))));

    // Latency: p50, p90 and p99 per hour, and each model version marked where it went live.
    const latency = await marks('#latency path[data-values]');
    expect(latency.map((l) => l['data-series'])).toEqual(['p50', 'p90', 'p99']);
    for (const l of latency) expectLine(l, report.latency.map((p) => p.at), report.latency.map((p) => p[l['data-series'] as 'p50']));
    const markers = await page.locator('#latency g.marker').evaluateAll((groups) => groups.map((g) => ({ version: (g as SVGElement).dataset.version, at: (g as SVGElement).dataset.at })));
    expect(report.models.map((m) => m.version)).toContain(activeModel);
    expect(markers).toEqual(report.models.map((m) => ({ version: m.version, at: m.activatedAt })));

    // Bias: coverage, the top 1 %'s share and the Gini coefficient per day.
    const bias = await marks('#bias path[data-values]');
    expect(bias.map((l) => l['data-series'])).toEqual(['coverage', 'top1Share', 'gini']);
    for (const l of bias) expectLine(l, report.bias.map((d) => d.day), report.bias.map((d) => d[l['data-series'] as 'gini']));
  }, 180_000);

  it('reads at 1280 px and 390 px, photographed for the README', async () => {
    expect(report, 'the first test filled the Worker').toBeDefined();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await openDashboard();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await expectAccessible(page, `the dashboard at ${width} px`);
      await page.screenshot({ path: join(SCREENSHOTS, `dashboard-live-${width}.png`), fullPage: true });
    }
    expect(problems).toEqual([]);
    // The README shows the top of the wide page: the uplift of personalization and the experiments.
    await page.setViewportSize({ width: 1280, height: 900 });
    await openDashboard();
    const experiments = (await page.locator('#experiments').boundingBox())!;
    mkdirSync(dirname(README_IMAGE), { recursive: true });
    await page.screenshot({ path: README_IMAGE, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(experiments.y + experiments.height + 16) } });
    expect(statSync(README_IMAGE).size).toBeLessThan(400_000);
  });
});
