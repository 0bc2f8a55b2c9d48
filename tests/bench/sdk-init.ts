/**
 * `npm run bench:sdk [-- --runs 20] [--json] [--verbose]`: the SDK's
 * main-thread time at init in Chromium, on a merchant's product page.
 *
 * Starts the demo Worker (`wrangler dev`, local KV seeded as `npm start`
 * does) and serves, from a shop origin cross-origin to it, a plain product
 * page: the stub in <head>, two slots with default content, and the SDK,
 * loaded as a merchant would:
 *   - the script tag with consent pending (the SDK sets up and waits; slots
 *     keep their defaults);
 *   - the script tag with consent granted (IndexedDB opened, the page and
 *     product views queued, one decide request, both slots filled);
 *   - the npm build's modules through an import map, unbundled as
 *     `sdk/dist` publishes them, from an app entry that calls init, track and
 *     fill (consent granted).
 * Each load is a fresh browser context (cold HTTP cache, empty storage),
 * observed until SETTLE_MS after its decision arrived or was given up (after
 * the load event when the page asks for none), at full speed and with the CPU
 * slowed 4× (a mid-range phone), after one warm-up load of every page.
 * `--verbose` lists, on stderr, the events counted in one load of each row
 * and, over all its loads, which events and scripts were counted or not.
 *
 * Every scenario is measured twice, in separate loads:
 *   - a Chrome trace, attributed to the SDK's scripts by `main-thread.ts`:
 *     compile, evaluation (which includes init and the synchronous start of
 *     fill), the work after it (callbacks, microtasks, the decision's
 *     rendering), and the longest task the SDK worked in;
 *   - untraced, CDP's Performance.getMetrics in thread time (ScriptDuration,
 *     TaskDuration), against the same page without the SDK: a cross-check
 *     that needs no attribution and carries no tracing overhead.
 * CPU time is the main thread's own; wall-clock time is how long it was busy,
 * which on a shared 2-core machine includes time other processes held the
 * core (wall-clock figures there vary several-fold between loads). The SDK
 * must be built first (`npm run build`).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Request } from 'playwright-core';
import { DEMO_CONFIG, seed } from '../../demo-shop/scripts/seed';
import { ROOT, startDevServer, type DevServer } from '../../edge-worker/cli/wrangler';
import { stubSnippet } from '../../sdk/src/stub';
import { launchChromium } from '../support/chromium';
import { scriptCost, TRACE_CATEGORIES, type Counted, type ScriptCost, type Time, type TraceEvent } from './main-thread';
import { quantile, round } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    runs: { type: 'string', default: '20' },
    port: { type: 'string', default: '8792' },
  },
});
const RUNS = Number(args.runs);
const PORT = Number(args.port);
const log = (message: string) => console.error(`bench:sdk: ${message}`);

/**
 * How long a load is observed after the decision arrives (or the load event):
 * long enough for the fill's rendering and the IndexedDB writes, short
 * enough to end before the SDK's first batch, sent a second after the page
 * view is queued (a load that saw one is reported).
 */
const SETTLE_MS = 300;
/** A task longer than this delays input noticeably (the Long Tasks API's threshold). */
const LONG_TASK_MS = 50;
/** The longest a load waits for its decision to arrive or fail. */
const DECISION_TIMEOUT_MS = 10_000;
/** CPU slowdowns measured: none, and a mid-range phone (Lighthouse's mobile setting). */
const SLOWDOWNS = [1, 4];

/** The files the benchmark loads: the npm build, and the script-tag build as the demo Worker serves it. */
const BUILT = ['sdk/dist/index.js', 'sdk/dist/rapport.min.js', 'demo-shop/public/sdk/rapport.min.js'];

const shop = `http://127.0.0.1:${PORT}`;
const pageUrl = `${shop}/p/78`;

