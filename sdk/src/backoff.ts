/**
 * Retry policy as pure functions: how long to wait before the next attempt,
 * what a response means for the batch that was sent, and how a refused batch
 * is split so that one bad event never takes good ones down with it.
 */

/** Base delay of the first retry, in ms. */
export const BASE_DELAY_MS = 1000;
/** No retry waits longer than this. */
export const MAX_DELAY_MS = 60_000;

/**
 * Exponential backoff with full jitter: a random wait in [0, min(max, base·2^attempt)].
 * @param random injectable so tests can pin it (default `Math.random`)
 * @example backoff(3) // somewhere between 0 and 8 s
 */
export function backoff(attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

/** What to do with a batch after a send attempt. */
export type Outcome =
  | { kind: 'done' }
  /** The body is invalid (400) or too large (413): some event in it is; send its halves apart. */
  | { kind: 'invalid'; status: number }
  /** The Worker refused the visitor id (401): forget it and send the batch again without one. */
  | { kind: 'reissue'; status: 401 }
  /** The Worker will never accept this batch as it is (another 4xx): drop it, warn, move on. */
  | { kind: 'reject'; status: number }
  /** Try again later; `after` is the server's Retry-After in ms when it gave a usable one. */
  | { kind: 'retry'; after?: number };

/**
 * The wait a `Retry-After` header asks for, in ms, at most {@link MAX_DELAY_MS}:
 * delay-seconds or an HTTP date. Undefined when there is none, it is
 * unreadable, or it has passed (a clock ahead of the server's would otherwise
 * retry at once, again and again): the backoff applies then.
 * @param now the current time, epoch ms (default `Date.now()`)
 * @example retryAfterMs('3') // 3000
 * @example retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:27:55 GMT')) // 5000
 */
export function retryAfterMs(header?: string | null, now = Date.now()): number | undefined {
  // Seconds, else a date ("0" too is read as a date, long past: "now" means the backoff).
  const ms = Number(header) * 1000 || Date.parse(header!) - now;
  return ms >= 0 ? Math.min(ms, MAX_DELAY_MS) : undefined;
}

/**
 * Classifies an HTTP status (0 for a network failure) and its Retry-After header.
 * @example classify(429, '3') // { kind: 'retry', after: 3000 }
 */
export function classify(status: number, retryAfter?: string | null): Outcome {
  if (status >= 200 && status < 300) return { kind: 'done' };
  if (status === 429 || status === 503) return { kind: 'retry', after: retryAfterMs(retryAfter) };
  if (status === 400 || status === 413) return { kind: 'invalid', status };
  if (status === 401) return { kind: 'reissue', status };
  if (status >= 400 && status < 500 && status !== 408) return { kind: 'reject', status };
  return { kind: 'retry' };
}

/**
 * The two halves of a batch the Worker found invalid, to send apart: bisecting
 * finds each bad event in about log₂(n) rounds while good events go through.
 * @example halves([1, 2, 3]) // [[1, 2], [3]]
 */
export function halves<T>(batch: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(batch.length / 2);
  return [batch.slice(0, middle), batch.slice(middle)];
}
