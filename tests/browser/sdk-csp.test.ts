/**
 * The script tag under a strict Content-Security-Policy, in Chromium: a shop
 * page whose policy allows scripts and styles only by nonce (`default-src
 * 'self'`, the Worker's origin in connect-src) runs the stub from
 * `stubSnippet({ nonce })` and the SDK with zero violations, before consent
 * and after it, with a slot filled and events delivered; the stub without
 * the nonce is what such a policy blocks. The SDK needs no eval and no inline
 * style for any of it: slots change by attribute and class, styled by the
 * stub's one <style> (a filled slot keeps its height through the CSSOM, which
 * CSP does not govern).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { stubSnippet } from '../../sdk/src/stub';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { BUILDS, openConsented, perTestPage, settledSlot, type ApiCall } from './support';

const worker = inject('baseURL');
/** A shop origin the Worker answers (ALLOWED_ORIGINS), cross-origin to it. */
const shop = inject('shopOrigin');
const built = {
  code: readFileSync(join(ROOT, 'sdk/dist/rapport.min.js'), 'utf8'),
  manifest: JSON.parse(readFileSync(join(ROOT, 'sdk/dist/integrity.json'), 'utf8')) as { src: string; integrity: string },
};

/** A CSP violation as the page's `securitypolicyviolation` event reports it. */
interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

let page: Page;
let calls: ApiCall[];
let violations: Violation[];
let cspConsoleErrors: string[];
perTestPage((fresh) => ({ page, calls } = fresh));
beforeEach(async () => {
  violations = [];
  cspConsoleErrors = [];
  // Registered before any of the page's own scripts, on every page the test opens.
  await page.exposeFunction('reportViolation', (violation: Violation) => violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation: (v: Violation) => void }).reportViolation({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
    );
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspConsoleErrors.push(message.text());
  });
});

/** How the SDK's own tag is allowed: by the page's nonce, or by its origin in script-src. */
type Allowed = 'nonce' | 'origin';

/**
 * Serves a product page of the shop with a nonce-based policy (a fresh nonce
 * per response, as servers make them), the given stub, the SDK's versioned
 * tag with its integrity hash, and a slot whose template shows images.
 */
async function strictPage(stub: (nonce: string) => string, allowed: Allowed): Promise<string> {
  const url = `${shop}/csp/p/78`;
  await page.route(url, (route) => {
    const nonce = randomBytes(16).toString('base64');
    const policy = [
      "default-src 'self'",
      `script-src 'nonce-${nonce}'${allowed === 'origin' ? ` ${worker}` : ''}`,
      `style-src 'nonce-${nonce}'`,
      `connect-src ${worker}`,
      "object-src 'none'",
      "base-uri 'none'",
    ].join('; ');
    const html = `<!doctype html><html><head><meta charset="utf-8">${stub(nonce)}
<script async src="${worker}${built.manifest.src}" integrity="${built.manifest.integrity}" crossorigin="anonymous"${allowed === 'nonce' ? ` nonce="${nonce}"` : ''}
        data-endpoint="${worker}" data-consent="pending"></script>
<script nonce="${nonce}">rapport('track', 'product_view', { item: '78' });</script>
</head><body>
<section data-rapport-slot="similar" data-max="4">
  <h2 data-rapport-title>Default</h2>
  <div data-rapport-list>
    <template><article><a data-rapport-field="url"><img data-rapport-field="image"><h3 data-rapport-field="title"></h3></a><p data-rapport-field="reason"></p></article></template>
    <p>default item</p>
  </div>
</section>
</body></html>`;
    return route.fulfill({ contentType: 'text/html', headers: { 'content-security-policy': policy }, body: html });
  });
  return url;
}

/** Whether the stub's <style> (the rule that hides waiting slots) is in force: a blocked one has no sheet. */
const stubStyleApplies = () => page.evaluate(() => document.querySelector<HTMLStyleElement>('head > style')!.sheet !== null);

const rapport = (...call: unknown[]) =>
  page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => unknown }).rapport(...call), call);

