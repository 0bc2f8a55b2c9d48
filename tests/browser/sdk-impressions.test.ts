/**
 * Viewable impressions, in real Chromium against the real Worker: a filled
 * slot counts once at least half of it has been on screen for a continuous
 * second in a visible tab of a focused window (IAB/MRC), as one `impression`
 * event with the decision it shows, and never otherwise.
 * The waits are real seconds (an IntersectionObserver reports from rendering,
 * which a fake clock does not drive). What is asserted is what arrives at
 * the Worker and is accepted there. Both builds count a slot and a
 * single-page app's next route; the rules of viewability, one module in both,
 * are checked on the bundled build (support.ts, BUNDLED).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BUILDS, BUNDLED, openConsented, perTestPage, settledSlot, type ApiCall, type Build } from './support';

let context: BrowserContext;
let page: Page;
let calls: ApiCall[];
perTestPage((fresh) => ({ context, page, calls } = fresh));

/** Longer than the one second a slot must be seen, with room for the observer's next frame. */
const PAST_A_SECOND_MS = 1500;

/** A slot at the top of the page, on screen as soon as it is filled. */
const ON_SCREEN = '<section data-rapport-slot="recommended"><p>default</p></section><div style="height: 4000px"></div>';
/** A slot below the fold (the viewport is 720 px high), with room to scroll past it. */
const BELOW_THE_FOLD = '<div style="height: 3000px"></div><section data-rapport-slot="recommended"><p>default</p></section><div style="height: 3000px"></div>';
/** The same, 400 px high whatever it shows. */
const TALL_BELOW_THE_FOLD = BELOW_THE_FOLD.replace('<section', '<section style="height: 400px; overflow: hidden"');

function rapport(...call: unknown[]): Promise<unknown> {
  return page.evaluate((call) => (window as unknown as { rapport: (...c: unknown[]) => Promise<unknown> }).rapport(...call), call);
}

/** The impressions the Worker accepted so far. */
const impressions = () =>
  calls
    .filter((c) => c.path === '/v1/collect' && c.status === 200)
    .flatMap((c) => c.body.events as Array<Record<string, unknown>>)
    .filter((e) => e.type === 'impression');

/** The impressions the Worker accepted once everything tracked so far has been sent and answered. */
async function impressionsSent(): Promise<Array<Record<string, unknown>>> {
  await rapport('flush');
  await expect.poll(() => calls.every((c) => c.status !== undefined), { timeout: 10_000 }).toBe(true);
  return impressions();
}

/** Lets more than a second pass, then checks that nothing was counted. */
async function expectNoneAfterASecond(): Promise<void> {
  await page.waitForTimeout(PAST_A_SECOND_MS);
  expect(await impressionsSent()).toEqual([]);
}

/** Waits for the one impression of the slot, for `decision`. */
async function expectCountedOnce(decision: string): Promise<void> {
  await expect.poll(impressions, { timeout: 10_000 }).toEqual([expect.objectContaining({ decision, slot: 'recommended' })]);
}

/** Waits for the slot to be filled and returns the decision it shows. */
async function filled(): Promise<string> {
  expect((await settledSlot(page, 'recommended')).state).toBe('filled');
  return (await page.getAttribute('[data-rapport-slot="recommended"]', 'data-rapport-decision'))!;
}

const scrollToSlot = () => page.evaluate(() => document.querySelector('[data-rapport-slot="recommended"]')!.scrollIntoView());

/**
 * Headless Chromium keeps its pages visible: a tab hidden is played the way the browser reports it
 * (`visibilityState`, then `visibilitychange`), and so is this, the tab shown again.
 */
async function showTab(): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}

