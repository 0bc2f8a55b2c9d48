/**
 * Decisions are data, never code: whatever a decision carries (a
 * `javascript:` link, a `data:` image, markup in a title), both builds render
 * it as inert text and safe URLs. The Worker refuses such values at publish
 * time (tests/unit/published); this is the SDK's own line of defence, checked
 * with a decide answer crafted as an attacker would.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { DecideResponse } from '../../sdk/src/wire';
import { BUILDS, openConsented, perTestPage, settledSlot } from './support';

let page: Page;
perTestPage((fresh) => ({ page } = fresh));

const SLOTS = `
<section data-rapport-slot="recommended"><h2 data-rapport-title>Default heading</h2>
  <div data-rapport-list><template><article><a data-rapport-field="url"><img data-rapport-field="image"><h3 data-rapport-field="title"></h3></a></article></template><p>default item</p></div>
</section>
<section data-rapport-slot="hero"><a data-rapport-field="url" href="/default"><span data-rapport-field="title">Default hero</span></a></section>`;

const MARKUP = '<img src=x onerror="window.pwned=1">';
const HOSTILE: DecideResponse = {
  decisionId: 'decision-0001',
  model: 'test',
  slots: {
    recommended: {
      title: '<b>Picked</b> for you',
      items: [
        { id: 'a1', title: MARKUP, price: 1, url: 'javascript:window.pwned=1', image: 'data:image/svg+xml,<svg/>', category: 'c', reason: 'r' },
        { id: 'a2', title: 'Fine', price: 2, url: '/p/2', image: 'https://cdn.example/2.png', category: 'c', reason: 'r' },
      ],
    },
    hero: { title: 'Hi', items: [], variant: { id: 'v1', title: 'Hi', body: '', href: ' JavaScript:window.pwned=1', reason: 'r' } },
  },
};

describe.each(BUILDS)('the %s build renders decisions as data', (build) => {
  it('keeps javascript: and data: URLs out of the page and shows markup as text', async () => {
    await page.route('**/v1/decide', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(HOSTILE) }));
    await openConsented(page, build, SLOTS);

    expect((await settledSlot(page, 'recommended')).state).toBe('filled');
    const rendered = await page.evaluate(() => {
      const slot = document.querySelector('[data-rapport-slot="recommended"]')!;
      return {
        hrefs: [...slot.querySelectorAll('article a')].map((a) => a.getAttribute('href')),
        images: [...slot.querySelectorAll('article img')].map((img) => img.getAttribute('src')),
        titles: [...slot.querySelectorAll('h3')].map((h) => h.textContent),
        injected: slot.querySelectorAll('img[src="x"], b').length,
        heading: slot.querySelector('[data-rapport-title]')!.textContent,
        hero: document.querySelector('[data-rapport-slot="hero"] a')!.getAttribute('href'),
        pwned: (window as unknown as { pwned?: number }).pwned,
      };
    });
    expect(rendered).toEqual({
      hrefs: ['', '/p/2'],
      images: ['', 'https://cdn.example/2.png'],
      titles: [MARKUP, 'Fine'],
      injected: 0,
      heading: '<b>Picked</b> for you',
      hero: '',
      pwned: undefined,
    });
  });
});
