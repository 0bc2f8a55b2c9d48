/**
 * The uplift dashboard in Chromium, served at /admin/ by the product Worker
 * under `wrangler dev` (its static assets, as deployed), with the report
 * route answered by Playwright from a fixture `Report`: the token form comes
 * first, a refused token says so, and with the token every chart is drawn
 * with the report's own numbers (each mark's `data-` attributes, and the
 * drawn positions in the same order as the values), named for assistive
 * technology, legible at 390 px and 1280 px (screenshots in
 * test-results/screenshots/), and an empty report reads as empty states.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEVELOPMENT_ADMIN_TOKEN, ROOT, startDevServer, type DevServer } from '../../edge-worker/cli/wrangler';
import type { Comparison, ExperimentReport, Report } from '../../edge-worker/src/contract/report';
import { expectLine, forestRows, marks as marksOn, values, vertices } from './dashboard-marks';
import { perTestPage } from './support';

const PORT = Number(process.env.RAPPORT_DASHBOARD_TEST_PORT ?? 8797);
const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07'];

/**
 * A comparison with a fixed-horizon interval of ± `half` and a sequential one
 * twice as wide, and the verdict the Worker would give: from the sequential
 * interval once `enough` visitors came.
 */
function comparison(arm: string, lift: number, half: number, enough = true): Comparison {
  const sequentialCi: [number, number] = [lift - 2 * half, lift + 2 * half];
  const verdict = !enough ? 'insufficient' : sequentialCi[0] > 0 ? 'better' : sequentialCi[1] < 0 ? 'worse' : 'inconclusive';
  return { arm, lift, ci: [lift - half, lift + half], pValue: 0.04, sequentialCi, verdict };
}

const moments = (n: number, sum: number) => ({ n, sum, sumSquares: sum * 1.5 });

/** Personalization against the holdout: conversion becomes better on day 4, revenue stays inconclusive. */
const holdout: ExperimentReport = {
  id: 'holdout',
  kind: 'holdout',
  start: '2026-03-01T00:00:00Z',
  arms: [
    { id: 'holdout', weight: 0.1, visitors: 1010 },
    { id: 'personalized', weight: 0.9, visitors: 9050 },
  ],
  srm: { pValue: 0.62, flagged: false },
  minSample: 500,
  metrics: [
    {
      metric: 'conversion',
      arms: [
        { arm: 'holdout', moments: moments(1010, 30), mean: 30 / 1010 },
        { arm: 'personalized', moments: moments(9050, 282), mean: 282 / 9050 },
      ],
      comparisons: [comparison('personalized', 0.047, 0.019)],
      overTime: DAYS.map((day, i) => ({
        day,
        comparisons: [comparison('personalized', [0.12, 0.08, 0.06, 0.055, 0.05, 0.048, 0.047][i]!, 0.1 / (i + 1), i >= 2)],
      })),
    },
    {
      metric: 'revenue',
      arms: [
        { arm: 'holdout', moments: moments(1010, 41_000), mean: 41_000 / 1010 },
        { arm: 'personalized', moments: moments(9050, 372_000), mean: 372_000 / 9050 },
      ],
      comparisons: [comparison('personalized', 0.012, 0.03)],
      // No data on the first day (the report's uninformative answer, lift 0 in intervals of no width): the line starts on the second.
      overTime: [
        { day: DAYS[0]!, comparisons: [{ arm: 'personalized', lift: 0, ci: [0, 0], pValue: 1, sequentialCi: [0, 0], verdict: 'insufficient' }] },
        ...DAYS.slice(1).map((day, i) => ({ day, comparisons: [comparison('personalized', [-0.04, 0.01, 0.02, 0.015, 0.01, 0.012][i]!, 0.2 / (i + 1), i >= 1)] })),
      ],
    },
  ],
};

