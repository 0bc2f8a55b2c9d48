/**
 * The isolate's copy of published pointers in workerd with real local KV: refreshed in the
 * background before it expires (no request waits for KV under steady traffic), never served older
 * than FRESH_MS, one background read per key at a time.
 */
import { env } from 'cloudflare:workers';
import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cachedKv, clearIsolateCache, FRESH_MS, keepRefreshesAlive, type KeepAlive, type PublishedStore, REFRESH_AHEAD_MS } from '../../edge-worker/src/published/isolate-cache';
import { runInDurableObject } from 'cloudflare:test';
import { demoModel, newVisitor, post, seedModels, visitor } from './helpers';
import { decodeArtifact, encodeArtifact } from '../../edge-worker/src/model/artifact';
import { loadExperiments, publishExperiments, publishModel, STAND_IN_FOR_FAILED_MS, versionKey } from '../../edge-worker/src/published/published';
import type { VisitorProfile } from '../../edge-worker/src/profile/visitor-object';

const KEY = 'slots:active';
const T0 = Date.UTC(2026, 11, 2, 12);

/** The real namespace, counting the reads that reach it. */
function counted(kv: KVNamespace): { store: PublishedStore; reads: () => number } {
  let reads = 0;
  const store = {
    get: (key: string, type: 'text') => (reads++, kv.get(key, type)),
    getWithMetadata: (key: string, type: 'text') => (reads++, kv.getWithMetadata(key, type)),
  } as unknown as PublishedStore;
  return { store, reads: () => reads };
}

/** A decision's model, and why it fell back to popularity if it did. */
async function decision(): Promise<{ model: string; fallback?: string }> {
  return (await (await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }] })).json()) as { model: string; fallback?: string };
}

/** The model a decision is answered with. */
async function decide(): Promise<string> {
  return (await decision()).model;
}

/**
 * The demo's model answers a decision; then another isolate activates a new one (the same network
 * under the demo's version plus `suffix`): its values, then the pointer. Returns the demo's model.
 */
async function servedThenActivatedElsewhere(suffix: string): Promise<{ version: string }> {
  await seedModels();
  const first = demoModel();
  expect(await decide()).toBe(`rapport-rerank@${first.version}`);
  const entries = publishModel(encodeArtifact({ ...decodeArtifact(first.bytes), modelVersion: `${first.version}${suffix}` }));
  for (const { key, value, metadata } of entries) await env.MODELS.put(key, value, metadata ? { metadata } : {});
  return first;
}

/** 'v1' stored under KEY and read into the isolate's copy at T0, then 'v2' stored: what the copy does next is the test. */
async function cachedThenRepublished(): Promise<ReturnType<typeof counted>> {
  const counting = counted(env.MODELS);
  await env.MODELS.put(KEY, 'v1');
  expect(await cachedKv(counting.store, KEY, (text) => text)).toBe('v1');
  await env.MODELS.put(KEY, 'v2');
  return counting;
}

let background: Promise<unknown>[] = [];
let previousHook: KeepAlive | undefined;

beforeEach(async () => {
  await reset();
  clearIsolateCache();
  background = [];
  previousHook = keepRefreshesAlive((work) => void background.push(work));
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
  keepRefreshesAlive(previousHook);
  clearIsolateCache();
});

