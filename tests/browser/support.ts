/**
 * Real Chromium for the browser tests, and a recorder for the SDK's traffic
 * so tests read as "do this, expect these requests".
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { expect, inject } from 'vitest';
import type { Profile } from '../../edge-worker/src/profile/profile';
import { wrangler } from '../../edge-worker/cli/wrangler';

/** Debian's Chromium by default; CHROMIUM_PATH points elsewhere (e.g. Playwright's own build). */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** Launches headless Chromium with flags that keep it off the network. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath && !existsSync(executablePath)) {
    throw new Error(`CHROMIUM_PATH=${executablePath} does not exist`);
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  }).catch((err: Error) => {
    throw new Error(
      `Could not start Chromium (${err.message.split('\n')[0]}). Install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  });
}

/** One request the SDK made to the Worker's API. */
export interface ApiCall {
  path: string;
  body: any;
  status?: number;
  response?: any;
}

/** Records every /v1 request a page makes (fetch and beacons alike), with its response. */
export function recordApi(page: Page): ApiCall[] {
  const calls: ApiCall[] = [];
  const byRequest = new Map<Request, ApiCall>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/v1/')) return;
    const call: ApiCall = { path: url.pathname, body: request.postData() ? JSON.parse(request.postData()!) : undefined };
    calls.push(call);
    byRequest.set(request, call);
  });
  page.on('response', async (response) => {
    const call = byRequest.get(response.request());
    if (!call) return;
    call.status = response.status();
    call.response = await response.json().catch(() => undefined);
  });
  return calls;
}

/** Event types in the collect requests recorded so far, in order. */
export function eventTypes(calls: ApiCall[]): string[] {
  return calls.filter((c) => c.path === '/v1/collect').flatMap((c) => c.body.events.map((e: { type: string }) => e.type));
}

/** Waits until a slot has settled and returns its state and the item ids it shows. */
export async function settledSlot(page: Page, id: string): Promise<{ state: string; items: string[]; reasons: string[] }> {
  const slot = page.locator(`[data-rapport-slot="${id}"]`);
  await expect.poll(() => slot.getAttribute('data-rapport-state'), { timeout: 5000 }).not.toBeNull();
  return slot.evaluate((el) => ({
    state: el.getAttribute('data-rapport-state')!,
    items: [...el.querySelectorAll<HTMLElement>('[data-rapport-item]')].map((a) => a.dataset.rapportItem!),
    reasons: [...el.querySelectorAll('.why')].map((r) => r.textContent ?? ''),
  }));
}

/** The profile the running Worker keeps in its local KV for a visitor (read with wrangler, as an operator would). */
export function storedProfile(vid: string): Profile | null {
  try {
    const text = wrangler(['kv', 'key', 'get', `p:${vid}`, '--binding', 'PROFILES', '--local', '--persist-to', inject('persistTo')]);
    return JSON.parse(text) as Profile;
  } catch (err) {
    if (/not found/i.test(String(err))) return null;
    throw err;
  }
}
