/**
 * The event log's hourly upkeep (the Worker's cron trigger): erasure and
 * retention reach the bytes in R2.
 *
 * - Erasure: each tombstone not yet applied and at least {@link SETTLE_MS}
 *   old (so that batches the queue was still delivering for the visitor have
 *   landed) has the days it names, and the day after each (a send just
 *   before midnight lands on the next), rewritten without the visitor's
 *   records: object by object, so memory holds one queue batch at a time; an
 *   object left empty is deleted. Until then readers drop the visitor's
 *   records (the trainer anti-joins tombstones), so no training run reads
 *   them at any point. The window: a visitor's bytes are gone within
 *   SETTLE_MS plus the hour between runs, two hours in all.
 * - Retention: every partition older than `LOG_RETENTION_DAYS` is deleted,
 *   and with it the tombstones that could still apply to it. (An R2
 *   lifecycle rule on `events/` does the same and is worth adding in
 *   production; this one also runs under `wrangler dev`, which has none.)
 */
import { DAY_FOLDER, dayOf, dayPrefix, EVENTS_PREFIX } from './layout';
import { TOMBSTONE_PREFIX, type Tombstone } from './tombstone';

/** A tombstone waits this long before it is applied: the queue's retries (5 × 60 s) and batching (30 s) are long done. */
export const SETTLE_MS = 60 * 60_000;

/** What a run did. */
export interface CompactionReport {
  tombstonesApplied: number;
  objectsRewritten: number;
  objectsDeleted: number;
  recordsRemoved: number;
  daysExpired: string[];
  tombstonesExpired: number;
}

const DAY_MS = 86_400_000;
const nextDay = (day: string) => dayOf(Date.parse(`${day}T00:00:00Z`) + DAY_MS);

/** Every object under `prefix` (R2 lists a thousand at a time). */
async function* listAll(bucket: R2Bucket, prefix: string): AsyncGenerator<R2Object> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    yield* page.objects;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

/** The day partitions the log holds: `events/dt=2026-11-30/` → '2026-11-30'. */
async function logDays(bucket: R2Bucket): Promise<string[]> {
  const days: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: EVENTS_PREFIX, delimiter: '/', cursor });
    for (const prefix of page.delimitedPrefixes) {
      const day = DAY_FOLDER.exec(prefix)?.[1];
      if (day) days.push(day);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return days;
}

/** Rewrites a day's objects without the records of `vids`. */
async function dropVisitors(bucket: R2Bucket, day: string, vids: ReadonlySet<string>, report: CompactionReport): Promise<void> {
  for await (const listed of listAll(bucket, dayPrefix(day))) {
    const object = await bucket.get(listed.key);
    if (!object) continue;
    const lines = (await object.text()).split('\n').filter((line) => line !== '');
    // A line that is not a record is kept as it is: compaction only ever removes what a tombstone names.
    const kept = lines.filter((line) => !vids.has(vidOf(line) ?? ''));
    if (kept.length === lines.length) continue;
    report.recordsRemoved += lines.length - kept.length;
    if (kept.length) {
      await bucket.put(listed.key, `${kept.join('\n')}\n`, { httpMetadata: object.httpMetadata });
      report.objectsRewritten++;
    } else {
      await bucket.delete(listed.key);
      report.objectsDeleted++;
    }
  }
}

function vidOf(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as { vid?: unknown };
    return typeof record.vid === 'string' ? record.vid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Applies settled tombstones and deletes what retention has passed.
 * @example await compactLog(env.LOG, Date.now(), Number(env.LOG_RETENTION_DAYS));
 */
export async function compactLog(bucket: R2Bucket, now: number, retentionDays: number): Promise<CompactionReport> {
  const report: CompactionReport = { tombstonesApplied: 0, objectsRewritten: 0, objectsDeleted: 0, recordsRemoved: 0, daysExpired: [], tombstonesExpired: 0 };
  const oldest = dayOf(now - retentionDays * DAY_MS);

  // Erasure: the visitors each day must lose, from the tombstones that have settled.
  const due: Array<{ key: string; tombstone: Tombstone }> = [];
  const byDay = new Map<string, Set<string>>();
  for await (const listed of listAll(bucket, TOMBSTONE_PREFIX)) {
    const tombstone = (await (await bucket.get(listed.key))?.json<Tombstone>()) ?? null;
    if (!tombstone) continue;
    if (tombstone.erasedAt < now - retentionDays * DAY_MS - DAY_MS) {
      // Every partition it could apply to has been deleted by retention: nothing is left to remove or to filter.
      await bucket.delete(listed.key);
      report.tombstonesExpired++;
      continue;
    }
    if (tombstone.appliedAt !== undefined || tombstone.erasedAt > now - SETTLE_MS) continue;
    due.push({ key: listed.key, tombstone });
    for (const day of tombstone.days.flatMap((d) => [d, nextDay(d)])) {
      if (day < oldest) continue;
      (byDay.get(day) ?? byDay.set(day, new Set()).get(day)!).add(tombstone.vid);
    }
  }
  for (const [day, vids] of byDay) await dropVisitors(bucket, day, vids, report);
  // Marked applied only once every day is rewritten: a run that fails half-way is done again whole.
  for (const { key, tombstone } of due) {
    await bucket.put(key, JSON.stringify({ ...tombstone, appliedAt: now } satisfies Tombstone), { httpMetadata: { contentType: 'application/json' } });
    report.tombstonesApplied++;
  }

  // Retention: whole partitions, oldest first.
  for (const day of await logDays(bucket)) {
    if (day >= oldest) continue;
    const keys: string[] = [];
    for await (const listed of listAll(bucket, dayPrefix(day))) keys.push(listed.key);
    // R2 deletes at most 1,000 keys per call.
    for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
    report.daysExpired.push(day);
  }
  return report;
}
