/** The SDK's retry policy: backoff with jitter, the wait a Retry-After asks for, and how each answer is classified. */
import { describe, expect, it } from 'vitest';
import { backoff, BASE_DELAY_MS, classify, halves, MAX_DELAY_MS, retryAfterMs } from '../../../sdk/src/backoff';

describe('backoff', () => {
  it('doubles the ceiling with each attempt', () => {
    expect([0, 1, 2, 3].map((n) => backoff(n, () => 1))).toEqual([1000, 2000, 4000, 8000].map((ms) => (ms / 1000) * BASE_DELAY_MS));
  });

  it('never waits longer than the maximum', () => {
    expect(backoff(30, () => 1)).toBe(MAX_DELAY_MS);
  });

  it('spreads retries with full jitter', () => {
    expect(backoff(3, () => 0)).toBe(0);
    expect(backoff(3, () => 0.5)).toBe(4000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');

  it('reads delay-seconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('30', now)).toBe(30_000);
  });

  it('reads an HTTP date, as the time left until then', () => {
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000);
    // The obsolete RFC 850 format, which HTTP still accepts.
    expect(retryAfterMs('Wednesday, 21-Oct-26 07:28:30 GMT', now)).toBe(30_000);
  });

  it('never asks for more than the maximum wait', () => {
    expect(retryAfterMs('86400', now)).toBe(MAX_DELAY_MS);
    expect(retryAfterMs('Thu, 22 Oct 2026 07:28:00 GMT', now)).toBe(MAX_DELAY_MS);
  });

  it('gives nothing (the backoff then) for no header, garbage, a negative delay or a date already past', () => {
    for (const header of [undefined, null, '', 'soon', '-1', 'Wed, 21 Oct 2026 07:27:00 GMT']) expect(retryAfterMs(header, now)).toBeUndefined();
    // "0" would mean "at once": a server answering it again and again would be hammered.
    expect(retryAfterMs('0', now)).toBeUndefined();
  });
});

describe('classify', () => {
  it('treats 2xx as done', () => {
    expect(classify(200)).toEqual({ kind: 'done' });
    expect(classify(204)).toEqual({ kind: 'done' });
  });

  it('splits batches the server finds invalid or too large', () => {
    expect(classify(400)).toEqual({ kind: 'invalid', status: 400 });
    expect(classify(413)).toEqual({ kind: 'invalid', status: 413 });
  });

  it('sends the batch again without its visitor id when the Worker refuses the id', () => {
    expect(classify(401)).toEqual({ kind: 'reissue', status: 401 });
    // A Retry-After on a 401 changes nothing: the batch goes again at once.
    expect(classify(401, '30')).toEqual({ kind: 'reissue', status: 401 });
  });

  it('drops batches the server will never accept', () => {
    expect(classify(403)).toEqual({ kind: 'reject', status: 403 });
    expect(classify(404)).toEqual({ kind: 'reject', status: 404 });
  });

  it('retries network failures, timeouts and server errors', () => {
    expect(classify(0)).toEqual({ kind: 'retry' });
    expect(classify(408)).toEqual({ kind: 'retry' });
    expect(classify(500)).toEqual({ kind: 'retry' });
  });

  it('honours Retry-After on 429 and 503, in seconds or as a date, capped', () => {
    expect(classify(429, '3')).toEqual({ kind: 'retry', after: 3000 });
    const inFive = new Date(Date.now() + 5000).toUTCString();
    expect((classify(503, inFive) as { after: number }).after).toBeGreaterThan(3000);
    expect((classify(503, inFive) as { after: number }).after).toBeLessThanOrEqual(5000);
    expect(classify(503, '86400')).toEqual({ kind: 'retry', after: MAX_DELAY_MS });
    expect(classify(429, 'soon')).toEqual({ kind: 'retry' });
    expect(classify(429, null)).toEqual({ kind: 'retry' });
    expect(classify(429, '-1')).toEqual({ kind: 'retry' });
  });
});

describe('halves', () => {
  it('splits a batch into two halves, the first one the larger', () => {
    expect(halves([1, 2, 3, 4])).toEqual([[1, 2], [3, 4]]);
    expect(halves([1, 2, 3])).toEqual([[1, 2], [3]]);
    expect(halves([1, 2])).toEqual([[1], [2]]);
  });

  it('isolates one bad event among 100 in at most 7 rounds', () => {
    const batch = Array.from({ length: 100 }, (_, i) => i);
    let rounds = 0;
    for (let part = batch; part.length > 1; rounds++) part = halves(part).find((half) => half.includes(57))!;
    expect(rounds).toBe(7);
  });
});
