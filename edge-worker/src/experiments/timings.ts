/**
 * Decide latency as the Worker measures it, for the dashboard's percentiles:
 * each isolate keeps a histogram per hour in memory (`latency.ts`) and adds
 * it to a counter shard after the answer, at most every 20–30 s. A flush
 * that fails, or an isolate evicted before its flush, loses a few seconds of
 * timings: they are a sample, never a count anyone is billed or judged by.
 */
import { keys, type Row } from './attribution';
import { COUNTER_SHARDS, counterShard } from './counters';
import { bucketOf, hourOf } from './latency';

const FLUSH_MS = 30_000;
const FLUSH_COUNT = 500;
/** Timings left after a flush go this much later (`waitUntil` allows 30 s after the answer). */
const TRAILING_MS = 20_000;

let pending = new Map<string, number>();
let count = 0;
// An isolate's first decide flushes at once: a quiet shop's timings still reach the report.
let since = 0;
let trailing = false;

/** Sends what the isolate gathered to a counter shard (any: timings are not per visitor). */
function flush(env: Env): Promise<void> {
  const rows: Row[] = [...pending].map(([k, n]) => ({ k, n, s: 0, q: 0 }));
  pending = new Map();
  count = 0;
  since = Date.now();
  if (!rows.length) return Promise.resolve();
  const shard = Math.floor(Math.random() * COUNTER_SHARDS);
  return counterShard(env, shard)
    .add({ id: crypto.randomUUID(), rows })
    .then(() => undefined)
    .catch((err: unknown) => console.error('rapport: decide timings were not counted', err));
}

/**
 * Counts one decide's server time. The isolate's histogram goes to a shard
 * at once when {@link FLUSH_MS} passed since the last flush or
 * {@link FLUSH_COUNT} timings wait, else {@link TRAILING_MS} later (after
 * the answer, within the time `waitUntil` allows), so no timing waits for a
 * next decide that may never come.
 */
export function recordLatency(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, ms: number): void {
  const key = keys.latency(hourOf(Date.now()), bucketOf(ms));
  pending.set(key, (pending.get(key) ?? 0) + 1);
  count++;
  if (count >= FLUSH_COUNT || Date.now() - since >= FLUSH_MS) {
    ctx.waitUntil(flush(env));
  } else if (!trailing) {
    trailing = true;
    ctx.waitUntil(
      new Promise((resolve) => setTimeout(resolve, TRAILING_MS)).then(() => {
        trailing = false;
        return flush(env);
      }),
    );
  }
}
