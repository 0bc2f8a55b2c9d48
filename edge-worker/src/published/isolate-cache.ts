/**
 * Per-isolate cache for read-mostly KV values (catalog, model, slot config).
 * Decisions must not pay a KV read plus a parse each time; a short freshness
 * window lets a newly published value reach running isolates within seconds.
 */

/** How long an isolate trusts its copy before asking KV again. */
export const FRESH_MS = 10_000;

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
}

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

async function cached<T>(
  key: string,
  build: (text: string, metadata: unknown) => T,
  read: () => Promise<{ raw: string | null; text: string | null; metadata?: unknown }>,
): Promise<T | null> {
  const now = Date.now();
  const hit = entries.get(key) as Entry<T> | undefined;
  if (hit && now - hit.checkedAt < FRESH_MS) return hit.value;
  const { raw, text, metadata } = await read();
  if (hit && raw === hit.raw) {
    hit.checkedAt = now;
    return hit.value;
  }
  const value = text === null ? null : build(text, metadata);
  entries.set(key, { raw, value, checkedAt: now });
  return value;
}

/** Forgets one cached value, so this isolate reads it again on next use (after this isolate moved it). */
export function forgetKv(key: string): void {
  entries.delete(key);
}

/** Forgets every cached value (tests publish new values and want them seen at once). */
export function clearIsolateCache(): void {
  entries.clear();
}