/** The product page with one way of loading the SDK (or, for the baseline, none). */
interface Scenario {
  id: string;
  label: string;
  /** Markup at the end of <head> that loads the SDK. */
  loader: (worker: string) => string;
  /** Which script URLs are the SDK's (the app entry that only calls it included). */
  owns: (worker: string) => (url: string) => boolean;
  /** The state every slot must end in within the window. */
  slots: 'default' | 'filled';
}

const scriptTag = (consent: 'pending' | 'granted'): Scenario => ({
  id: `script-${consent}`,
  label: `script tag, consent ${consent}`,
  // The page's own call, queued by the stub before the SDK arrives.
  loader: (worker) =>
    `<script>rapport('track', 'product_view', { item: '78' })</script>\n<script async src="${worker}/sdk/rapport.min.js" data-endpoint="${worker}" data-consent="${consent}"></script>`,
  owns: (worker) => (url) => url === `${worker}/sdk/rapport.min.js`,
  slots: consent === 'granted' ? 'filled' : 'default',
});

const esm: Scenario = {
  id: 'npm-granted',
  label: 'npm modules, consent granted',
  loader: () => `<script type="importmap">{"imports": {"@rapport/sdk": "${shop}/app/sdk/index.js"}}</script>\n<script type="module" src="${shop}/app/main.js"></script>`,
  owns: () => (url) => url.startsWith(`${shop}/app/`),
  slots: 'filled',
};

const SCENARIOS: Scenario[] = [scriptTag('pending'), scriptTag('granted'), esm];
/** The same page with nothing of the SDK but the stub: the cross-check's baseline. */
const BASELINE: Scenario = { id: 'baseline', label: 'without the SDK', loader: () => '', owns: () => () => false, slots: 'default' };

/** The app entry of the npm scenario: what a bundled app's code does at start. */
const appEntry = (worker: string) => `import { fill, init, track } from '@rapport/sdk';
init({ endpoint: '${worker}', consent: 'granted' });
track('product_view', { item: '78' });
fill();
`;

/** One slot as a merchant writes it: a heading, default items, and the template personalized items are drawn from. */
const slot = (id: string, heading: string, defaults: string[]) => `<section data-rapport-slot="${id}">
  <h2 data-rapport-title>${heading}</h2>
  <ul data-rapport-list>
    <template><li><a data-rapport-field="url"><span data-rapport-field="title"></span></a> <span data-rapport-field="price"></span></li></template>
    ${defaults.map((title) => `<li><a href="/p/${title.length}">${title}</a></li>`).join('\n    ')}
  </ul>
</section>`;

const productPage = (loader: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiwi — Shop</title>
${stubSnippet()}
${loader}
</head><body>
<header><a href="/">Shop</a> <nav><a href="/c/fruit">Fruit</a> <a href="/cart">Cart</a></nav></header>
<main>
  <h1>Kiwi</h1>
  <p>Green, tart and sweet, from New Zealand. Sold by the kilo.</p>
  <p>4.99 €</p>
  <button type="button">Add to cart</button>
  ${slot('similar', 'You may also like', ['Mango', 'Papaya', 'Passion fruit', 'Lime'])}
  ${slot('recommended', 'Popular right now', ['Bananas', 'Apples', 'Water', 'Bread'])}
</main>
</body></html>`;

/** Serves the shop origin: the product page, and for the npm scenario the app entry and the SDK's modules from `sdk/dist`. */
async function serveShop(page: Page, kind: Scenario, worker: string): Promise<void> {
  const html = productPage(kind.loader(worker));
  await page.route(`${shop}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/app/main.js') return route.fulfill({ contentType: 'text/javascript', body: appEntry(worker) });
    if (path.startsWith('/app/sdk/')) return route.fulfill({ contentType: 'text/javascript', path: join(ROOT, 'sdk/dist', path.slice('/app/sdk/'.length)) });
    if (path === '/p/78') return route.fulfill({ contentType: 'text/html', body: html });
    return route.fulfill({ status: 404, body: '' });
  });
}