/** An A/B test whose visitors do not match its weights. */
const heroCopy: ExperimentReport = {
  id: 'hero-copy',
  kind: 'ab',
  slot: 'hero',
  start: '2026-03-02T09:30:00Z',
  arms: [
    { id: 'control', weight: 0.5, visitors: 4000 },
    { id: 'variant', weight: 0.5, visitors: 4600 },
  ],
  srm: { pValue: 1.2e-9, flagged: true },
  minSample: 1000,
  metrics: [
    { metric: 'ctr', arms: [], comparisons: [comparison('variant', 0.09, 0.03)], overTime: [] },
    { metric: 'conversion', arms: [], comparisons: [comparison('variant', -0.02, 0.04)], overTime: [] },
  ],
};

/** A three-armed bandit moving traffic towards arm b. */
const bandit: ExperimentReport = {
  id: 'recommended-bandit',
  kind: 'bandit',
  slot: 'recommended',
  start: '2026-03-03T00:00:00Z',
  arms: [
    { id: 'a', weight: 1 / 3, visitors: 2100 },
    { id: 'b', weight: 1 / 3, visitors: 3300 },
    { id: 'c', weight: 1 / 3, visitors: 1500 },
  ],
  srm: { pValue: 0.31, flagged: false },
  minSample: 500,
  metrics: [{ metric: 'ctr', arms: [], comparisons: [comparison('b', 0.14, 0.05), comparison('c', -0.06, 0.07)], overTime: [] }],
  allocation: [
    { at: '2026-03-03T00:00:00Z', shares: { a: 1 / 3, b: 1 / 3, c: 1 / 3 } },
    { at: '2026-03-04T00:00:00Z', shares: { a: 0.3, b: 0.45, c: 0.25 } },
    { at: '2026-03-05T00:00:00Z', shares: { a: 0.25, b: 0.55, c: 0.2 } },
    { at: '2026-03-06T00:00:00Z', shares: { a: 0.2, b: 0.65, c: 0.15 } },
  ],
};

/** The candidate model interleaved with the active one. */
const interleave: ExperimentReport = {
  id: 'similar-v3',
  kind: 'interleave',
  slot: 'similar',
  start: '2026-03-05T12:00:00Z',
  arms: [
    { id: 'v2', weight: 0.5, visitors: 1455 },
    { id: 'v3', weight: 0.5, visitors: 1455 },
  ],
  srm: { pValue: 1, flagged: false },
  minSample: 200,
  metrics: [],
  interleaving: { candidate: 'v3', active: 'v2', wins: 240, losses: 195, ties: 1020, preference: 240 / 435, ci: [0.504, 0.598], pValue: 0.035 },
};

/** Two days of hourly latency, model v3 going live at noon on the second. */
const latency = Array.from({ length: 48 }, (_, hour) => {
  const at = new Date(Date.UTC(2026, 2, 6, hour)).toISOString();
  const slower = hour >= 36 ? 1.5 : 0;
  return { at, count: 900 + hour, p50: 3 + (hour % 3) * 0.5 + slower, p90: 5 + (hour % 4) + slower, p99: 9 + (hour % 5) * 1.5 + slower * 2 };
});

const ctrDays = (impressions: number[], clicks: number[]) =>
  DAYS.map((day, i) => ({ day, impressions: impressions[i]!, clicks: clicks[i]!, carts: Math.floor(clicks[i]! / 3), orders: Math.floor(clicks[i]! / 8), revenue: Math.floor(clicks[i]! / 8) * 42.5 }));

