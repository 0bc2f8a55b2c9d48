/**
 * The Worker's wire API from Node, as a well-behaved client: bodies as the
 * SDK sends them (JSON as `text/plain`), paced under the Worker's rate
 * limits (per visitor and per client address, both over 10 s windows; see
 * `wrangler.toml`) with a margin, and a 429 or 503 waited out for as long as
 * its `Retry-After` says before the request is sent again.
 */
import type { CollectBody, CollectResponse, DecideBody, DecideResponse } from '../../../sdk/src/wire';

/** What pacing and refusals cost a run. */
export interface ClientStats {
  requests: number;
  /** Answers 429 (then waited out and sent again). */
  rateLimited: number;
  /** Answers 503 (then waited out and sent again). */
  unavailable: number;
}

/** A Worker's `/v1/collect` and `/v1/decide`. */
export interface WorkerClient {
  /** @param who the visitor's pacing key (their index in the run) */
  collect(body: CollectBody, who: string): Promise<CollectResponse>;
  decide(body: DecideBody, who?: string): Promise<DecideResponse>;
  stats: ClientStats;
  /** The Worker's base URL. */
  url: string;
}

/**
 * Requests per window the client allows itself: below the Worker's 60 per
 * visitor and 600 per address per 10 s (`wrangler.toml`; `http/rate-limit.ts`
 * holds the period, but imports the Worker's runtime types, which Node lacks).
 */
export const PACE = { perVisitor: 50, perAddress: 500 };
const WINDOW_MS = 10_000;
const MAX_TRIES = 6;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** At most `limit` calls to `take()` resolve in any window of `WINDOW_MS`; the rest wait their turn. */
function slidingWindow(limit: number): () => Promise<void> {
  const times: number[] = [];
  return async function take() {
    for (;;) {
      const now = Date.now();
      while (times.length && times[0]! <= now - WINDOW_MS) times.shift();
      if (times.length < limit) {
        times.push(now);
        return;
      }
      await sleep(times[0]! + WINDOW_MS - now + 1);
    }
  };
}

/** `Retry-After` in milliseconds: seconds or an HTTP date; the limit's window when absent or unreadable. */
function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  if (header && Number.isFinite(seconds)) return seconds * 1000;
  const date = header ? Date.parse(header) : NaN;
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : WINDOW_MS;
}

/**
 * A client for the Worker at `base` (e.g. `http://127.0.0.1:8787`).
 * @example
 * const client = workerClient('http://127.0.0.1:8787');
 * const { vid } = await client.collect({ v: 1, sid, consent: ['analytics'], events }, 'shopper-1');
 */
export function workerClient(base: string): WorkerClient {
  const stats: ClientStats = { requests: 0, rateLimited: 0, unavailable: 0 };
  const address = slidingWindow(PACE.perAddress);
  const visitors = new Map<string, () => Promise<void>>();

  async function post<T>(path: string, body: object, who: string | undefined): Promise<T> {
    const text = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      if (who !== undefined) {
        if (!visitors.has(who)) visitors.set(who, slidingWindow(PACE.perVisitor));
        await visitors.get(who)!();
      }
      await address();
      stats.requests++;
      const res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: text });
      if (res.ok) return (await res.json()) as T;
      const waitable = res.status === 429 || res.status === 503;
      if (res.status === 429) stats.rateLimited++;
      if (res.status === 503) stats.unavailable++;
      const detail = await res.text();
      if (!waitable || attempt === MAX_TRIES) throw new Error(`POST ${path} answered ${res.status} (attempt ${attempt}): ${detail}`);
      await sleep(retryAfterMs(res.headers.get('retry-after')));
    }
  }

  return {
    collect: (body, who) => post('/v1/collect', body, who),
    decide: (body, who) => post('/v1/decide', body, who),
    stats,
    url: base,
  };
}
