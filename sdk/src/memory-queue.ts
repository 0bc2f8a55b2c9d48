/** Where IndexedDB cannot be opened, or fails after opening (a full quota, a deleted database), the queue carries on in memory. */
import { MAX_QUEUED, type Queue, type Queued } from './queue.js';

/**
 * A queue that lives as long as the page; full at `MAX_QUEUED` events.
 * @param initial events it starts with (default none)
 * @example memoryQueue([item]) // after IndexedDB refused `item`
 */
export function memoryQueue(initial: Queued[] = []): Queue {
  let items = [...initial];
  return {
    async add(item) {
      if (items.length >= MAX_QUEUED) return false;
      items.push(item);
      return true;
    },
    async peek(limit) {
      return items.slice(0, limit);
    },
    async remove(ids) {
      items = items.filter((q) => !ids.includes(q.ev.id));
    },
    async clear() {
      items = [];
    },
  };
}
