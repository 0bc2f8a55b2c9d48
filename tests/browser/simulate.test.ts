/**
 * `npm run simulate` as a user runs it: against a running demo (one started
 * here, on a port of its own) with a shopper in Chromium, and with `--start`,
 * serving a fresh demo of its own. What they would notice: every event sent
 * is accepted once and every resend counted as a duplicate, the JSON on the
 * last line agrees with itself, and the same seed gives the same shoppers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, seed } from '../../demo-shop/scripts/seed';
import type { SimulationSummary } from '../../edge-worker/cli/simulate/report';
import { ROOT, startDevServer, type DevServer } from '../../edge-worker/cli/wrangler';

/** Ports of this test's own demos, apart from the suite's shared one. */
const PORT = Number(process.env.RAPPORT_SIMULATE_TEST_PORT ?? 8795);

let server: DevServer;
let persistTo: string;
beforeAll(async () => {
  persistTo = mkdtempSync(join(ROOT, '.wrangler', 'simulate-test-'));
  seed(persistTo);
  server = await startDevServer({ port: PORT, persistTo, config: DEMO_CONFIG });
});
afterAll(async () => {
  await server?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

/** Runs `npm run simulate -- …args --json` (as `tsx scripts/simulate.ts`), resolving with its output and last line parsed. */
function simulate(args: string[]): Promise<{ stdout: string; summary: SimulationSummary }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/simulate.ts', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`simulate exited ${code}:\n${stdout}\n${stderr}`));
      resolve({ stdout, summary: JSON.parse(stdout.trim().split('\n').pop()!) as SimulationSummary });
    });
  });
}

function expectConsistent(s: SimulationSummary): void {
  const t = s.total;
  expect(t.sessions).toBeGreaterThanOrEqual(s.shoppers.total);
  expect(t.views).toBeGreaterThanOrEqual(3 * t.sessions);
  expect(t.clicks).toBeLessThanOrEqual(t.impressions);
  expect(t.relatedClicks).toBeLessThanOrEqual(t.clicks);
  expect(t.carts).toBeLessThanOrEqual(t.sessions);
  expect(t.orders + t.abandoned).toBe(t.carts);
  expect(t.impressions).toBeGreaterThan(0);
  expect(s.rates.clickThrough).toBeCloseTo(t.clicks / t.impressions, 9);
  expect(s.rates.conversion).toBeCloseTo(t.orders / t.sessions, 9);
  expect(s.shoppers.personalized + s.shoppers.analyticsOnly).toBe(s.shoppers.total);
  // The API shoppers' events: each accepted once, each resend a duplicate, with or without personalization.
  expect(s.api.accepted).toBe(s.api.eventsSent);
  expect(s.api.duplicates).toBe(s.api.eventsResent);
  for (const slot of s.heldBack.served) {
    expect(slot.cases).toBeGreaterThan(0);
    expect(slot.longestList).toBeGreaterThan(0);
    expect(slot.mrr20).toBeLessThanOrEqual(slot.hr20);
  }
  expect(s.heldBack.served.map((slot) => slot.slot)).toContain('recommended');
}

describe('npm run simulate', () => {
  let first: SimulationSummary;

  it('drives a running demo through the API and one shopper through Chromium, and every event sent is accepted', async () => {
    const { stdout, summary } = await simulate(['--url', server.url, '--shoppers', '3', '--browsers', '1', '--seed', '7']);
    expect(stdout).toContain('held back');
    expectConsistent(summary);
    const browser = summary.browser!;
    expect(browser.shoppers).toBe(1);
    expect(browser.sessions).toBeGreaterThan(0);
    // What the Worker holds for the browser shopper includes every event the SDK fetched (and the beacons Playwright cannot see).
    expect(browser.eventsSent).toBeGreaterThan(0);
    expect(browser.accepted).toBeGreaterThanOrEqual(browser.eventsSent);
    expect(summary.tastes.map((t) => t.via)).toEqual(['api', 'api', 'browser']);
    first = summary;
  }, 60_000);

  it('with --start, serves a fresh demo of its own, and the same seed gives the same shoppers', async () => {
    const { summary } = await simulate(['--start', '--port', String(PORT + 1), '--shoppers', '2', '--browsers', '0', '--seed', '7']);
    expectConsistent(summary);
    expect(summary.browser).toBeNull();
    expect(summary.url).toBe(`http://localhost:${PORT + 1}`);
    // Their tastes, consent and sessions; what they click also depends on what the Worker shows,
    // which moves with time (interests decay, snapshots land when they land): the unit tests pin the choices.
    expect(summary.tastes).toEqual(first.tastes.slice(0, 2));
  }, 60_000);
});
