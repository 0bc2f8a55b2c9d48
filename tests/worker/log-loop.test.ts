/**
 * The event log end to end in workerd: batches through the real collect
 * route, the visitor's object as producer, the real local queue and its
 * consumer, the real local R2 bucket. Accepted events land exactly once
 * (resends and duplicates do not double them), refused events never do, a
 * failing queue or bucket loses nothing and slows no request, and an
 * erased visitor's records leave what training reads at once and the
 * bucket's bytes at the next compaction.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../edge-worker/src/index';
import { compactLog, SETTLE_MS } from '../../edge-worker/src/log/compaction';
import type { LogRecord } from '../../edge-worker/src/log/record';
import { dayPrefix } from '../../edge-worker/src/log/layout';
import type { LogMessage } from '../../edge-worker/src/log/sink';
import { tombstoneKey, type Tombstone } from '../../edge-worker/src/log/tombstone';
import { MAX_OUTBOX, type VisitorProfile, type VisitorState } from '../../edge-worker/src/profile/visitor-object';
import { call, newId, newVisitor, post, seedModels, views, visitor } from './helpers';

/** Every record in the bucket's objects under `prefix`, repeats included. */
async function logged(prefix = 'events/'): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.LOG.list({ prefix, cursor });
    for (const { key } of page.objects) {
      const text = await (await env.LOG.get(key))!.text();
      records.push(...text.trimEnd().split('\n').map((line) => JSON.parse(line) as LogRecord));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return records;
}

const loggedFor = async (vid: string) => (await logged()).filter((record) => record.vid === vid);

/** Waits until the log holds `count` records of `vid` (the consumer flushes a batch a second after it fills). */
async function untilLogged(vid: string, count: number): Promise<LogRecord[]> {
  return vi.waitFor(
    async () => {
      const records = await loggedFor(vid);
      if (records.length < count) throw new Error(`${records.length} of ${count} records logged`);
      return records;
    },
    { timeout: 10_000, interval: 200 },
  );
}

const stateOf = async (vid: string) => (await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state;

/** Replaces the visitor object's bindings for the rest of its life in memory (a queue that fails, for one). */
async function withBindings(vid: string, bindings: Partial<Env>): Promise<void> {
  await runInDurableObject(visitor(vid), (object: VisitorProfile) => {
    const current = (object as unknown as { env: Env }).env;
    Object.defineProperty(object, 'env', { value: { ...current, ...bindings }, configurable: true });
  });
}

const failingQueue = { send: () => Promise.reject(new Error('Queue overloaded (10250)')), sendBatch: () => Promise.reject(new Error('Queue overloaded (10250)')) } as unknown as Queue;

beforeAll(seedModels);

describe('the event log, from collect to R2', () => {
  it('logs every accepted event exactly once: a batch sent again adds nothing', async () => {
    const vid = await newVisitor();
    const batch = views(vid, ['78', '79', '80']);
    const first = await post('/v1/collect', batch);
    expect(await first.json()).toMatchObject({ accepted: 3, duplicates: 0 });
    const again = await post('/v1/collect', batch);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 3 });
    // Analytics only, so no profile: the object still counts a resend once.
    const other = await newVisitor();
    const analytics = views(other, ['81'], ['analytics']);
    await post('/v1/collect', analytics);
    expect(await (await post('/v1/collect', analytics)).json()).toMatchObject({ accepted: 0, duplicates: 1, profile: false });

    const records = await untilLogged(vid, 3);
    await untilLogged(other, 1);
    // Long enough for a doubled delivery to have landed too.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await loggedFor(vid)).map((r) => r.item).sort()).toEqual(['78', '79', '80']);
    expect((await loggedFor(other)).map((r) => r.item)).toEqual(['81']);
    expect(records[0]).toEqual({ id: batch.events[0]!.id, vid, sid: 'session-0001', type: 'product_view', ts: batch.events[0]!.ts, item: '78' });
  });

  it('never logs what analytics was not granted for, nor a visitor who objected or sent Global Privacy Control', async () => {
    const personalOnly = await newVisitor();
    await post('/v1/collect', views(personalOnly, ['78'], ['personalization']));
    const gpc = await newVisitor();
    await call('/v1/collect', { method: 'POST', body: JSON.stringify(views(gpc, ['79'])), headers: { 'content-type': 'text/plain', 'sec-gpc': '1' } });
    const objector = await newVisitor();
    await call('/v1/privacy/object', { method: 'POST', headers: { authorization: `Bearer ${objector}` } });
    await post('/v1/collect', views(objector, ['80']));
    // A visitor who did grant analytics, sent last: once theirs is in, the others' would be too.
    const witness = await newVisitor();
    await post('/v1/collect', views(witness, ['81']));
    await untilLogged(witness, 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const vid of [personalOnly, gpc, objector]) expect(await loggedFor(vid)).toEqual([]);
    expect(await stateOf(personalOnly)).not.toHaveProperty('outbox');
  });

  it('keeps a batch the queue refused in the outbox, answers at once, and the alarm delivers it', async () => {
    const vid = await newVisitor();
    await post('/v1/collect', views(vid, ['78']));
    await untilLogged(vid, 1);
    await withBindings(vid, { EVENT_LOG: failingQueue });
    const res = await post('/v1/collect', views(vid, ['79', '80']));
    expect(await res.json()).toMatchObject({ accepted: 2, profile: true });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await loggedFor(vid)).map((r) => r.item)).toEqual(['78']);
    expect((await stateOf(vid))?.outbox?.map((r) => r.item)).toEqual(expect.arrayContaining(['79', '80']));
    // Still failing at the alarm: nothing is lost, and the alarm comes back for it.
    expect(await runDurableObjectAlarm(visitor(vid))).toBe(true);
    expect((await stateOf(vid))?.outbox?.map((r) => r.item)).toEqual(expect.arrayContaining(['79', '80']));
    // The queue is back: the alarm sends what is left, and the next one finds the outbox confirmed.
    await withBindings(vid, { EVENT_LOG: env.EVENT_LOG });
    await runDurableObjectAlarm(visitor(vid));
    const records = await untilLogged(vid, 3);
    expect(records.map((r) => r.item).sort()).toEqual(['78', '79', '80']);
    expect((await stateOf(vid))?.outbox).toBeUndefined();
  });

  it('refuses a batch with a 503 once the outbox is full, and keeps nothing of it', async () => {
    const vid = await newVisitor();
    await post('/v1/collect', views(vid, ['78']));
    const full = Array.from({ length: MAX_OUTBOX }, (_, i): LogRecord => ({ id: `stuck-${i}-xxxx`, vid, sid: 'session-0001', type: 'page_view', ts: Date.now() }));
    await runInDurableObject(visitor(vid), async (_object: VisitorProfile, state) => {
      const current = await state.storage.get<VisitorState>('state');
      await state.storage.put('state', { ...current!, outbox: full });
    });
    const before = await stateOf(vid);
    const res = await post('/v1/collect', views(vid, ['79']));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await res.json()).toMatchObject({ error: { code: 'log_unavailable' } });
    expect((await stateOf(vid))?.profile?.n.events).toBe(before?.profile?.n.events);
  });

  it('retries a whole queue batch whose write to the bucket failed', async () => {
    const failingBucket = { put: () => Promise.reject(new Error('R2 unavailable')) } as unknown as R2Bucket;
    const record: LogRecord = { id: newId('ev'), vid: 'k1.x', sid: 'session-0001', type: 'page_view', ts: Date.now() };
    const batch = createMessageBatch<LogMessage>('rapport-events', [{ id: 'message-1', timestamp: new Date(), attempts: 1, body: { records: [record] } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, LOG: failingBucket });
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(true);
  });
});

