/**
 * Decide latency as the Worker measures it, for the dashboard's percentiles:
 * each isolate keeps a histogram per hour in memory (`latency.ts`) and adds
 * it to a counter shard every {@link FLUSH_MS} or {@link FLUSH_COUNT}
 * decisions, after the answer. A flush that fails loses that isolate's few
 * seconds of timings: they are a sample, never a count anyone is billed or
 * judged by.
 */
import { keys, type Row } from './attribution';
import { COUNTER_SHARDS, counterShard } from './counters';
import { bucketOf, hourOf } from './latency';

const FLUSH_MS = 30_000;
const FLUSH_COUNT = 500;

let pending = new Map<string, number>();
let count = 0;
// An isolate's first decide flushes at once: a quiet shop's timings still reach the report.
let since = 0;

/** Counts one decide's server time; flushes the isolate's histogram when due. */
export function recordLatency(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, ms: number): void {
  const key = keys.latency(hourOf(Date.now()), bucketOf(ms));
  pending.set(key, (pending.get(key) ?? 0) + 1);
  count++;
  if (count < FLUSH_COUNT && Date.now() - since < FLUSH_MS) return;
  const rows: Row[] = [...pending].map(([k, n]) => ({ k, n, s: 0, q: 0 }));
  pending = new Map();
  count = 0;
  since = Date.now();
  const shard = Math.floor(Math.random() * COUNTER_SHARDS);
  ctx.waitUntil(counterShard(env, shard).add({ id: crypto.randomUUID(), rows }).catch((err: unknown) => console.error('rapport: decide timings were not counted', err)));
}
