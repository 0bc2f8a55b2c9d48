/**
 * Every test suite, one runner. Projects match runtimes:
 *   unit     pure logic and the contract, in Node
 *   worker   the product Worker inside workerd with real local KV (Cloudflare's Vitest integration)
 *   demo     the demo shop's Worker (shop pages around the product) the same way
 *   browser  the SDK and demo shop in real Chromium against `wrangler dev`
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/contract/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: { name: 'worker', include: ['tests/worker/**/*.test.ts'], globalSetup: ['tests/worker/global-setup.ts'] },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './demo-shop/wrangler.toml' } })],
        test: { name: 'demo', include: ['tests/demo/**/*.test.ts'] },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          // One Chromium and one Worker are shared; files run one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
