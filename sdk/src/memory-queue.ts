/** Where IndexedDB fails after opening (a full quota, a deleted database), the queue carries on in memory. */
import type { Queue, Queued } from './queue.js';

/**
 * A queue that lives as long as the page.
 * @param initial events it starts with (default none)
 * @example memoryQueue([item]) // after IndexedDB refused `item`
 */
export function memoryQueue(initial: Queued[] = []): Queue {
  let items = [...initial];
  return {
    async add(item) {
      items.push(item);
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
