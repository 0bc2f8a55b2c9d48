/**
 * Per-isolate cache for read-mostly KV values (catalog, model, slot config).
 * Decisions must not pay a KV read plus a parse each time; a short freshness
 * window lets a newly published value reach running isolates within seconds.
 */

/** How long an isolate trusts its copy before asking KV again. */
export const FRESH_MS = 10_000;

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
export async function cachedKv<T>(kv: KVNamespace, key: string, build: (text: string) => T): Promise<T | null> {
  const now = Date.now();
  const hit = entries.get(key) as Entry<T> | undefined;
  if (hit && now - hit.checkedAt < FRESH_MS) return hit.value;
  const raw = await kv.get(key, 'text');
  if (hit && raw === hit.raw) {
    hit.checkedAt = now;
    return hit.value;
  }
  const value = raw === null ? null : build(raw);
  entries.set(key, { raw, value, checkedAt: now });
  return value;
}

/** {@link cachedKv} for JSON values. */
export function cachedKvJson<T>(kv: KVNamespace, key: string, build: (parsed: unknown) => T): Promise<T | null> {
  return cachedKv(kv, key, (text) => build(JSON.parse(text) as unknown));
}

/** Forgets every cached value (tests publish new values and want them seen at once). */
export function clearIsolateCache(): void {
  entries.clear();
}
