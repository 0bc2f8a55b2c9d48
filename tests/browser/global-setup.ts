/**
 * Provisions Chromium (see `tests/support/chromium.ts`) and starts one real
 * demo Worker (`wrangler dev`, local KV in a fresh folder, seeded like
 * `npm start` does) for the browser tests, and stops it afterwards.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { DEMO_CONFIG, seed } from '../../demo-shop/scripts/seed';
import { ROOT, startDevServer } from '../../edge-worker/cli/wrangler';
import { ensureChromium } from '../support/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    /** The Worker's local KV folder, for reading what it stored. */
    persistTo: string;
    /**
     * An origin other than the Worker's that may call it, for merchant pages served through
     * Playwright's routing. Loopback, like the Worker: Chromium blocks a public page from
     * reaching a loopback address (Private Network Access).
     */
    shopOrigin: string;
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync(join(ROOT, 'demo-shop/public/sdk/rapport.min.js'))) {
    throw new Error('The SDK is not built: run `npm run build` (npm test does it first).');
  }
  // Once per run, outside any test's timeout: find Chromium, or install one and say how.
  await ensureChromium();
  mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
  const persistTo = mkdtempSync(join(ROOT, '.wrangler', 'browser-test-'));
  seed(persistTo);
  const port = Number(process.env.RAPPORT_TEST_PORT ?? 8788);
  // One shop origin besides the Worker's own (http://localhost:<port>) may call it.
  const shopOrigin = `http://127.0.0.1:${port}`;
  const server = await startDevServer({ port, persistTo, config: DEMO_CONFIG, vars: { ALLOWED_ORIGINS: shopOrigin, HOLDOUT_SHARE: '0' } });
  project.provide('shopOrigin', shopOrigin);
  project.provide('baseURL', server.url);
  project.provide('persistTo', persistTo);
  return async () => {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
