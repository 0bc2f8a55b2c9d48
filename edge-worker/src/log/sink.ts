/**
 * The event log's consumer: each batch the queue delivers becomes one NDJSON
 * object per day (the day the events reached the Worker) in the LOG bucket,
 * at `events/dt=YYYY-MM-DD/<batch>.ndjson`, a layout DuckDB and other engines
 * read as a partitioned table. `<batch>` is a hash of the batch's message
 * ids, so a batch delivered again overwrites its own object instead of adding
 * a second one; repeats across batches (the queue delivers at least once)
 * are dropped by readers by event id. A batch whose write fails is retried
 * whole (and after `max_retries`, kept in the dead-letter queue), so no
 * event is lost.
 */
import { dayOf, dayPrefix } from './layout';
import type { LogRecord } from './record';

/** What the visitor's object sends: the log records of one accepted batch. */
export interface LogMessage {
  records: LogRecord[];
}


/** Hex SHA-256 of `text`, cut to 32 characters: a name no other batch will have. */
async function nameOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32);
}

/**
 * Writes a batch's records, one NDJSON object per day.
 * @returns the keys written
 */
export async function writeLogBatch(bucket: R2Bucket, messages: readonly Message<LogMessage>[]): Promise<string[]> {
  const days = new Map<string, string[]>();
  for (const message of messages) {
    const day = dayOf(new Date(message.timestamp).getTime());
    const lines = days.get(day) ?? days.set(day, []).get(day)!;
    // Only the visitor's object sends here; anything else is not a log record.
    for (const record of Array.isArray(message.body?.records) ? message.body.records : []) lines.push(JSON.stringify(record));
  }
  const name = await nameOf(messages.map((m) => m.id).sort().join('\n'));
  const written = [...days].filter(([, lines]) => lines.length).map(([day, lines]) => ({ key: `${dayPrefix(day)}${name}.ndjson`, body: `${lines.join('\n')}\n` }));
  await Promise.all(written.map(({ key, body }) => bucket.put(key, body, { httpMetadata: { contentType: 'application/x-ndjson' } })));
  return written.map(({ key }) => key);
}

/** The Worker's queue handler: the batch is written, or retried whole. */
export async function consumeLog(batch: MessageBatch<LogMessage>, env: Env): Promise<void> {
  try {
    await writeLogBatch(env.LOG, batch.messages);
    batch.ackAll();
  } catch (err) {
    console.error('rapport: the event log could not be written; the batch will be retried', err);
    batch.retryAll();
  }
}
