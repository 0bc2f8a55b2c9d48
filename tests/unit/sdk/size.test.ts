/**
 * Byte budgets for what shoppers download, measured on the builds they load
 * (min+gzip): the script-tag IIFE, the inline stub, and `@rapport/sdk` as an
 * app bundles it (rollup + terser, every chunk it brings counted). A
 * regression fails the build. Run `npm run build` first; the measured sizes
 * are printed:
 *
 *   npx vitest run --project unit tests/unit/sdk/size.test.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup, type OutputChunk } from 'rollup';
import { afterAll, describe, expect, it } from 'vitest';
import { stubSnippet } from '../../../sdk/src/stub';

const ROOT = resolve(__dirname, '../../..');
const gzipped = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;
const built = resolve(ROOT, 'sdk/dist/rapport.min.js');
const sizes: Record<string, number> = {};

interface AppBundle {
  /** Chunks loaded with the page. */
  eager: { code: string; bytes: number };
  /** Chunks loaded on demand (dynamic imports), all together. */
  lazy: { code: string; bytes: number };
}

/** Bundles `source` as an app's entry that imports `@rapport/sdk` (the workspace package, as published). */
async function appBundle(source: string): Promise<AppBundle> {
  expect(existsSync(resolve(ROOT, 'sdk/dist/index.js')), 'sdk/dist is missing: run `npm run build`').toBe(true);
  const bundle = await rollup({
    input: 'app',
    plugins: [
      { name: 'app', resolveId: (id) => (id === 'app' ? id : null), load: (id) => (id === 'app' ? source : null) },
      nodeResolve({ rootDir: ROOT }),
    ],
  });
  const { output } = await bundle.generate({ format: 'es', plugins: [terser()] });
  await bundle.close();
  const chunks = output.filter((c): c is OutputChunk => c.type === 'chunk');
  const part = (some: OutputChunk[]) => ({
    code: some.map((c) => c.code).join('\n'),
    bytes: some.reduce((sum, c) => sum + gzipped(c.code), 0),
  });
  return { eager: part(chunks.filter((c) => c.isEntry)), lazy: part(chunks.filter((c) => !c.isEntry)) };
}

afterAll(() => {
  console.log(Object.entries(sizes).map(([what, bytes]) => `${String(bytes).padStart(6)} B  ${what}`).join('\n'));
});

describe('size budget (min+gzip)', () => {
  it('keeps the script-tag SDK (tracking, queue, consent, slots) within 6,000 B', () => {
    expect(existsSync(built), 'sdk/dist/rapport.min.js is missing: run `npm run build`').toBe(true);
    sizes['script tag, sdk/dist/rapport.min.js'] = gzipped(readFileSync(built));
    expect(sizes['script tag, sdk/dist/rapport.min.js']).toBeLessThanOrEqual(6000);
  });

  it('leaves the warnings out of the production script tag, and keeps them in its debug build', () => {
    const debug = readFileSync(resolve(ROOT, 'sdk/dist/rapport.debug.js'), 'utf8');
    const production = readFileSync(built, 'utf8');
    sizes['script tag, debug build (not budgeted), sdk/dist/rapport.debug.js'] = gzipped(debug);
    for (const warning of ['queue full', 'invalid ', 'loaded twice', 'call init() first']) {
      expect(debug).toContain(warning);
      expect(production).not.toContain(warning);
    }
    // A tag that cannot start says so in every build, and init()'s TypeErrors keep their words.
    expect(production).toContain('could not start');
    expect(production).toContain('endpoint must be an absolute http(s) URL');
  });

  it('keeps the inline stub within 500 B', () => {
    sizes['stub, stubSnippet()'] = gzipped(stubSnippet());
    expect(sizes['stub, stubSnippet()']).toBeLessThanOrEqual(500);
  });

  // 3,750 B since tracking also follows withdrawal through to the Worker, exports, keeps the session's views,
  // checks prices, orders and currencies, attributes carts and purchases to decisions and follows a
  // single-page app's routes; what a tracking-only app downloads in all is still below the 4,800 B it
  // was (IndexedDB without a library).
  it('keeps tracking alone (init, track) within 3,810 B, the slot renderer and the IndexedDB queue left out', async () => {
    const app = await appBundle("import { init, track } from '@rapport/sdk'; init({ endpoint: 'https://rapport.example' }); track('page_view');");
    sizes['npm: init + track, loaded with the page'] = app.eager.bytes;
    sizes['npm: init + track, IndexedDB queue chunk loaded once consent is given'] = app.lazy.bytes;
    sizes['npm: init + track, every chunk'] = app.eager.bytes + app.lazy.bytes;
    // 3,810 B (was 3,750) since a banner's default no longer erases a shopper it would have every page, and
    // a banner's refusal rewrites a grant remembered from consent() (rapport.ts `apply`): about 60 B.
    expect(app.eager.bytes).toBeLessThanOrEqual(3810);
    // The IndexedDB queue only in the chunk loaded once a purpose is granted.
    expect(app.eager.code).not.toContain('indexedDB');
    expect(app.lazy.code).toContain('indexedDB');
    // No slot renderer, and nothing watching for impressions of slots it cannot fill.
    expect(app.eager.code + app.lazy.code).not.toContain('data-rapport-field');
    expect(app.eager.code + app.lazy.code).not.toContain('IntersectionObserver');
    // Everything a tracking-only app may download (4,800 B while the queue used idb).
    expect(app.eager.bytes + app.lazy.bytes).toBeLessThanOrEqual(4600);
  });

  it('adds the slot renderer (and its viewable impressions) only with fill, within 5,180 B', async () => {
    const app = await appBundle("import { init, track, fill } from '@rapport/sdk'; init({ endpoint: 'https://rapport.example' }); track('page_view'); fill();");
    sizes['npm: init + track + fill, loaded with the page'] = app.eager.bytes;
    expect(app.eager.code).toContain('data-rapport-field');
    expect(app.eager.code).toContain('IntersectionObserver');
    // 4,900 B (was 4,000) for the same reasons as tracking alone, and since each item carries a "why
    // this?" disclosure linking to the privacy controls, a filled slot keeps the space its default took
    // (collapsed margins, padding and border included), slots added later are asked about in one request
    // without the first page's deadline, and overlapping fills keep their slots hidden until the last.
    // 5,110 B (was 4,900, at 4,852) since every slot fill() fills is measured for its viewable impression
    // (impressions.ts, about 230 B: the observer, focus and visibility, a timer per slot, one event per
    // decision); tracking alone gave back the bytes its new event check took, the renderer has none to spare.
    // 5,180 B (was 5,110, at 5,106) for the same ~60 B as tracking alone: a banner's default and choice told apart.
    expect(app.eager.bytes).toBeLessThanOrEqual(5180);
  });

  it('keeps the stub helper alone free of the SDK', async () => {
    const app = await appBundle("import { stubSnippet } from '@rapport/sdk'; document.head.insertAdjacentHTML('afterbegin', stubSnippet());");
    sizes['npm: stubSnippet alone'] = app.eager.bytes + app.lazy.bytes;
    expect(app.lazy.bytes).toBe(0);
    expect(app.eager.code).not.toContain('fetch');
    // 480 B since it takes a CSP nonce and refuses one that is not base64 (459 B; 302 B before).
    expect(app.eager.bytes).toBeLessThanOrEqual(480);
  });
});
