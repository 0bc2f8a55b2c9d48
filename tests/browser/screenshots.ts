/**
 * Screenshots of the demo for people to look at: each page at a desktop and
 * a phone width, written to test-results/screenshots/<name>-desktop.png and
 * <name>-mobile.png. The README shows two of them, copied into docs/images/
 * only when asked (`RAPPORT_UPDATE_README_IMAGES=1`), so a test run leaves
 * the checkout as it was.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../edge-worker/cli/wrangler';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export const WIDTHS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;

/** The screenshots the README shows, by the name they are written under, and their file in docs/images/. */
const README_IMAGES: Record<string, string> = { 'home-desktop': 'shop-home-desktop.png', 'product-mobile': 'shop-product-mobile.png' };

/**
 * Writes the page at both widths (the whole page), then leaves it at the
 * width it had. `settle` runs after each resize, before the shot (e.g. to
 * wait for a layout that depends on the width).
 */
export async function screenshotBoth(page: Page, name: string, settle?: () => Promise<void>): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  const written: string[] = [];
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await settle?.();
    const path = join(SCREENSHOTS, `${name}-${label}.png`);
    await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    written.push(path);
    const readme = README_IMAGES[`${name}-${label}`];
    if (readme && process.env.RAPPORT_UPDATE_README_IMAGES === '1') copyFileSync(path, join(ROOT, 'docs', 'images', readme));
  }
  if (before) await page.setViewportSize(before);
  return written;
}
