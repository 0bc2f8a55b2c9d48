/**
 * A bounded load generator for loopback: runs `total` requests with
 * `concurrency` in flight and records each one's latency. Stops by itself.
 */
import { performance } from 'node:perf_hooks';
import { quantile, round } from './stats';

/** Latency summary of one run. */
export interface LoadResult {
  p50_ms: number;
  p99_ms: number;
  rps: number;
  count: number;
  errors: number;
}

/** Runs `send(i)` `total` times with `concurrency` in flight; `send` resolves to false on a failed request. */
export async function runLoad(total: number, concurrency: number, send: (i: number) => Promise<boolean>): Promise<LoadResult & { latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      const ok = await send(i).catch(() => false);
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    p50_ms: round(quantile(latencies, 0.5)),
    p99_ms: round(quantile(latencies, 0.99)),
    rps: round(total / seconds, 1),
    count: total,
    errors,
    latencies,
  };
}