describe.each(BUILDS)('viewable impressions, the %s build', (build: Build) => {
  it('counts a slot on screen for a second once, with the decision it shows', async () => {
    await openConsented(page, build, ON_SCREEN);
    const decision = await filled();
    await expectCountedOnce(decision);
    // Scrolled away and back, and on screen a while: still once for this decision.
    await page.evaluate(() => scrollTo(0, 3000));
    await page.waitForTimeout(300);
    await page.evaluate(() => scrollTo(0, 0));
    await page.waitForTimeout(PAST_A_SECOND_MS);
    expect(await impressionsSent()).toHaveLength(1);
  });

  it("counts a slot filled anew for a single-page app's next route again, with its new decision", async () => {
    await openConsented(page, build);
    /** Shows product `id` as a route of the app, its `similar` slot on screen and filled (see sdk-spa.test.ts). */
    const showProduct = async (id: string): Promise<string> => {
      await page.evaluate(async ([id, build]) => {
        if (build === 'npm') return void (await (window as unknown as { rapportRouter: { push(to: string): Promise<unknown> } }).rapportRouter.push(`/products/${id}`));
        history.pushState({}, '', `/sdk-app/products/${id}`);
        document.querySelector('[data-rapport-product]')?.remove();
        document.body.insertAdjacentHTML('afterbegin', `<article data-rapport-product="${id}"><section data-rapport-slot="similar"><p>default</p></section></article>`);
      }, [id, build] as const);
      const slot = page.locator(`[data-rapport-product="${id}"] [data-rapport-slot="similar"]`);
      await expect.poll(() => slot.getAttribute('data-rapport-state'), { timeout: 5000 }).toBe('filled');
      return (await slot.getAttribute('data-rapport-decision'))!;
    };

    const first = await showProduct('42');
    await expect.poll(impressions, { timeout: 10_000 }).toEqual([expect.objectContaining({ decision: first, slot: 'similar' })]);
    const second = await showProduct('78');
    expect(second).not.toBe(first);
    await expect.poll(impressions, { timeout: 10_000 }).toEqual([
      expect.objectContaining({ decision: first, slot: 'similar' }),
      expect.objectContaining({ decision: second, slot: 'similar' }),
    ]);
    await page.waitForTimeout(PAST_A_SECOND_MS);
    expect(await impressionsSent()).toHaveLength(2);
  });

  // What the impressions module decides alone, the same source in both builds: against the bundled one (support.ts, BUNDLED).
  if (build !== BUNDLED) return;

  it('counts a slot only once at least half of it is on screen, for a second', async () => {
    await openConsented(page, build, TALL_BELOW_THE_FOLD);
    const decision = await filled();
    await page.evaluate(() => {
      // Shows the slot's top `px` (of 400) at the bottom of the viewport.
      (window as unknown as { showPx: (px: number) => void }).showPx = (px) =>
        scrollBy(0, document.querySelector('[data-rapport-slot="recommended"]')!.getBoundingClientRect().top - innerHeight + px);
    });
    const showPx = (px: number) => page.evaluate((px) => (window as unknown as { showPx: (px: number) => void }).showPx(px), px);
    // A quarter of it, for more than a second.
    await showPx(100);
    await expectNoneAfterASecond();
    // Three quarters for half a second, then a quarter again.
    await page.evaluate(async () => {
      const { showPx } = window as unknown as { showPx: (px: number) => void };
      showPx(300);
      await new Promise((resolve) => setTimeout(resolve, 500));
      showPx(100);
    });
    await expectNoneAfterASecond();

    await showPx(300);
    await expectCountedOnce(decision);
  });

  it('counts a slot below the fold only once scrolled into view, a second later', async () => {
    await openConsented(page, build, BELOW_THE_FOLD);
    const decision = await filled();
    await expectNoneAfterASecond();

    await scrollToSlot();
    await expectCountedOnce(decision);
  });

  it('does not count a slot on screen for half a second, and counts it when it stays a second', async () => {
    await openConsented(page, build, BELOW_THE_FOLD);
    const decision = await filled();
    // Timed in the page, so that the glance lasts half a second whatever the test runner does meanwhile.
    await page.evaluate(async () => {
      document.querySelector('[data-rapport-slot="recommended"]')!.scrollIntoView();
      await new Promise((resolve) => setTimeout(resolve, 500));
      scrollTo(0, 0);
    });
    await expectNoneAfterASecond();

    await scrollToSlot();
    await expectCountedOnce(decision);
  });

  it('does not count a slot removed from the page before its second', async () => {
    await openConsented(page, build, BELOW_THE_FOLD);
    await filled();
    await page.evaluate(async () => {
      const slot = document.querySelector('[data-rapport-slot="recommended"]')!;
      slot.scrollIntoView();
      await new Promise((resolve) => setTimeout(resolve, 500));
      slot.remove();
    });
    await expectNoneAfterASecond();
  });

  it('does not count a slot in a hidden tab, filled there or scrolled to, until the tab is shown', async () => {
    // The tab is hidden from the start: the slot is filled while no one can see it.
    await page.addInitScript(() => Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }));
    await openConsented(page, build, ON_SCREEN);
    const decision = await filled();
    await expectNoneAfterASecond();

    await showTab();
    await expectCountedOnce(decision);
  });

  it('does not count a slot whose tab is hidden before its second is up, and counts it once shown again', async () => {
    await openConsented(page, build, BELOW_THE_FOLD);
    const decision = await filled();
    await page.evaluate(async () => {
      document.querySelector('[data-rapport-slot="recommended"]')!.scrollIntoView();
      await new Promise((resolve) => setTimeout(resolve, 500));
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await expectNoneAfterASecond();

    await showTab();
    await expectCountedOnce(decision);
  });

  it('does not count a slot while the window has lost focus, and counts it once focus is back', async () => {
    // Playwright makes every page report focus (document.hasFocus() is always true): with that emulation
    // off, the window's real focus applies, and bringing another page to the front takes it away.
    await openConsented(page, build, BELOW_THE_FOLD);
    const decision = await filled();
    await (await context.newCDPSession(page)).send('Emulation.setFocusEmulationEnabled', { enabled: false });
    await page.bringToFront();
    expect(await page.evaluate(() => document.hasFocus())).toBe(true);

    const other = await context.newPage();
    await other.bringToFront();
    await expect.poll(() => page.evaluate(() => document.hasFocus())).toBe(false);
    await scrollToSlot();
    await expectNoneAfterASecond();

    await page.bringToFront();
    await expectCountedOnce(decision);
  });
});
