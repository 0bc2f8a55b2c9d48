/**
 * Per-isolate cache for read-mostly KV values (catalog, model, slot config).
 * Decisions must not pay a KV read plus a parse each time; a short freshness
 * window lets a newly published value reach running isolates within seconds.
 *
 * The window is kept by reading ahead: a value older than {@link REFRESH_AHEAD_MS}
 * is still served while one read per key refreshes it in the background, so
 * under steady traffic no request waits for a pointer (each used to, once per
 * key and window: a KV round trip in the tail of decisions). Only a value older
 * than {@link FRESH_MS} (an isolate idle that long, or one whose refreshes keep
 * failing) is read before the request goes on: nothing is served older than that.
 */

/** How long an isolate trusts its copy before asking KV again: nothing older is served. */
export const FRESH_MS = 10_000;

/** From this age a value is re-read in the background while it is still served (see the module's comment). */
export const REFRESH_AHEAD_MS = FRESH_MS / 2;

/** Keeps a background read alive past the request that started it (the Worker's `waitUntil`). */
export type KeepAlive = (work: Promise<unknown>) => void;

let keepAlive: KeepAlive | undefined;

/**
 * How background refreshes outlive the request that started them: the Worker passes the runtime's
 * `waitUntil` when its module loads. Without one (Node: the CLIs, unit tests) nothing is read in
 * the background, as such a read could be dropped with its request: a copy is served until
 * {@link FRESH_MS} and then read before the request goes on. Returns the previous one (tests put it back).
 */
export function keepRefreshesAlive(hook: KeepAlive | undefined): KeepAlive | undefined {
  const previous = keepAlive;
  keepAlive = hook;
  return previous;
}

/**
 * The reads published data needs from its store: a Workers KV namespace in
 * the Worker (written out here so the publishing side, in Node, type-checks
 * without the Workers runtime's types).
 */
export interface PublishedStore {
  get(key: string, type: 'text'): Promise<string | null>;
  get(key: string, type: 'json'): Promise<unknown>;
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
  /** KV's bulk read (up to 100 keys): catalog shards. */
  get(keys: string[], type: 'text'): Promise<Map<string, string | null>>;
  /** A value with the metadata written beside it: a pointer's hints (see `published.ts`). */
  getWithMetadata(key: string, type: 'text'): Promise<{ value: string | null; metadata: unknown }>;
}

interface Entry<T> {
  raw: string | null;
  value: T | null;
  checkedAt: number;
  /** The background read under way, if any: one per key at a time. */
  refreshing?: Promise<void>;
}

type Read = () => Promise<{ raw: string | null; text: string | null; metadata?: unknown }>;

const entries = new Map<string, Entry<unknown>>();

/**
 * Returns `build(text)` for a KV key, rebuilt only when the stored text
 * changes. `null` when the key is absent; a value that fails to build throws,
 * so callers can fall back and say so.
 */
export function cachedKv<T>(kv: PublishedStore, key: string, build: (text: string) => T): Promise<T | null> {
  return cached(key, build, async () => {
    const text = await kv.get(key, 'text');
    return { raw: text, text };
  });
}

/** {@link cachedKv} for a value whose metadata counts too: `build(text, metadata)`, rebuilt when either changes. */
export function cachedKvWithMetadata<T>(kv: PublishedStore, key: string, build: (text: string, metadata: unknown) => T): Promise<T | null> {
  return cached(key, build, async () => {
    const { value, metadata } = await kv.getWithMetadata(key, 'text');
    return { raw: value === null ? null : `${JSON.stringify(metadata ?? null)}\n${value}`, text: value, metadata };
  });
}

/**
 * Hands `work` to the runtime to finish after the request that started it; false where there is no
 * way to (Node), so the caller waits for it instead.
 */
export function keepInBackground(work: Promise<unknown>): boolean {
  keepAlive?.(work);
  return keepAlive !== undefined;
}

async function cached<T>(key: string, build: (text: string, metadata: unknown) => T, read: Read): Promise<T | null> {
  const now = Date.now();
  const hit = entries.get(key) as Entry<T> | undefined;
  if (hit && now - hit.checkedAt < FRESH_MS) {
    if (now - hit.checkedAt >= REFRESH_AHEAD_MS && keepAlive && !hit.refreshing) refresh(key, hit, build, read);
    return hit.value;
  }
  return store(key, hit, build, await read(), now);
}

/** Records what was read under `key` (rebuilt only when the stored text changed) and returns its value. */
function store<T>(key: string, hit: Entry<T> | undefined, build: (text: string, metadata: unknown) => T, { raw, text, metadata }: Awaited<ReturnType<Read>>, now: number): T | null {
  if (hit && raw === hit.raw) {
    hit.checkedAt = now;
    return hit.value;
  }
  const value = text === null ? null : build(text, metadata);
  // An entry forgotten meanwhile (forgetKv) or replaced by a newer read is not overwritten with this one.
  if (!hit || entries.get(key) === hit) entries.set(key, { raw, value, checkedAt: now });
  return value;
}

/**
 * Re-reads `key` in the background while `hit` is still served. A failed read or build is logged
 * and leaves the entry as it was: the next request past {@link REFRESH_AHEAD_MS} tries again, and
 * past {@link FRESH_MS} a request reads it itself and meets the error as before.
 */
function refresh<T>(key: string, hit: Entry<T>, build: (text: string, metadata: unknown) => T, read: Read): void {
  const started = Date.now();
  hit.refreshing = read()
    .then((got) => void (entries.get(key) === hit && store(key, hit, build, got, started)))
    .catch((err: unknown) => console.error(`rapport: re-reading ${key} failed; the copy read ${Date.now() - hit.checkedAt} ms ago is still served`, err))
    .finally(() => {
      hit.refreshing = undefined;
    });
  keepInBackground(hit.refreshing);
}

/** Forgets one cached value, so this isolate reads it again on next use (after this isolate moved it). */
export function forgetKv(key: string): void {
  entries.delete(key);
}

/** Forgets every cached value (tests publish new values and want them seen at once). */
export function clearIsolateCache(): void {
  entries.clear();
}
