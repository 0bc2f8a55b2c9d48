/** The SDK's retry policy: backoff with jitter, and how each answer is classified. */
import { describe, expect, it } from 'vitest';
import { backoff, BASE_DELAY_MS, classify, halves, MAX_DELAY_MS } from '../../../sdk/src/backoff';

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

  it('honours Retry-After on 429 and 503, capped', () => {
    expect(classify(429, '3')).toEqual({ kind: 'retry', after: 3000 });
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
