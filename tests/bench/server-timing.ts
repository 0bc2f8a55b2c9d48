/** Reading the Worker's `Server-Timing` header in the benchmarks. */

/**
 * Its `name;dur=…` entries in ms, and what the catalog holds in the isolate's memory
 * (`catalog;desc="core=<bytes> shards=<bytes>"`) as `catalog_core_bytes` and `catalog_shard_bytes`.
 */
export function serverTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, dur] = part.trim().split(';dur=');
    if (name && dur) out[name] = Number(dur);
  }
  const memory = /catalog;desc="core=(\d+) shards=(\d+)"/.exec(header ?? '');
  if (memory) Object.assign(out, { catalog_core_bytes: Number(memory[1]), catalog_shard_bytes: Number(memory[2]) });
  return out;
}