/**
 * Resolves once the page's decide request has finished or failed (the SDK
 * aborts one that outlasts its deadline, and the slots keep their defaults),
 * or after DECISION_TIMEOUT_MS.
 */
function decisionSettled(page: Page, kind: Scenario): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log(`${kind.label}: no decide request settled within ${DECISION_TIMEOUT_MS} ms`);
      resolve();
    }, DECISION_TIMEOUT_MS);
    const settle = (request: Request) => {
      if (!request.url().endsWith('/v1/decide')) return;
      clearTimeout(timer);
      resolve();
    };
    page.on('requestfinished', settle);
    page.on('requestfailed', settle);
  });
}

/** What one load measured. */
interface Load {
  cost?: ScriptCost;
  /** Performance.getMetrics in thread time, ms. */
  metrics?: { script: number; task: number };
  /** Whether every slot ended as the scenario expects. */
  slotsAsExpected: boolean;
  /** Whether the SDK sent a batch of events while the load was observed. */
  batchSeen: boolean;
}

/** One load of `kind` in a fresh context at `slowdown`, traced or measured by Performance.getMetrics. */
async function load(browser: Browser, worker: string, kind: Scenario, slowdown: number, how: 'trace' | 'metrics'): Promise<Load> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    if (slowdown !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    await serveShop(page, kind, worker);
    const result: Load = { slotsAsExpected: false, batchSeen: false };
    let observing = true;
    page.on('request', (request) => {
      if (observing && request.url().endsWith('/v1/collect')) result.batchSeen = true;
    });
    // Slots are filled from a decision; the other pages ask for none.
    const decided = kind.slots === 'filled' ? decisionSettled(page, kind) : undefined;
    if (how === 'trace') await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    // Thread time: wall-clock durations on this machine mostly measure who else held the core.
    else await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(pageUrl);
    await decided;
    await page.waitForTimeout(SETTLE_MS);
    observing = false;
    if (how === 'trace') {
      const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
      result.cost = scriptCost(trace.traceEvents, kind.owns(worker), pageUrl);
    } else {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name: string) => 1000 * (metrics.find((m) => m.name === name)?.value ?? NaN);
      result.metrics = { script: metric('ScriptDuration'), task: metric('TaskDuration') };
    }
    // Read once the measurement is over, so that it does not count.
    const states = await page.$$eval('[data-rapport-slot]', (slots) => slots.map((s) => s.getAttribute('data-rapport-state')));
    result.slotsAsExpected = kind === BASELINE || states.every((state) => state === kind.slots);
    return result;
  } finally {
    await context.close();
  }
}

/** Median and 90th percentile. */
const spread = (values: number[]) => ({ p50: round(quantile(values, 0.5)), p90: round(quantile(values, 0.9)) });

/** The figures of one scenario at one slowdown. */
function summarize(kind: Scenario, slowdown: number, traced: Load[], measured: Load[], baseline: Load[]) {
  const costs = traced.map((l) => l.cost!);
  const time = (pick: (c: ScriptCost) => Time) => ({ cpu: spread(costs.map((c) => pick(c).cpu)), wall: spread(costs.map((c) => pick(c).wall)) });
  const delta = (pick: (m: { script: number; task: number }) => number) =>
    round(quantile(measured.map((l) => pick(l.metrics!)), 0.5) - quantile(baseline.map((l) => pick(l.metrics!)), 0.5));
  const loads = [...traced, ...measured];
  return {
    scenario: kind.id,
    label: kind.label,
    cpu_slowdown: slowdown,
    runs: traced.length,
    total_ms: time((c) => c.total),
    compile_ms: time((c) => c.compile),
    evaluate_ms: time((c) => c.evaluate),
    after_ms: time((c) => c.after),
    render_ms: time((c) => c.render),
    longest_task_ms: { ...time((c) => c.longestTask), max_wall: round(Math.max(...costs.map((c) => c.longestTask.wall))) },
    loads_with_a_long_task: costs.filter((c) => c.longestTask.wall > LONG_TASK_MS).length,
    off_thread_parse_ms: spread(costs.map((c) => c.offThreadParse)),
    cross_check_cpu_ms: { script_duration_delta: delta((m) => m.script), task_duration_delta: delta((m) => m.task) },
    slots_as_expected: `${loads.filter((l) => l.slotsAsExpected).length}/${loads.length}`,
    loads_with_a_batch: loads.filter((l) => l.batchSeen).length,
  };
}