it('the built script has no eval or Function constructor and writes no style attribute or style sheet', () => {
  for (const needle of ['eval(', 'Function(', 'style=', '"style"', 'cssText', 'insertRule', 'innerHTML', 'setTimeout("', 'setInterval("']) {
    expect(built.code, needle).not.toContain(needle);
  }
  // Its one style write is through the CSSOM (a filled slot keeps its height), which CSP does not
  // govern: the pages below run it with zero violations.
  expect(built.code.match(/\.style\.\w+/g)).toEqual(['.style.minHeight']);
});

describe.each<[string, Allowed]>([
  ['by a nonce', 'nonce'],
  ["by the Worker's origin in script-src", 'origin'],
])('with the SDK tag allowed %s', (_, allowed) => {
  it('runs the nonce\'d stub and the SDK with zero violations, before consent and after it', async () => {
    const url = await strictPage((nonce) => stubSnippet({ nonce }), allowed);
    await page.goto(url);
    expect(await stubStyleApplies()).toBe(true);
    // Before consent: the SDK ran and the slot settled with its default content.
    expect((await settledSlot(page, 'similar')).state).toBe('default');

    await rapport('consent', { analytics: true, personalization: true });
    await page.goto(url);
    const slot = await settledSlot(page, 'similar');
    expect(slot.state).toBe('filled');
    expect(slot.items.length).toBeGreaterThan(0);
    // The images the slot rendered loaded (same origin as the page, as `default-src 'self'` allows).
    await expect
      .poll(() => page.locator('[data-rapport-slot] img').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)))
      .toEqual(slot.items.map(() => true));
    await rapport('flush');
    // The product view the page queued through the stub before the SDK arrived, delivered.
    await expect
      .poll(() => calls.filter((c) => c.path === '/v1/collect' && c.status === 200).flatMap((c) => c.body.events.map((e: { type: string }) => e.type)), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['page_view', 'product_view']));

    expect(violations).toEqual([]);
    expect(cspConsoleErrors).toEqual([]);
  });
});

it('blocks the stub without the nonce under the same policy (so the test above can fail)', async () => {
  await page.goto(await strictPage(() => stubSnippet(), 'nonce'));
  await expect.poll(() => violations.map((v) => [v.directive, v.blocked]).sort()).toEqual(
    expect.arrayContaining([
      ['script-src-elem', 'inline'],
      ['style-src-elem', 'inline'],
    ]),
  );
  // The slots' rule never applied.
  expect(await stubStyleApplies()).toBe(false);
});

describe.each(BUILDS)('the %s build under a strict policy, on the shop pages both builds are tested on', (build) => {
  it('tracks, fills a slot and follows a route with zero violations', async () => {
    await openConsented(page, build, '<main data-rapport-product="78"><section data-rapport-slot="recommended"><p>default</p></section></main>', {
      csp: true,
      head: build === 'script tag' ? stubSnippet() : '',
    });
    expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    // A route of the app and its slot: the npm build's router renders a product page; the plain page renders its own.
    if (build === 'npm') {
      await page.evaluate(() => (window as unknown as { rapportRouter: { push(p: string): Promise<unknown> } }).rapportRouter.push('/products/42'));
    } else {
      await page.evaluate(() => {
        history.pushState({}, '', '/sdk-app/products/42');
        document.body.insertAdjacentHTML('beforeend', '<article data-rapport-product="42"><section data-rapport-slot="similar"><p>default</p></section></article>');
      });
    }
    const routed = page.locator('[data-rapport-product="42"] [data-rapport-slot="similar"]');
    await expect.poll(() => routed.getAttribute('data-rapport-state'), { timeout: 5000 }).toBe('filled');
    await rapport('flush');
    await expect
      .poll(() => calls.filter((c) => c.path === '/v1/collect' && c.status === 200).flatMap((c) => c.body.events.map((e: { type: string }) => e.type)), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(['page_view', 'product_view']));
    // The queue's own chunk (the npm build imports it once consent is given) loaded under the policy too.
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual(['rapport']);
    expect(violations).toEqual([]);
    expect(cspConsoleErrors).toEqual([]);
  });
});