const REPORT: Report = {
  generatedAt: '2026-03-07T23:10:00Z',
  days: DAYS,
  holdout,
  experiments: [heroCopy, bandit, interleave],
  ctr: [
    { slot: 'recommended', arm: 'a', days: ctrDays([900, 950, 1000, 980, 1010, 990, 1020], [20, 22, 25, 21, 24, 23, 26]) },
    // No impressions on the first day: no value there.
    { slot: 'recommended', arm: 'b', days: ctrDays([0, 940, 1500, 1700, 1800, 2000, 2100], [0, 25, 41, 50, 52, 60, 66]) },
    { slot: 'recommended', arm: 'c', days: ctrDays([880, 900, 700, 600, 500, 450, 430], [17, 18, 13, 12, 9, 9, 8]) },
    { slot: 'hero', arm: 'control', days: ctrDays([500, 520, 510, 530, 540, 525, 515], [40, 41, 39, 44, 45, 42, 40]) },
    { slot: 'hero', arm: 'variant', days: ctrDays([505, 600, 610, 640, 650, 630, 620], [45, 52, 55, 58, 60, 57, 58]) },
  ],
  latency,
  models: [
    { version: 'v2', activatedAt: '2026-03-06T00:00:00.000Z' },
    { version: 'v3', activatedAt: '2026-03-07T12:00:00.000Z' },
    // Within the latest hour, after its point: still marked, the axis widened to reach it.
    { version: 'v4', activatedAt: '2026-03-07T23:40:00.000Z' },
  ],
  bias: DAYS.map((day, i) => ({ day, impressions: 40_000 + i * 1000, items: 3000 - i * 50, coverage: 0.62 - i * 0.01, top1Share: 0.18 + i * 0.005, gini: 0.55 + i * 0.01 })),
};

/** A report with nothing in it yet: a Worker just deployed. */
const EMPTY: Report = { generatedAt: '2026-03-07T23:10:00Z', days: [], holdout: null, experiments: [], ctr: [], latency: [], models: [], bias: [] };

let server: DevServer;
let persistTo: string;

beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), 'rapport-dashboard-'));
  // The product as deployed: the page is its static assets; no published data is needed to serve them.
  server = await startDevServer({ port: PORT, persistTo });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

let page: Page;
perTestPage((fresh) => ({ page } = fresh));

/** What the report route answers, and the bearer tokens it was asked with. */
interface Answer {
  status: number;
  body: unknown;
}

/** Answers `/v1/admin/report` with `answer(token)` (the real route is another module's) and returns the tokens asked with. */
async function answerReport(answer: (token: string | undefined) => Answer): Promise<string[]> {
  const tokens: string[] = [];
  await page.route('**/v1/admin/report', (route) => {
    const token = /^Bearer (.+)$/.exec(route.request().headers().authorization ?? '')?.[1];
    tokens.push(token ?? '');
    const { status, body } = answer(token);
    return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  return tokens;
}

/** The report for the development token, 401 for any other, as the admin API answers. */
const withToken =
  (report: Report) =>
  (token: string | undefined): Answer =>
    token === DEVELOPMENT_ADMIN_TOKEN ? { status: 200, body: report } : { status: 401, body: { error: { code: 'invalid_admin_token', message: 'The admin token is not valid' } } };

/** Opens the dashboard with the token in the address, as `npm start`'s link does, and waits for the report. */
async function openWithToken(): Promise<void> {
  await page.goto(`${server.url}/admin/#token=${DEVELOPMENT_ADMIN_TOKEN}`);
  await page.locator('#uplift').waitFor();
}

const marks = (selector: string) => marksOn(page, selector);


describe('the dashboard page', () => {
  it('is served at /admin/ by the product and the demo Worker, from static files, under a strict policy', async () => {
    const built = readFileSync(join(ROOT, 'edge-worker/public/admin/dashboard.js'), 'utf8');
    for (const base of [server.url, inject('baseURL')]) {
      const html = await fetch(`${base}/admin/`);
      expect(html.status).toBe(200);
      expect(await html.text()).toContain('<script defer src="/admin/dashboard.js">');
      expect(html.headers.get('content-security-policy')).toContain("default-src 'none'; script-src 'self'");
      expect(html.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await (await fetch(`${base}/admin/dashboard.js`)).text()).toBe(built);
    }
  });

  it('asks for the token first, and says so when the Worker refuses it', async () => {
    const tokens = await answerReport(withToken(REPORT));
    await page.goto(`${server.url}/admin/`);
    const input = page.getByLabel('Admin token');
    await expect.poll(() => input.isVisible()).toBe(true);
    expect(await input.getAttribute('type')).toBe('password');
    // The shell holds no data and asks nothing of the Worker before a token is given.
    expect(tokens).toEqual([]);
    expect(await page.locator('svg').count()).toBe(0);

    await input.fill('not-the-token');
    await page.getByRole('button', { name: 'Show the report' }).click();
    await expect.poll(() => page.locator('#token-message').textContent()).toBe('The Worker refused this token. Enter the admin token again.');
    expect(tokens).toEqual(['not-the-token']);
    expect(await input.isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('rapport_admin_token'))).toBeNull();

    await input.fill(DEVELOPMENT_ADMIN_TOKEN);
    await input.press('Enter');
    await page.locator('#uplift').waitFor();
    expect(tokens).toEqual(['not-the-token', DEVELOPMENT_ADMIN_TOKEN]);
    expect(await input.isVisible()).toBe(false);
    // Kept for the tab: a reload draws the report without asking.
    await page.reload();
    await page.locator('#uplift').waitFor();
    expect(tokens.at(-1)).toBe(DEVELOPMENT_ADMIN_TOKEN);
  });

  it('shows the Worker\'s message for any other failure, and tries again when asked', async () => {
    let status = 403;
    await answerReport(() => (status === 200 ? { status, body: REPORT } : { status, body: { error: { code: 'origin_not_allowed', message: 'No web page may call the admin API' } } }));
    await page.goto(`${server.url}/admin/#token=${DEVELOPMENT_ADMIN_TOKEN}`);
    await expect.poll(() => page.locator('#status').textContent()).toBe('The Worker answered 403: No web page may call the admin API');
    expect(await page.getByLabel('Admin token').isVisible()).toBe(false);
    status = 200;
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#uplift').waitFor();
    expect(await page.locator('#status').textContent()).toBe('');
  });

  it('takes the token from the address once and removes it from there', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('rapport_admin_token'))).toBe(DEVELOPMENT_ADMIN_TOKEN);
  });
});