describe('published values cached per isolate', () => {
  it('serves its copy past REFRESH_AHEAD_MS while one background read fetches the new value', async () => {
    const { store, reads } = await cachedThenRepublished();

    vi.setSystemTime(T0 + REFRESH_AHEAD_MS - 1);
    expect(await cachedKv(store, KEY, (text) => text)).toBe('v1');
    expect(reads()).toBe(1);
    expect(background).toHaveLength(0);

    // Ageing: the requests are answered from the copy, and only the first starts a read.
    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    const answers = await Promise.all([1, 2, 3].map(() => cachedKv(store, KEY, (text) => text)));
    expect(answers).toEqual(['v1', 'v1', 'v1']);
    expect(background).toHaveLength(1);
    expect(reads()).toBe(2);
    await Promise.all(background);

    expect(await cachedKv(store, KEY, (text) => text)).toBe('v2');
    expect(reads()).toBe(2);
  });

  it('never serves a copy older than FRESH_MS: an isolate idle that long reads before answering', async () => {
    const { store, reads } = await cachedThenRepublished();
    vi.setSystemTime(T0 + FRESH_MS);
    expect(await cachedKv(store, KEY, (text) => text)).toBe('v2');
    expect(reads()).toBe(2);
    expect(background).toHaveLength(0);
  });

  it('keeps serving its copy when a background read fails, and meets the failure itself past FRESH_MS', async () => {
    const { store } = counted(env.MODELS);
    await env.MODELS.put(KEY, '{"n":1}');
    const parse = (text: string) => JSON.parse(text) as { n: number };
    expect(await cachedKv(store, KEY, parse)).toEqual({ n: 1 });
    await env.MODELS.put(KEY, 'not json');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});

    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    expect(await cachedKv(store, KEY, parse)).toEqual({ n: 1 });
    await Promise.all(background);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/re-reading slots:active failed; the copy read \d+ ms ago is still served/), expect.any(SyntaxError));
    // The next ageing request tries again.
    expect(await cachedKv(store, KEY, parse)).toEqual({ n: 1 });
    expect(background).toHaveLength(2);
    await Promise.all(background);

    vi.setSystemTime(T0 + FRESH_MS);
    await expect(cachedKv(store, KEY, parse)).rejects.toThrow(SyntaxError);
    logged.mockRestore();
  });

  it('without a way to keep a background read alive, serves its copy until FRESH_MS, then reads before answering', async () => {
    keepRefreshesAlive(undefined);
    const { store, reads } = await cachedThenRepublished();
    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    expect(await cachedKv(store, KEY, (text) => text)).toBe('v1');
    expect(reads()).toBe(1);
    vi.setSystemTime(T0 + FRESH_MS);
    expect(await cachedKv(store, KEY, (text) => text)).toBe('v2');
  });

  it('a model activated elsewhere is found in the background and answers once loaded; until then the model served before answers at once', async () => {
    // Work started inside a request must be handed to the runtime too, or it ends with the request.
    keepRefreshesAlive((work) => {
      background.push(work);
      previousHook!(work);
    });
    const first = await servedThenActivatedElsewhere('-b');
    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    expect(await decide()).toBe(`rapport-rerank@${first.version}`);
    const refreshes = background.length;
    expect(refreshes).toBeGreaterThan(0);
    await Promise.all(background);
    // The pointer now names the new model; its loading goes on behind this answer.
    expect(await decide()).toBe(`rapport-rerank@${first.version}`);
    expect(background.length).toBe(refreshes + 1);
    await Promise.all(background);
    expect(await decide()).toBe(`rapport-rerank@${first.version}-b`);
  });

  it('a new model that fails to load leaves the model served before answering while it is retried, for a minute, then says what is wrong', async () => {
    keepRefreshesAlive((work) => {
      background.push(work);
      previousHook!(work);
    });
    const first = await servedThenActivatedElsewhere('-d');
    const broken = `${first.version}-d`;
    // Its value cannot be read here (a failed KV read does the same).
    const stored = await env.MODELS.get(versionKey('model', broken), 'arrayBuffer');
    await env.MODELS.delete(versionKey('model', broken));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const settle = async () => {
      while (background.length) await Promise.all(background.splice(0));
    };

    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    expect(await decide()).toBe(`rapport-rerank@${first.version}`);
    await settle();
    // The pointer names the new model: it is loaded behind this answer, and fails.
    expect(await decide()).toBe(`rapport-rerank@${first.version}`);
    await settle();
    expect(logged).toHaveBeenCalledWith(expect.stringContaining(`model ${broken} is unusable; ${first.version} answers until it loads, for up to 60 s from its first failure`), expect.any(Error));
    const failures = () => logged.mock.calls.filter(([message]) => String(message).includes(`model ${broken} is unusable`)).length;
    expect(failures()).toBe(1);
    // Failed: the model before goes on answering, and so it does while a retry loads (one every FRESH_MS).
    const failedAt = Date.now();
    for (const [n, after] of [0, FRESH_MS, 2 * FRESH_MS].entries()) {
      vi.setSystemTime(failedAt + after);
      expect(await decision()).toEqual(expect.objectContaining({ model: `rapport-rerank@${first.version}` }));
      await settle();
      expect(failures()).toBe(1 + n);
    }
    // A minute after the first failure, decisions say what is wrong, retries included (none switches back).
    for (const after of [STAND_IN_FOR_FAILED_MS, STAND_IN_FOR_FAILED_MS + FRESH_MS]) {
      vi.setSystemTime(failedAt + after);
      expect(await decision()).toEqual(expect.objectContaining({ model: 'popularity', fallback: `model ${broken} is unusable: version ${broken} is missing` }));
      await settle();
    }
    expect(failures()).toBe(5);
    // Readable again: the next retry loads it.
    await env.MODELS.put(versionKey('model', broken), stored!);
    vi.setSystemTime(failedAt + STAND_IN_FOR_FAILED_MS + 2 * FRESH_MS);
    expect(await decide()).toBe(`rapport-rerank@${broken}`);
    logged.mockRestore();
  });

  it("with the Worker's own hook (the runtime's waitUntil), a model activated elsewhere answers within moments past REFRESH_AHEAD_MS", async () => {
    expect(previousHook).toBeTypeOf('function');
    keepRefreshesAlive(previousHook);
    const first = await servedThenActivatedElsewhere('-c');
    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    expect(await decide()).toBe(`rapport-rerank@${first.version}`);
    await vi.waitFor(async () => expect(await decide()).toBe(`rapport-rerank@${first.version}-c`));
  });

  it("refreshes in a visitor's Durable Object too, where the same loaders run (its experiments configuration)", async () => {
    keepRefreshesAlive(previousHook);
    const holdout = (share: number) => publishExperiments({ holdout: { share }, experiments: [] });
    for (const { key, value } of holdout(0.1)) await env.MODELS.put(key, value);
    const share = (object: VisitorProfile) => loadExperiments((object as unknown as { env: Env }).env.MODELS, 0).then((loaded) => loaded.value.holdout.share);
    const stub = visitor(await newVisitor());
    expect(await runInDurableObject(stub, share)).toBe(0.1);
    for (const { key, value } of holdout(0.2)) await env.MODELS.put(key, value);
    vi.setSystemTime(T0 + REFRESH_AHEAD_MS);
    expect(await runInDurableObject(stub, share)).toBe(0.1);
    await vi.waitFor(async () => expect(await runInDurableObject(stub, share)).toBe(0.2));
  });
});
