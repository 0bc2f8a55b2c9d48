/**
 * Every test suite, one runner. Projects match runtimes:
 *   unit     pure logic and the contract, in Node
 *   worker   the product Worker inside workerd with real local KV (Cloudflare's Vitest integration)
 *   demo     the demo shop's Worker (shop pages around the product) the same way
 *   browser  the SDK and demo shop in real Chromium against `wrangler dev`
 *
 * Vitest's default of one worker per core but one would run files one at a
 * time on a 2-core machine, while much of a worker file's time is workerd
 * starting: the first group (unit, worker, demo) runs at least two at a time
 * (313 s → 198 s here). The browser group stays one at a time (see below).
 */
import { availableParallelism } from 'node:os';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { DEVELOPMENT_ADMIN_TOKEN, DEVELOPMENT_VISITOR_ID_KEYS } from './edge-worker/cli/wrangler';

/**
 * The event log's consumer as wrangler.toml sets it, but flushing a batch
 * after a second instead of 30: tests wait for what the log holds. An entry
 * here replaces wrangler.toml's whole entry, so every setting is restated.
 */
const queueConsumers = { 'rapport-events': { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 5, retryDelay: 60, deadLetterQueue: 'rapport-events-dlq' } };

/**
 * Tests of personalization use random visitor ids: without this, about one
 * in twenty would land in the default 5 % holdout and see popular items. The
 * holdout's own tests publish an experiments configuration with a share.
 */
const NO_HOLDOUT = { HOLDOUT_SHARE: '0' };

/** A read-only admin token for the Worker's tests (tests/worker/experiments.test.ts). */
const TEST_READ_TOKEN = 'rapport-test-read-only-token-that-may-only-read';

/**
 * The packages the Workers' tests import, each bundled into one module before the run. workerd
 * asks Vitest for every module it cannot resolve itself one request at a time, and only once it
 * has compiled the module importing it; TF.js alone is hundreds of them. Bundled, a worker file
 * imports in ~3 s instead of ~6 (the unit, worker and demo projects: 214 s → 184 s on 2 cores).
 */
const PREBUNDLED = {
  optimizer: {
    ssr: {
      enabled: true,
      include: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-backend-cpu/dist/base',
        '@tensorflow/tfjs-backend-cpu/dist/kernels/_FusedMatMul',
        '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape',
        'hono',
        'hono/body-limit',
        'hono/cookie',
        'hono/cors',
        'hono/html',
        'hono/http-exception',
        'hono/utils/html',
        'hono/utils/http-status',
        'zod',
        'fast-check',
      ],
    },
  },
};

/** Projects of one group share one worker count (Vitest requires it): unit, worker and demo. */
const FIRST_GROUP_WORKERS = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/contract/**/*.test.ts'], environment: 'node', maxWorkers: FIRST_GROUP_WORKERS },
      },
      {
        // The product as configured, with one shop origin allowed to call it (tests/worker/origins.test.ts).
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: { ALLOWED_ORIGINS: 'https://shop.example', VISITOR_ID_KEYS: DEVELOPMENT_VISITOR_ID_KEYS, ADMIN_TOKEN: DEVELOPMENT_ADMIN_TOKEN, ADMIN_READ_TOKEN: TEST_READ_TOKEN, ...NO_HOLDOUT }, queueConsumers } })],
        test: { name: 'worker', include: ['tests/worker/**/*.test.ts'], globalSetup: ['tests/worker/global-setup.ts'], maxWorkers: FIRST_GROUP_WORKERS, deps: PREBUNDLED },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './demo-shop/wrangler.toml' }, miniflare: { bindings: { VISITOR_ID_KEYS: DEVELOPMENT_VISITOR_ID_KEYS, ADMIN_TOKEN: DEVELOPMENT_ADMIN_TOKEN, ...NO_HOLDOUT } } })],
        test: { name: 'demo', include: ['tests/demo/**/*.test.ts'], maxWorkers: FIRST_GROUP_WORKERS, deps: PREBUNDLED },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          // One Chromium and one Worker are shared; files run one after another. Two at a time (each with
          // its own Worker) made each file slower by half or more on 2 cores, and a test then waited
          // in vain for a request to be answered (as when the SDK aborts a decision at its 1 s deadline).
          // Two at a time sharing the one Worker (2026-12-02): 10 min 47 s against 13 min 7 s, but the
          // demo's cart reminder then came past that deadline and showed the hero's default content.
          fileParallelism: false,
          // The files share one test process, and in it one Chromium (support.ts): launching one per
          // file, and loading Playwright in each, cost about 2.5 s a file (14 sdk files: 327 → 292 s).
          isolate: false,
          // After the other projects: `npm start` (quick-start.test.ts) rebuilds the SDK that unit
          // tests read, and the 2 cores are not shared with them while latency-sensitive pages run.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The SDK sends an event up to its flushMs (1 s) after it is tracked, so Vitest's default of
          // 1 s for expect.poll raced it: a fresh-clone CI saw a search event still on its way.
          expect: { poll: { timeout: 5_000 } },
        },
      },
    ],
  },
});
