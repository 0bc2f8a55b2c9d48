/** Helpers for Worker tests: requests to the Worker under test and seeded KV. */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { seedEntries, type PublishedModel } from '../../demo-shop/src/seed';
import { inject, vi } from 'vitest';
import type { VisitorProfile, VisitorState } from '../../edge-worker/src/profile/visitor-object';
import { issueVisitorId } from '../../edge-worker/src/identity/visitor-id';
import { forgetPublished, type Entry } from '../../edge-worker/src/published/published';

/** The demo model's artifact, trained in Node by the global setup. */
export function demoModel(): PublishedModel {
  const { version, base64 } = inject('demoModel');
  return { version, bytes: Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)) };
}

/** Writes published entries into this test file's KV (values, then pointers with their metadata) and makes the Worker see them at once. */
export async function publish(entries: readonly Entry[]): Promise<void> {
  for (const pointers of [false, true]) {
    for (const { key, value, pointer, metadata } of entries) if (pointer === pointers) await env.MODELS.put(key, value, metadata ? { metadata } : {});
  }
  forgetPublished();
}

/** Publishes the demo's catalog, model and slots into this test file's KV. */
export async function seedModels(): Promise<void> {
  await publish(seedEntries(demoModel()));
}

/** Sends a request to the Worker as a browser would. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://rapport.test${path}`, init));
}

/** POSTs a JSON body as text/plain, the way the SDK and beacons send it. */
export function post(path: string, body: unknown): Promise<Response> {
  return call(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'text/plain' } });
}

/** A visitor id as the Worker issues it (signed with the development key the tests run with). */
export function newVisitor(): Promise<string> {
  return issueVisitorId(env, Date.now());
}

let counter = 0;
/** A fresh, valid pseudonymous id. */
export function newId(prefix = 'id'): string {
  counter++;
  return `${prefix}${counter.toString().padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}`;
}

/** A collect batch of product views, one event per item. */
export function views(vid: string, items: string[], consent = ['analytics', 'personalization']) {
  return {
    v: 1,
    vid,
    sid: 'session-0001',
    consent,
    events: items.map((item, i) => ({ id: newId('ev'), type: 'product_view', item, ts: Date.now() - 1000 + i, path: `/p/${item}` })),
  };
}

/** The Durable Object that owns a visitor's profile. */
export function visitor(vid: string) {
  return env.VISITORS.get(env.VISITORS.idFromName(vid));
}

/**
 * Writes the visitor's pending KV snapshot now, as if they had gone idle:
 * marks the object's pending changes as due and runs its alarm (again, if
 * KV's one-write-a-second spacing puts it off) until nothing is pending.
 */
export async function flushProfile(vid: string): Promise<void> {
  const stub = visitor(vid);
  await runInDurableObject(stub, async (_object: VisitorProfile, state) => {
    const current = await state.storage.get<VisitorState>('state');
    if (current?.pending) await state.storage.put('state', { ...current, pending: { ...current.pending, urgent: true } });
  });
  await vi.waitFor(async () => {
    await runDurableObjectAlarm(stub);
    const { state } = await runInDurableObject(stub, (object: VisitorProfile) => object.inspect());
    if (state?.pending) throw new Error(`profile of ${vid} not yet written to KV`);
  }, { timeout: 5000, interval: 100 });
}

/** POSTs a collect batch and waits for the profile to reach KV. */
export async function collectNow(body: { vid: string; [field: string]: unknown }): Promise<Response> {
  const res = await post('/v1/collect', body);
  await flushProfile(body.vid);
  return res;
}