describe('the report, drawn', () => {
  it('draws the uplift of personalization with its sequential interval, and says the verdict', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    const conversion = holdout.metrics[0]!.overTime;
    const [line] = await marks('#uplift figure:nth-of-type(1) path[data-series="lift"]');
    expectLine(line!, DAYS, conversion.map((d) => d.comparisons[0]!.lift));
    const [band] = await marks('#uplift figure:nth-of-type(1) path[data-series="sequential-ci"]');
    expect(values(band!['data-lower']!)).toEqual(conversion.map((d) => d.comparisons[0]!.sequentialCi[0]));
    expect(values(band!['data-upper']!)).toEqual(conversion.map((d) => d.comparisons[0]!.sequentialCi[1]));
    expect(await page.locator('#uplift [data-rule="holdout"]').count()).toBe(2);
    expect(await page.locator('#uplift .verdict[data-metric="conversion"]').textContent()).toBe(
      'Personalization does better than the holdout on conversion: +4.7 % (95 % sequential interval +1.8 % to +7.6 %).',
    );
    expect(await page.locator('#uplift .verdict[data-metric="revenue"]').textContent()).toContain('No clear difference between Personalization and the holdout on revenue per visitor yet: +1.2 %');

    const revenue = holdout.metrics[1]!.overTime;
    const [revenueLine] = await marks('#uplift figure:nth-of-type(2) path[data-series="lift"]');
    expectLine(revenueLine!, DAYS.slice(1), revenue.slice(1).map((d) => d.comparisons[0]!.lift));
  });

  it('draws each experiment\'s arms with both intervals, and warns of a sample ratio mismatch', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    for (const experiment of [heroCopy, bandit]) {
      const rows = await forestRows(page, experiment.id);
      expect(rows).toEqual(experiment.metrics.flatMap((m) => m.comparisons.map(({ arm, verdict, lift, ci, sequentialCi }) => ({ metric: m.metric, arm, verdict, lift, ci, sequentialCi }))));
    }
    const warning = page.locator('[data-experiment="hero-copy"] [data-srm="flagged"]');
    expect(await warning.textContent()).toMatch(/^Warning: sample ratio mismatch\. Visitors per arm do not match the configured weights \(p < 0\.001\)/);
    expect(await page.locator('[data-srm="flagged"]').count()).toBe(1);
    expect(await page.locator('[data-experiment="recommended-bandit"] [data-srm="ok"]').textContent()).toBe('Sample ratio as configured (p = 0.310).');
  });

  it('draws the bandit\'s allocation as stacked shares and the interleaving\'s preference', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    const areas = await marks('[data-experiment="recommended-bandit"] path[data-series][fill]:not([fill="none"])');
    expect(areas.map((a) => a['data-series'])).toEqual(['a', 'b', 'c']);
    for (const area of areas) {
      const arm = area['data-series']!;
      expect(area['data-x']!.split(' ')).toEqual(bandit.allocation!.map((u) => u.at));
      expect(values(area['data-values']!)).toEqual(bandit.allocation!.map((u) => u.shares[arm]));
    }

    const result = interleave.interleaving!;
    const figure = '[data-experiment="similar-v3"]';
    expect(Number((await marks(`${figure} [data-series="preference"]`))[0]!['data-value'])).toBe(result.preference);
    const [ci] = await marks(`${figure} [data-series="ci"]`);
    expect([Number(ci!['data-lower']), Number(ci!['data-upper'])]).toEqual(result.ci);
    const bars = await marks(`${figure} rect[data-series]`);
    expect(bars.map((b) => [b['data-series'], Number(b['data-value'])])).toEqual([['wins', 240], ['losses', 195], ['ties', 1020]]);
    // The bar's segments are as wide as their counts.
    const widths = bars.map((b) => Number(b.width));
    expect(widths[2]! / widths[0]!).toBeCloseTo(1020 / 240, 2);
    expect(await page.locator(`${figure} .verdict`).textContent()).toBe(
      'v3 was preferred to v2 in 55.2 % of the decisions where clicks preferred one (95 % interval 50.4 % to 59.8 %, p = 0.035): 240 wins, 195 losses, 1,020 ties.',
    );
    // Interleaving has no arms' metrics to plot.
    expect(await page.locator(`${figure} g[data-arm]`).count()).toBe(0);
  });

  it('draws click-through per slot and arm, with no value on a day without impressions', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    const lines = await marks('#ctr path[data-series][data-values]');
    expect(lines).toHaveLength(REPORT.ctr.length);
    REPORT.ctr.forEach((series, i) => {
      expect(lines[i]!['data-series']).toBe(series.arm);
      expectLine(lines[i]!, DAYS, series.days.map((d) => (d.impressions ? d.clicks / d.impressions : null)));
    });
    expect(await page.locator('#ctr figcaption').allTextContents()).toEqual(['Click-through in slot “recommended”, per arm and day', 'Click-through in slot “hero”, per arm and day']);
  });

  it('draws latency percentiles with each model version marked where it went live', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    const lines = await marks('#latency path[data-values]');
    expect(lines.map((l) => l['data-series'])).toEqual(['p50', 'p90', 'p99']);
    for (const line of lines) expectLine(line, latency.map((p) => p.at), latency.map((p) => p[line['data-series'] as 'p50']));
    const markers = await page.locator('#latency g.marker').evaluateAll((groups) =>
      groups.map((g) => ({ version: (g as SVGElement).dataset.version, at: (g as SVGElement).dataset.at, label: g.querySelector('text')!.textContent, x: Number(g.querySelector('line')!.getAttribute('x1')) })),
    );
    expect(markers.map(({ version, at, label }) => ({ version, at, label }))).toEqual(REPORT.models.map((m) => ({ version: m.version, at: m.activatedAt, label: m.version })));
    // Each marker stands on the hour its model went live; one within the latest hour, to the right of its point.
    const hours = vertices(lines[0]!.d!);
    const [v2, v3, v4] = markers;
    for (const marker of [v2!, v3!]) expect(marker.x).toBeCloseTo(hours[latency.findIndex((p) => p.at === marker.at)]![0], 0);
    expect(v4!.x).toBeGreaterThan(hours.at(-1)![0]);
  });

  it('draws the bias measures per day on a 0–1 scale', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    const lines = await marks('#bias path[data-values]');
    expect(lines.map((l) => l['data-series'])).toEqual(['coverage', 'top1Share', 'gini']);
    for (const line of lines) expectLine(line, DAYS, REPORT.bias.map((d) => d[line['data-series'] as 'gini']));
  });

  it('names every chart for assistive technology and distinguishes series by more than colour', async () => {
    await answerReport(withToken(REPORT));
    await openWithToken();
    const charts = await page.locator('svg.chart').evaluateAll((svgs) =>
      svgs.map((svg) => ({
        role: svg.getAttribute('role'),
        title: document.getElementById(svg.getAttribute('aria-labelledby')!)?.textContent,
        titleIsOwn: document.getElementById(svg.getAttribute('aria-labelledby')!)?.parentElement === svg,
        desc: document.getElementById(svg.getAttribute('aria-describedby')!)?.textContent ?? '',
        caption: svg.closest('figure')?.querySelector('figcaption')?.textContent,
      })),
    );
    // Two uplift charts, two forest plots, the allocation, the interleaving, two click-through slots, latency, bias.
    expect(charts).toHaveLength(10);
    for (const chart of charts) {
      expect(chart).toMatchObject({ role: 'img', titleIsOwn: true, title: chart.caption });
      expect(chart.desc.length).toBeGreaterThan(40);
    }
    expect(charts[0]!.desc).toBe(
      'Lift in conversion of personalized over holdout visitors, on the data up to each day from 1 Mar to 7 Mar. Latest: +4.7 %, 95 % sequential interval +1.8 % to +7.6 %: better.',
    );
    // Playwright's accessibility tree names it the same.
    expect(await page.getByRole('img', { name: 'Decide latency per hour, with model versions as they went live' }).count()).toBe(1);
    // Lines sharing a chart differ in dash pattern too, and are labelled at their ends.
    const dashes = await page.locator('#latency path[data-values]').evaluateAll((paths) => paths.map((p) => p.getAttribute('stroke-dasharray')));
    expect(new Set(dashes).size).toBe(3);
    expect(await page.locator('#latency [data-label]').allTextContents()).toEqual(['p50', 'p90', 'p99']);
  });

  it('reads at 1280 px and at 390 px: nothing wider than the screen, text at 12 px', async () => {
    await answerReport(withToken(REPORT));
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await openWithToken();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // Charts are drawn at their width: a chart's 12 px text is 12 px on screen.
      const scale = await page.locator('#latency svg.chart').evaluate((svg) => svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width);
      expect(scale).toBeCloseTo(1, 1);
      await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${width}.png`), fullPage: true });
    }
    // Narrowing the window draws the charts again at the new width.
    await page.setViewportSize({ width: 800, height: 900 });
    await expect.poll(() => page.locator('#latency svg.chart').evaluate((svg) => (svg as SVGSVGElement).viewBox.baseVal.width)).toBeLessThan(800);
  });

  it('says so where there is nothing to draw yet', async () => {
    await answerReport(withToken(EMPTY));
    await page.setViewportSize({ width: 390, height: 900 });
    await openWithToken();
    const states = await page.locator('[data-empty]').evaluateAll((ps) => ps.map((p) => [(p as HTMLElement).dataset.empty, p.textContent]));
    expect(states).toEqual([
      ['holdout', 'No holdout running: every visitor is personalized, so there is nothing to measure uplift against.'],
      ['experiments', 'No experiment running.'],
      ['ctr', 'No data yet: no slot has recorded a viewable impression.'],
      ['latency', 'No data yet: no decision has been timed.'],
      ['bias', 'No data yet: no recommendation has been seen.'],
    ]);
    expect(await page.locator('.summary').textContent()).toBe('Report generated 7 Mar 23:10 UTC, covering no day yet.');
    expect(await page.locator('svg.chart').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-empty-390.png'), fullPage: true });
  });

  it('draws everything without breaking its content security policy', async () => {
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    await answerReport(withToken(REPORT));
    await openWithToken();
    expect(problems).toEqual([]);
  });
});
