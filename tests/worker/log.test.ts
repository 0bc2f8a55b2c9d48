/**
 * The event log's consumer in workerd, with the real local R2 bucket: a
 * queue batch becomes one NDJSON object per day, holding exactly the
 * records it carried, in the minimal shape training reads; the same batch
 * delivered again (the queue delivers at least once) overwrites its own
 * object rather than adding one; a message that is not a log record adds
 * nothing and blocks nothing.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../edge-worker/src/index';
import { logRecords, type LogRecord } from '../../edge-worker/src/log/record';
import { dayPrefix } from '../../edge-worker/src/log/layout';
import type { LogMessage } from '../../edge-worker/src/log/sink';
import type { TrackedEvent } from '../../edge-worker/src/contract/schemas';

const VID = 'k1.t3c9qo.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const NOV_30 = Date.parse('2026-11-30T10:00:00Z');
const DEC_1 = Date.parse('2026-12-01T00:00:05Z');

/** Every record in the log's objects under `prefix`, and how many objects hold them. */
async function logged(prefix = 'events/'): Promise<{ objects: number; records: LogRecord[] }> {
  const { objects } = await env.LOG.list({ prefix });
  const records: LogRecord[] = [];
  for (const { key } of objects) {
    const text = await (await env.LOG.get(key))!.text();
    records.push(...text.trimEnd().split('\n').map((line) => JSON.parse(line) as LogRecord));
  }
  return { objects: objects.length, records };
}

/** Delivers `messages` to the Worker's queue handler as the queue would, and returns what it did with them. */
async function deliver(messages: Array<{ id: string; timestamp: number; body: unknown }>) {
  const batch = createMessageBatch<LogMessage>('rapport-events', messages.map((m) => ({ ...m, attempts: 1 })) as never);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const events: TrackedEvent[] = [
  { id: 'event-0001', type: 'product_view', ts: NOV_30, path: '/p/42', item: '42' },
  { id: 'event-0002', type: 'add_to_cart', ts: NOV_30, path: '/p/42', item: '42', qty: 2, price: 19.99, currency: 'EUR', decision: 'decision-01', slot: 'similar' },
  { id: 'event-0003', type: 'purchase', ts: NOV_30, path: '/checkout', items: ['42', '7'], order: 'order-10042', value: 39.98, currency: 'EUR' },
  { id: 'event-0004', type: 'scroll', ts: NOV_30, path: '/p/42', depth: 50 },
  { id: 'event-0005', type: 'search', ts: NOV_30, path: '/search', query: 'red shoes' },
];

describe('the event log record', () => {
  it('keeps what training needs and nothing else: no path, no price, no order id, no depth', () => {
    expect(logRecords(VID, 'session-0001', events)).toEqual([
      { id: 'event-0001', vid: VID, sid: 'session-0001', type: 'product_view', ts: NOV_30, item: '42' },
      { id: 'event-0002', vid: VID, sid: 'session-0001', type: 'add_to_cart', ts: NOV_30, item: '42', qty: 2, currency: 'EUR', decision: 'decision-01', slot: 'similar' },
      { id: 'event-0003', vid: VID, sid: 'session-0001', type: 'purchase', ts: NOV_30, items: ['42', '7'], value: 39.98, currency: 'EUR' },
      { id: 'event-0004', vid: VID, sid: 'session-0001', type: 'scroll', ts: NOV_30 },
      { id: 'event-0005', vid: VID, sid: 'session-0001', type: 'search', ts: NOV_30, query: 'red shoes' },
    ]);
  });
});

describe('the event log consumer', () => {
  it('writes a batch as one NDJSON object per day the events arrived, holding exactly its records', async () => {
    const records = logRecords(VID, 'session-0001', events);
    const result = await deliver([
      { id: 'message-1', timestamp: NOV_30, body: { records: records.slice(0, 3) } },
      { id: 'message-2', timestamp: DEC_1, body: { records: records.slice(3) } },
    ]);
    expect(result.ackAll).toBe(true);
    expect(await logged(dayPrefix('2026-11-30'))).toEqual({ objects: 1, records: records.slice(0, 3) });
    expect(await logged(dayPrefix('2026-12-01'))).toEqual({ objects: 1, records: records.slice(3) });
    const [object] = (await env.LOG.list({ prefix: dayPrefix('2026-11-30'), include: ['httpMetadata'] })).objects;
    expect(object!.key).toMatch(/^events\/dt=2026-11-30\/[0-9a-f]{32}\.ndjson$/);
    expect(object!.httpMetadata?.contentType).toBe('application/x-ndjson');
  });

  it('writes a batch delivered again over its own object, so its records are not doubled', async () => {
    const messages = [{ id: 'message-3', timestamp: NOV_30, body: { records: logRecords(VID, 'session-0002', events.slice(0, 2)) } }];
    const before = (await logged()).records.length;
    await deliver(messages);
    await deliver(messages);
    const after = await logged();
    expect(after.records.length - before).toBe(2);
    expect(after.records.filter((r) => r.sid === 'session-0002')).toHaveLength(2);
  });

  it('skips a message that holds no log records and still writes the rest', async () => {
    const result = await deliver([
      { id: 'message-4', timestamp: NOV_30, body: 'not a log message' },
      { id: 'message-5', timestamp: NOV_30, body: { records: logRecords(VID, 'session-0003', events.slice(0, 1)) } },
    ]);
    expect(result.ackAll).toBe(true);
    expect((await logged()).records.filter((r) => r.sid === 'session-0003').map((r) => r.id)).toEqual(['event-0001']);
  });
});