describe('erasure and retention in the log', () => {
  it('takes an erased visitor out of what training reads at once, and out of the bucket at compaction', async () => {
    const erased = await newVisitor();
    const kept = await newVisitor();
    await post('/v1/collect', views(erased, ['78', '79']));
    await post('/v1/collect', views(kept, ['80']));
    await untilLogged(erased, 2);
    await untilLogged(kept, 1);

    expect((await call('/v1/privacy/erase', { method: 'POST', headers: { authorization: `Bearer ${erased}` } })).status).toBe(200);
    const tombstone = await (await env.LOG.get(tombstoneKey(erased)))!.json<Tombstone>();
    const today = new Date().toISOString().slice(0, 10);
    expect(tombstone).toEqual({ vid: erased, erasedAt: expect.any(Number), days: [today] });

    // Not yet settled: batches may still be on their way, so the bytes stay (readers drop them by the tombstone).
    expect((await compactLog(env.LOG, Date.now(), 180)).tombstonesApplied).toBe(0);
    const report = await compactLog(env.LOG, tombstone.erasedAt + SETTLE_MS + 1, 180);
    expect(report).toMatchObject({ tombstonesApplied: 1, recordsRemoved: 2 });
    expect(await loggedFor(erased)).toEqual([]);
    expect((await loggedFor(kept)).map((r) => r.item)).toEqual(['80']);
    expect((await (await env.LOG.get(tombstoneKey(erased)))!.json<Tombstone>()).appliedAt).toBe(tombstone.erasedAt + SETTLE_MS + 1);
    // A later run does not rewrite the days again.
    expect((await compactLog(env.LOG, tombstone.erasedAt + SETTLE_MS + 2, 180)).tombstonesApplied).toBe(0);
  });

  it('deletes days past the retention period, by the hourly cron trigger', async () => {
    const old = new Date(Date.now() - 181 * 86_400_000).toISOString().slice(0, 10);
    await env.LOG.put(`${dayPrefix(old)}old-batch.ndjson`, `${JSON.stringify({ id: 'ev-old-0001', vid: 'k1.x', sid: 's-00000001', type: 'page_view', ts: 1 })}\n`);
    const recent = new Date(Date.now() - 179 * 86_400_000).toISOString().slice(0, 10);
    await env.LOG.put(`${dayPrefix(recent)}recent-batch.ndjson`, `${JSON.stringify({ id: 'ev-recent-01', vid: 'k1.x', sid: 's-00000001', type: 'page_view', ts: 1 })}\n`);
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: '7 * * * *', scheduledTime: Date.now() }), env, ctx);
    await vi.waitFor(async () => expect((await env.LOG.list({ prefix: dayPrefix(old) })).objects).toEqual([]), { timeout: 5000 });
    expect((await env.LOG.list({ prefix: dayPrefix(recent) })).objects).toHaveLength(1);
  });
});
