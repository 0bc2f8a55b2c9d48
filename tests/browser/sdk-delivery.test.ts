/**
 * What the SDK promises about delivery, in real Chromium against the real
 * Worker, for both builds (script tag and npm): events an older SDK left in
 * IndexedDB are carried over to the new schema and counted exactly once, under
 * the visitor id the Worker issues in place of the one that SDK made up; a
 * batch the Worker refuses is split so that every good event arrives and only
 * the bad one is dropped, with a warning; and `track()` refuses, up front, an
 * event the Worker would refuse.
 */
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { PATTERNS } from '../../sdk/src/wire';
import { acceptedEventIds, BUILDS, openSdkApp, perTestPage, serveSdkApp, storedProfile, storedVisitorId, type ApiCall } from './support';

/** An event as an older SDK stored it: schema version 1 kept the event id beside the event. */
interface Version1Record {
  id: string;
  sid: string;
  ev: { id: string; type: string; ts: number; path: string; item: string };
  at: number;
}

let page: Page;
let calls: ApiCall[];
let warnings: string[];

perTestPage((fresh) => ({ page, calls } = fresh));
beforeEach(() => {
  warnings = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
});

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/** Product views an older SDK queued in one session, one per item. */
function version1Queue(items: string[]): Version1Record[] {
  const sid = `session-${unique()}`;
  const ts = Date.now() - 60_000;
  return items.map((item, i) => {
    const id = `event-${unique()}-${i}`;
    return { id, sid, ev: { id, type: 'product_view', ts: ts + i, path: `/p/${i}`, item }, at: ts * 1000 + i };
  });
}

/**
 * Before any SDK runs on the origin: the shopper consented earlier (remembered
 * choice) and an SDK using IndexedDB schema version 1 left `records` unsent and
 * a visitor id it made up itself, which the Worker now refuses (401). Returns
 * that id.
 */
async function leftByAnOlderSdk(blank: string, records: Version1Record[]): Promise<string> {
  const vid = `visitor-${unique()}`;
  await page.goto(blank);
  await page.evaluate(
    async ({ vid, records }) => {
      localStorage.setItem('rapport_consent', JSON.stringify({ analytics: true, personalization: true }));
      localStorage.setItem('rapport_vid', vid);
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('rapport', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('events', { keyPath: 'id' }).createIndex('at', 'at');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction('events', 'readwrite');
      for (const record of records) tx.objectStore('events').put(record);
      await new Promise((done) => (tx.oncomplete = done));
      db.close();
    },
    { vid, records },
  );
  return vid;
}

/** The queue's database as the page sees it now: schema version and events still queued. */
function storedQueue(): Promise<{ version: number; queued: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('rapport');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const queued = await new Promise<number>((resolve) => {
      const count = db.transaction('events').objectStore('events').count();
      count.onsuccess = () => resolve(count.result);
    });
    db.close();
    return { version: db.version, queued };
  });
}

/** How often each event id arrived in a collect request the Worker accepted. */
const acceptedIds = () => acceptedEventIds(calls);

/**
 * The older SDK's id was refused and nothing was lost for it: no collect that
 * carried it was accepted; the one refused for the id (401) went again at once
 * without it; and every accepted collect was recorded under the id the Worker
 * issued, which the SDK now keeps. Returns that id.
 */
async function movedToAnIssuedId(older: string): Promise<string> {
  const vid = (await storedVisitorId(page))!;
  expect(vid).toMatch(PATTERNS.visitorId);
  const collects = calls.filter((c) => c.path === '/v1/collect');
  expect(collects.filter((c) => c.body.vid === older && c.status === 200)).toEqual([]);
  // Refused once: from then on the SDK goes as the issued id, even for halves of a split batch.
  const refused = collects.filter((c) => c.status === 401);
  expect(refused).toHaveLength(1);
  expect([refused[0]!.body.vid, refused[0]!.response?.error?.code]).toEqual([older, 'invalid_visitor_id']);
  const resent = collects[collects.indexOf(refused[0]!) + 1]!;
  expect({ vid: resent.body.vid, events: resent.body.events }).toEqual({ vid: undefined, events: refused[0]!.body.events });
  const accepted = collects.filter((c) => c.status === 200);
  expect(new Set(accepted.map((c) => c.response?.vid))).toEqual(new Set([vid]));
  return vid;
}

/** Every collect request has been answered. */
const allAnswered = () => calls.filter((c) => c.path === '/v1/collect').every((c) => c.status !== undefined);

