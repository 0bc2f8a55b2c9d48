/** The memory queue (where IndexedDB cannot be used): oldest first, and full at `MAX_QUEUED`, refusing more. */
import { describe, expect, it } from 'vitest';
import { memoryQueue } from '../../../sdk/src/memory-queue';
import { MAX_QUEUED, type Queued } from '../../../sdk/src/queue';

const item = (i: number): Queued => ({ sid: 'session-1', ev: { id: `event-${String(i).padStart(4, '0')}`, type: 'page_view', ts: i } });

describe('memoryQueue', () => {
  it('gives events back oldest first and removes them by id', async () => {
    const queue = memoryQueue([item(0)]);
    await queue.add(item(1));
    await queue.add(item(2));
    expect((await queue.peek(2)).map((q) => q.ev.ts)).toEqual([0, 1]);
    await queue.remove([item(0).ev.id, item(2).ev.id]);
    expect((await queue.peek(10)).map((q) => q.ev.ts)).toEqual([1]);
  });

  it(`holds ${MAX_QUEUED} events and refuses more, keeping every one it accepted`, async () => {
    const queue = memoryQueue();
    const accepted = [];
    for (let i = 0; i < MAX_QUEUED + 2; i++) accepted.push(await queue.add(item(i)));
    expect(accepted.indexOf(false)).toBe(MAX_QUEUED);
    expect(accepted.slice(MAX_QUEUED)).toEqual([false, false]);
    const held = await queue.peek(MAX_QUEUED + 2);
    expect(held.map((q) => q.ev.ts)).toEqual(Array.from({ length: MAX_QUEUED }, (_, i) => i));
    // Room again once some are delivered.
    await queue.remove([item(0).ev.id]);
    expect(await queue.add(item(MAX_QUEUED + 2))).toBe(true);
  });
});