type Row = ReturnType<typeof summarize>;

/** Prints what was counted, for checking the attribution by eye: one load event by event, then every load's events by name and script. */
function explain(kind: Scenario, slowdown: number, costs: ScriptCost[]): void {
  console.error(`\n${kind.label}, CPU ${slowdown}×: events counted in the first load (ms after the page began parsing; wall / CPU ms)`);
  const line = (c: Counted) => `  ${c.at.toFixed(1).padStart(7)}  ${c.part.padEnd(8)} ${c.name.padEnd(18)} ${c.wall.toFixed(2).padStart(6)} / ${c.cpu.toFixed(2).padStart(5)}  ${c.detail}`;
  console.error(costs[0]!.counted.map(line).join('\n'));
  const tally = (what: string, events: Counted[]) => {
    if (!events.length) return;
    const byKind = new Map<string, { n: number; cpu: number }>();
    for (const c of events) {
      // Events by name and script (function names and event types aside).
      const key = `${c.part} ${c.name} ${c.detail.split(' ').filter((word) => word.includes('://')).join(' ')}`.trim();
      const entry = byKind.get(key) ?? byKind.set(key, { n: 0, cpu: 0 }).get(key)!;
      entry.n++;
      entry.cpu += c.cpu;
    }
    console.error(`  ${what}, over ${costs.length} loads (count, CPU ms in all):`);
    for (const [key, { n, cpu }] of byKind) console.error(`    ${String(n).padStart(4)} ${cpu.toFixed(1).padStart(8)}  ${key}`);
  };
  tally('counted', costs.flatMap((c) => c.counted));
  tally('not counted, other scripts', costs.flatMap((c) => c.others));
  tally('not counted, frames the page dirtied too', costs.flatMap((c) => c.shared));
}

/** Prints rows as a table: a label column, then right-aligned columns. */
function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  console.log([line(header), ...rows.map(line)].join('\n'));
}

function printTables(rows: Row[], setup: { chromium: string; script_bytes: number; script_gzip_bytes: number }): void {
  const both = (s: { p50: number; p90: number }) => `${s.p50.toFixed(1)} · ${s.p90.toFixed(1)}`;
  const label = (r: Row) => `${r.label}, CPU ${r.cpu_slowdown}×`;
  console.log(`The SDK's main-thread time at init, Chromium ${setup.chromium}: ${RUNS} fresh loads per row; rapport.min.js ${setup.script_bytes} B, ${setup.script_gzip_bytes} B gzip`);
  console.log('ms, median · p90; "after": callbacks, microtasks and the rendering of the slots after the script evaluated\n');
  table(
    ['traced', 'CPU', 'wall', 'compile', 'evaluate', 'after', 'of which render', 'longest task, wall', 'max', 'its CPU', `> ${LONG_TASK_MS} ms`],
    rows.map((r) => [
      label(r),
      both(r.total_ms.cpu),
      both(r.total_ms.wall),
      r.compile_ms.cpu.p50.toFixed(2),
      r.evaluate_ms.cpu.p50.toFixed(1),
      r.after_ms.cpu.p50.toFixed(1),
      r.render_ms.cpu.p50.toFixed(1),
      both(r.longest_task_ms.wall),
      r.longest_task_ms.max_wall.toFixed(1),
      r.longest_task_ms.cpu.p50.toFixed(1),
      `${r.loads_with_a_long_task}/${r.runs}`,
    ]),
  );
  console.log('\n(compile, evaluate, after, render and "its CPU": CPU medians)\n');
  table(
    ['untraced cross-check, CPU: median with the SDK − without', 'ScriptDuration Δ', 'TaskDuration Δ', 'parsed off the main thread', 'slots as expected', 'loads that sent a batch'],
    rows.map((r) => [
      label(r),
      r.cross_check_cpu_ms.script_duration_delta.toFixed(1),
      r.cross_check_cpu_ms.task_duration_delta.toFixed(1),
      r.off_thread_parse_ms.p50.toFixed(1),
      r.slots_as_expected,
      String(r.loads_with_a_batch),
    ]),
  );
}