describe.each(BUILDS)('the %s build', (build) => {
  it('delivers events an older SDK left queued (IndexedDB version 1) exactly once', async () => {
    const { app, blank } = await serveSdkApp(page, build);
    const left = version1Queue(['2']);
    const older = await leftByAnOlderSdk(blank, left);

    await openSdkApp(page, app);
    await expect.poll(() => acceptedIds().get(left[0]!.id), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => calls.some((c) => c.body?.events?.some((e: { type: string }) => e.type === 'page_view') && c.status === 200), { timeout: 10_000 }).toBe(true);
    await expect.poll(storedQueue, { timeout: 5000 }).toEqual({ version: 2, queued: 0 });

    // Opened again, the page has nothing left over to send.
    const before = calls.length;
    await openSdkApp(page, app);
    await page.evaluate(() => (window as unknown as { rapport: (m: string) => Promise<void> }).rapport('flush'));
    await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);
    expect(calls.slice(before).flatMap((c) => (c.body?.events ?? []).map((e: { id: string }) => e.id))).not.toContain(left[0]!.id);
    expect(acceptedIds().get(left[0]!.id)).toBe(1);
    await expect.poll(() => calls.every((c) => c.response)).toBe(true);
    const vid = await movedToAnIssuedId(older);

    // The Worker counted it once, under the issued id: the product view, beside the two page views.
    await expect.poll(async () => (await storedProfile(vid))?.counts.views, { timeout: 10_000, interval: 500 }).toBe(1);
    expect((await storedProfile(vid))?.viewed.map(({ item }) => item)).toEqual(['2']);
  });

  it('splits a batch the Worker refuses: every good event arrives once, only the bad one is dropped', async () => {
    const { app, blank } = await serveSdkApp(page, build);
    // One product id longer than the contract allows, as an SDK without track()-time checks could queue it.
    const left = version1Queue(['1', '2', '3', 'x'.repeat(65), '4', '5', '6']);
    const bad = left[3]!.id;
    const good = left.filter((r) => r.id !== bad).map((r) => r.id);
    const older = await leftByAnOlderSdk(blank, left);

    await openSdkApp(page, app);
    await expect.poll(() => good.map((id) => acceptedIds().get(id)), { timeout: 15_000 }).toEqual(good.map(() => 1));
    // Said on the console where the build explains itself (the production script tag leaves its warnings out).
    if (build === 'npm') await expect.poll(() => warnings.some((w) => w.includes('[rapport] dropped 1 event(s) the server refused (HTTP 400)')), { timeout: 10_000 }).toBe(true);
    await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);

    // The bad event only ever travelled in batches the Worker refused, and it is gone from the queue.
    const carrying = calls.filter((c) => c.path === '/v1/collect' && c.body.events.some((e: { id: string }) => e.id === bad));
    expect(carrying.map((c) => c.status)).toEqual(carrying.map(() => 400));
    expect(acceptedIds().has(bad)).toBe(false);
    await expect.poll(storedQueue, { timeout: 5000 }).toEqual({ version: 2, queued: 0 });
    // The Worker never saw a good event twice, and counted each one.
    const accepted = calls.filter((c) => c.path === '/v1/collect' && c.status === 200);
    await expect.poll(() => accepted.every((c) => c.response)).toBe(true);
    expect(accepted.reduce((n, c) => n + c.response.duplicates, 0)).toBe(0);
    // All under one issued id, though the batch was split after the Worker issued it.
    await expect.poll(() => calls.every((c) => c.response)).toBe(true);
    const vid = await movedToAnIssuedId(older);
    await expect.poll(async () => (await storedProfile(vid))?.counts.views, { timeout: 10_000, interval: 500 }).toBe(good.length);
  });

  it('refuses an event the Worker would refuse, at track() where the build checks, and delivers the rest once', async () => {
    // The npm package checks each event at track(); the production script tag leaves that to the Worker.
    const checks = build === 'npm';
    const { app, blank } = await serveSdkApp(page, build);
    const older = await leftByAnOlderSdk(blank, []);
    await openSdkApp(page, app);
    const results = await page.evaluate(async () => {
      const rapport = (window as unknown as { rapport: (...call: unknown[]) => Promise<boolean> }).rapport;
      const refused = await Promise.all([
        rapport('track', 'product_view', { item: 'x'.repeat(65) }),
        rapport('track', 'scroll', { depth: 150 }),
        rapport('track', 'add_to_cart', { item: 'sku-1', qty: 0 }),
      ]);
      const accepted = await rapport('track', 'product_view', { item: '3' });
      await rapport('flush');
      return { refused, accepted };
    });
    expect(results).toEqual({ refused: checks ? [false, false, false] : [true, true, true], accepted: true });
    // Each refusal says which field, where the build explains itself.
    expect(warnings.filter((w) => w.startsWith('[rapport] invalid'))).toEqual(
      checks ? [`[rapport] invalid product_view event: item = "${'x'.repeat(65)}"`, '[rapport] invalid scroll event: depth = 150', '[rapport] invalid add_to_cart event: qty = 0'] : [],
    );
    // The Worker accepted exactly the valid events, each once, whichever side refused the others.
    const sent = () => calls.filter((c) => c.path === '/v1/collect' && c.status === 200).flatMap((c) => c.body.events as Array<{ type: string; item?: string }>);
    await expect.poll(() => sent().map((e) => [e.type, e.item]).sort(), { timeout: 15_000 }).toEqual([['page_view', undefined], ['product_view', '3']]);
    await expect.poll(allAnswered, { timeout: 10_000 }).toBe(true);
    // The older SDK's id, refused and replaced; without the check at track(), also the batches the Worker
    // found invalid, split until each bad event stood alone.
    const refusals = calls.filter((c) => c.status !== 200).map((c) => [c.status, c.status === 401 ? c.body.vid : 'invalid']);
    if (checks) expect(refusals).toEqual([[401, older]]);
    else expect(new Set(refusals.map(String))).toEqual(new Set([String([401, older]), String([400, 'invalid'])]));
    expect(sent()).toHaveLength(2);
  });
});
