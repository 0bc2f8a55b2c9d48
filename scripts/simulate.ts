/**
 * `npm run simulate -- --shoppers N [--seed S] [--url U | --start [--port P]] [--browsers K] [--json]`:
 * simulated shoppers with known tastes on the demo shop (the product's
 * simulator, `edge-worker/cli/simulate.ts`, given the demo's catalog and
 * slots), K of them in Chromium on the shop's pages with the real SDK.
 * With `--uplift U` it proves the holdout instead: `--visitors N` visitors
 * whose true lift from personalization is U (`simulate/uplift.ts`), the
 * uplift report read every 250 of them.
 * `--start` serves a demo of its own on a fresh state folder, seeded as
 * `npm start` seeds it, and stops it afterwards. With `--json` the summary's
 * figures are one JSON object on the last line of stdout.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs } from '../edge-worker/cli/args';
import { simulate } from '../edge-worker/cli/simulate';
import { formatSummary } from '../edge-worker/cli/simulate/report';
import { workerClient } from '../edge-worker/cli/simulate/client';
import { formatUplift, simulateUplift } from '../edge-worker/cli/simulate/uplift';
import { adminClient, adminTarget } from '../edge-worker/cli/admin-client';
import { ROOT, startDevServer, type DevServer } from '../edge-worker/cli/wrangler';
import { catalogFeed } from '../demo-shop/src/catalog';
import { DEMO_SLOTS } from '../demo-shop/src/seed';
import { DEMO_CONFIG, seed } from '../demo-shop/scripts/seed';
import { installedChromium } from '../tests/support/chromium';
import { browseDemoShop } from './simulate-browser';

const USAGE = `usage: npm run simulate -- --shoppers N [--seed S] [--url http://127.0.0.1:8787 | --start [--port 8795]] [--browsers K] [--concurrency C] [--json]
       npm run simulate -- --uplift U --visitors N [--holdout 0.5] [--conversion 0.3] [--min-sample 2000] [--seed S] [--url … | --start] [--json]`;

const args = parseCliArgs(
  {
    shoppers: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
    start: { type: 'boolean', default: false },
    port: { type: 'string', default: '8795' },
    browsers: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
    uplift: { type: 'string' },
    visitors: { type: 'string', default: '2000' },
    holdout: { type: 'string', default: '0.5' },
    conversion: { type: 'string', default: '0.3' },
    'min-sample': { type: 'string', default: '2000' },
  },
  USAGE,
);

function share(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!(parsed >= min && parsed <= max)) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max}, not ${value}\n${USAGE}\n`);
    process.exit(2);
  }
  return parsed;
}

function count(name: string, value: string, min: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    process.stderr.write(`--${name} must be an integer ≥ ${min}, not ${value}\n${USAGE}\n`);
    process.exit(2);
  }
  return parsed;
}

/**
 * The demo's product page (`demo-shop/src/pages.ts`) has two slots, each with
 * four default items and no `data-max`: the SDK asks for as many as the
 * default shows.
 */
const PRODUCT_PAGE_SLOTS = [
  { id: 'similar', max: 4 },
  { id: 'together', max: 4 },
];

/** Item slots that answer from the page's product or the session's views (a cart slot answers from the cart). */
const evalSlots = Object.entries(DEMO_SLOTS).flatMap(([id, slot]) => (slot.kind === 'items' && slot.strategy !== 'cart' ? [id] : []));

const shoppers = count('shoppers', args.shoppers, 1);
const browsers = args.browsers === undefined ? (installedChromium() ? 2 : 0) : count('browsers', args.browsers, 0);
let server: DevServer | undefined;
let persistTo: string | undefined;
const say = (line: string) => process.stderr.write(`simulate: ${line}\n`);

try {
  let url = args.url;
  if (args.start) {
    if (!existsSync(join(ROOT, 'demo-shop/public/sdk/rapport.min.js'))) throw new Error('The SDK is not built: run `npm run build` first.');
    mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
    persistTo = mkdtempSync(join(ROOT, '.wrangler', 'simulate-'));
    say(`seeding a fresh demo in ${persistTo}`);
    seed(persistTo);
    // Counts reach the report within seconds instead of the minute a shop's Worker lets them gather.
    server = await startDevServer({ port: count('port', args.port, 1), persistTo, config: DEMO_CONFIG, vars: { COUNTER_FLUSH_SECONDS: '2' } });
    url = server.url;
    say(`demo shop at ${url}`);
  }
  if (args.uplift !== undefined) {
    const visitors = count('visitors', args.visitors, 1);
    const truth = share('uplift', args.uplift, -0.9, 10);
    say(`${visitors} visitors with a true lift of ${truth} against ${url}`);
    const result = await simulateUplift({
      client: workerClient(url),
      admin: adminClient(adminTarget(url)),
      items: catalogFeed().map((item) => item.id),
      pageSlots: PRODUCT_PAGE_SLOTS,
      visitors,
      uplift: truth,
      holdout: share('holdout', args.holdout, 0.01, 0.5),
      conversion: share('conversion', args.conversion, 0.001, 0.5),
      minSample: count('min-sample', args['min-sample'], 10),
      seed: count('seed', args.seed, 0),
      concurrency: count('concurrency', args.concurrency, 1),
      onCheck: (check) => say(`${check.visitors} visitors: conversion lift ${(check.conversion.lift * 100).toFixed(1)} % (${check.conversion.verdict}), revenue ${(check.revenue.lift * 100).toFixed(1)} % (${check.revenue.verdict})`),
    });
    console.log(formatUplift(result));
    if (args.json) console.log(JSON.stringify(result));
    process.exitCode = 0;
  } else {
  say(`${shoppers} shoppers (${Math.min(browsers, shoppers)} in Chromium) against ${url}`);
  const summary = await simulate({
    url,
    catalog: catalogFeed(),
    shoppers,
    seed: count('seed', args.seed, 0),
    pageSlots: PRODUCT_PAGE_SLOTS,
    evalSlots,
    concurrency: count('concurrency', args.concurrency, 1),
    browsers,
    browse: (world, chosen) => browseDemoShop(url, world, chosen),
    onProgress: (done, total) => done % 10 === 0 && say(`${done}/${total} API shoppers done`),
  });
  console.log(formatSummary(summary));
  if (args.json) console.log(JSON.stringify(summary));
  }
} finally {
  await server?.stop();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
}
