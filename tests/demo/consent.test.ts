/**
 * The consent banner and the privacy centre as the demo Worker renders them
 * (in workerd): the shop's own banner by default, and with `demo_cmp=tcf`
 * the same banner as an IAB TCF CMP, whose stub and CMP script come first in
 * <head>, before the SDK that follows them.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../demo-shop/src/catalog';
import { call } from '../worker/helpers';

const page = async (path: string, cookie?: string) => (await call(path, cookie ? { headers: { cookie } } : {})).text();
const head = (html: string) => html.slice(0, html.indexOf('</head>'));
/** The banner's markup: the section consent.js shows. */
const banner = (html: string) => /<section class="consent"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describe('the consent banner', () => {
  it("is the shop's own by default: its script and style in <head>, no TCF stub or CMP", async () => {
    const html = await page('/');
    expect(head(html)).toContain('<link rel="stylesheet" href="/css/consent.css">');
    expect(head(html)).toContain('<script defer src="/consent.js"></script>');
    expect(html).not.toContain('__tcfapi');
    expect(html).not.toContain('/js/tcf-cmp.js');
    const markup = banner(html);
    expect(markup).toMatch(/^<section class="consent" data-consent-banner data-cmp="shop" aria-labelledby="consent-title" hidden>/);
    for (const label of ['Accept all', 'Reject all', 'Choose', 'Save choices', 'Measurement', 'Personalization', 'Play this banner as an IAB TCF v2.2 CMP']) expect(markup).toContain(`>${label}<`);
    expect(markup).toContain("shop's own banner");
    expect(markup).not.toContain('TCF purposes');
    expect(markup).not.toMatch(/data-consent-tcf[^>]* checked/);
  });

  it('plays an IAB TCF CMP with demo_cmp=tcf: the stub, then the CMP module, then the banner, all before the SDK', async () => {
    const html = await page('/', 'demo_cmp=tcf');
    const inHead = head(html);
    const at = (needle: string) => inHead.indexOf(needle);
    const stub = at('w.__tcfapi=function');
    const cmp = at('<script type="module" src="/js/tcf-cmp.js"></script>');
    const script = at('<script defer src="/consent.js"></script>');
    const sdk = at('<script async src="/sdk/rapport.min.js"');
    expect([stub, cmp, script, sdk].every((i) => i > 0)).toBe(true);
    expect(stub).toBeLessThan(cmp);
    expect(cmp).toBeLessThan(script);
    expect(script).toBeLessThan(sdk);
    const markup = banner(html);
    expect(markup).toContain('data-cmp="tcf"');
    expect(markup).toContain('playing an <strong>IAB TCF v2.2 CMP</strong>');
    expect(markup).toMatch(/data-consent-tcf[^>]* checked/);
    expect(markup).toContain('Recorded as TCF purposes 1, 8, 10: Store and/or access information on a device; Measure content performance; Develop and improve services.');
    expect(markup).toContain('Recorded as TCF purposes 1, 5, 6:');
  });

  it('is on every page, the privacy centre included, with the footer button that re-opens it', async () => {
    for (const path of ['/', '/p/1', '/c/laptops', '/privacy', '/nowhere']) {
      const html = await page(path);
      expect(banner(html), path).toContain('data-consent-banner');
      expect(html, path).toContain('<button type="button" class="linkish" data-consent-open>');
    }
  });
});

describe('the privacy centre', () => {
  it('has its controls, its script, and the names of every product for the export', async () => {
    const html = await page('/privacy');
    expect(head(html)).toContain('<script defer src="/privacy.js"></script>');
    for (const control of ['data-privacy-form', 'data-privacy-export', 'data-privacy-download', 'data-privacy-forget', 'data-privacy-opt-out']) expect(html).toContain(control);
    expect(html.match(/role="status" data-privacy-status=/g)).toHaveLength(4);
    const json = /<script type="application\/json" id="privacy-names">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const names = JSON.parse(json) as { products: Record<string, string>; categories: Record<string, string> };
    expect(Object.keys(names.products)).toHaveLength(PRODUCTS.length);
    expect(names.products['1']).toBe(PRODUCTS.find((p) => p.id === '1')!.title);
    expect(names.categories.laptops).toBe('Laptops');
  });

  it('offers the TCF switch in both modes, set as the cookie says', async () => {
    expect(await page('/privacy')).not.toMatch(/id="privacy-tcf"[^>]* checked/);
    expect(await page('/privacy', 'demo_cmp=tcf')).toMatch(/id="privacy-tcf"[^>]* checked/);
  });
});