async function main(): Promise<void> {
  const missing = BUILT.filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length) {
    console.error(`bench:sdk: the SDK is not built (${missing.join(', ')} missing): run \`npm run build\` first`);
    process.exit(2);
  }
  mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
  const persistTo = mkdtempSync(join(ROOT, '.wrangler', 'bench-sdk-'));
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  try {
    log('seeding the demo catalog, model and slots into local KV');
    seed(persistTo);
    server = await startDevServer({ port: PORT, persistTo, config: DEMO_CONFIG, vars: { ALLOWED_ORIGINS: shop } });
    const worker = server.url;
    const served = await fetch(`${worker}/sdk/rapport.min.js`);
    if (!served.ok) throw new Error(`the Worker answers ${served.status} for /sdk/rapport.min.js: run \`npm run build\` first`);
    const script = Buffer.from(await served.arrayBuffer());
    if (!script.equals(readFileSync(join(ROOT, 'sdk/dist/rapport.min.js')))) log('warning: the Worker serves another rapport.min.js than sdk/dist holds (an old build?)');
    const sizes = { bytes: script.length, gzip: gzipSync(script, { level: 9 }).length };
    browser = await launchChromium();
    log(`Chromium ${browser.version()}; ${RUNS} runs of ${SCENARIOS.length} scenarios (traced and untraced) and the baseline, at CPU ${SLOWDOWNS.join('× and ')}×`);

    const rows: Row[] = [];
    for (const slowdown of SLOWDOWNS) {
      // Warm up the Worker (its first decision loads the model) and Chromium once per setting.
      for (const kind of SCENARIOS) await load(browser, worker, kind, slowdown, 'trace');
      await load(browser, worker, BASELINE, slowdown, 'metrics');
      const traced = new Map<Scenario, Load[]>(SCENARIOS.map((kind) => [kind, []]));
      const measured = new Map<Scenario, Load[]>(SCENARIOS.map((kind) => [kind, []]));
      const baseline: Load[] = [];
      // Interleaved, so that a slow spell of the machine touches every scenario alike.
      for (let run = 0; run < RUNS; run++) {
        for (const kind of SCENARIOS) {
          traced.get(kind)!.push(await load(browser, worker, kind, slowdown, 'trace'));
          measured.get(kind)!.push(await load(browser, worker, kind, slowdown, 'metrics'));
        }
        baseline.push(await load(browser, worker, BASELINE, slowdown, 'metrics'));
        log(`CPU ${slowdown}×: run ${run + 1}/${RUNS}`);
      }
      for (const kind of SCENARIOS) {
        if (args.verbose) explain(kind, slowdown, traced.get(kind)!.map((l) => l.cost!));
        rows.push(summarize(kind, slowdown, traced.get(kind)!, measured.get(kind)!, baseline));
      }
    }

    const setup = { runs: RUNS, settle_ms: SETTLE_MS, chromium: browser.version(), script_bytes: sizes.bytes, script_gzip_bytes: sizes.gzip };
    if (args.json) console.log(JSON.stringify({ rows, setup }));
    else printTables(rows, setup);
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

await main();
