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
  const server = await startDevServer({ port: Number(process.env.RAPPORT_TEST_PORT ?? 8788), persistTo, config: DEMO_CONFIG });
  project.provide('baseURL', server.url);
  project.provide('persistTo', persistTo);
  return async () => {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
