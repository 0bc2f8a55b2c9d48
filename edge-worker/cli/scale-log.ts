/**
 * `npm run scale-log`: an event log of k times a sessions file's traffic, written as the Worker's
 * queue consumer writes it, for measuring training at scale (docs/SCALE.md). Replaying through the
 * HTTP API takes 28 minutes for Diginetica once; this writes the records the consumer would have
 * written, directly.
 *
 * How the log is built: the file's sessions (one per line, in time order) are replayed `--times`
 * k times. The log spans `--span-days` days (default 150) ending an hour before `--now` (default
 * the current time), so all of it lies within the Worker's 180-day retention; copy c of k takes the
 * c-th of k equal slices of that span, so each copy comes after the previous one, and within a
 * copy the sessions start evenly spaced, in file order, their views a second apart. Every copy has
 * its own visitors and sessions (a session of the file is one visitor's one session: `vid`
 * `scale-c<copy>-v<session>`, `sid` `c<copy>-s<session>`) and its own event ids. Each record is
 * what `logRecords` keeps of a product view (`id`, `vid`, `sid`, `type`, `ts`, `item`); they are laid
 * out as `events/dt=YYYY-MM-DD/<name>.ndjson` (`layout.ts`), the day of their time, `--per-object`
 * records an object (default 5,000; the consumer's objects hold one queue batch each, at most 100
 * messages, and are smaller: fewer, larger objects only shorten the listing). The consumer writes
 * plain NDJSON, and the reader lists only `.ndjson` keys, so the objects are not compressed.
 *
 * @example
 * npm run scale-log -- --sessions ../shared/data/sessions/diginetica/train_sessions.txt --times 4 --out /work/scratch/logs/x4
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dayOf, dayPrefix } from '../src/log/layout';
import type { LogRecord } from '../src/log/record';
import { parseCliArgs, required, usageError } from './args';

const USAGE = `usage: scale-log --sessions <train_sessions.txt> --times <k> --out <dir> [--span-days 150] [--now <epoch ms>] [--per-object 5000]
  writes <dir>/events/dt=YYYY-MM-DD/*.ndjson: the sessions replayed k times, one copy after another, within the last --span-days days`;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Time between two views of a session. */
const VIEW_GAP_MS = 1000;

/** The file's sessions, one line at a time (the file is never held whole). */
async function* sessionsOf(path: string): AsyncGenerator<string[]> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const items = line.trim().split(/\s+/).filter((item) => item !== '');
    if (items.length) yield items;
  }
}

async function countSessions(path: string): Promise<number> {
  let count = 0;
  for await (const _ of sessionsOf(path)) count++;
  return count;
}

/** Writes records into day objects as they come (in time order), `perObject` lines an object at most. */
function objectWriter(out: string, perObject: number) {
  let day = '';
  let lines: string[] = [];
  let objects = 0;
  let records = 0;
  const flush = (): void => {
    if (!lines.length) return;
    const dir = join(out, dayPrefix(day));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `scaled-${String(objects).padStart(6, '0')}.ndjson`), `${lines.join('\n')}\n`);
    objects++;
    lines = [];
  };
  return {
    add(record: LogRecord): void {
      const recordDay = dayOf(record.ts);
      if (recordDay !== day || lines.length >= perObject) flush();
      day = recordDay;
      lines.push(JSON.stringify(record));
      records++;
    },
    finish(): { objects: number; records: number } {
      flush();
      return { objects, records };
    },
  };
}

async function main(): Promise<void> {
  const args = parseCliArgs(
    {
      sessions: { type: 'string' },
      times: { type: 'string' },
      out: { type: 'string' },
      'span-days': { type: 'string', default: '150' },
      now: { type: 'string' },
      'per-object': { type: 'string', default: '5000' },
    },
    USAGE,
  );
  const path = required(args.sessions, 'sessions', USAGE);
  const out = required(args.out, 'out', USAGE);
  const times = Number(required(args.times, 'times', USAGE));
  const spanDays = Number(args['span-days']);
  const perObject = Number(args['per-object']);
  if (!Number.isInteger(times) || times < 1) usageError('--times must be a whole number, 1 or more', USAGE);
  if (!(spanDays > 0 && spanDays < 180)) usageError('--span-days must be above 0 and under the 180 days of retention', USAGE);
  if (!Number.isInteger(perObject) || perObject < 1) usageError('--per-object must be a whole number, 1 or more', USAGE);
  const now = args.now === undefined ? Date.now() : Number(args.now);

  const sessions = await countSessions(path);
  const end = now - HOUR_MS;
  const copySpan = (spanDays * DAY_MS) / times;
  const start = end - spanDays * DAY_MS;
  const writer = objectWriter(out, perObject);
  for (let copy = 0; copy < times; copy++) {
    const copyStart = start + copy * copySpan;
    let s = 0;
    for await (const items of sessionsOf(path)) {
      const begins = Math.floor(copyStart + (s * copySpan) / sessions);
      const vid = `scale-c${copy}-v${s}`;
      const sid = `c${copy}-s${s}`;
      items.forEach((item, i) => writer.add({ id: `${sid}-e${i}`, vid, sid, type: 'product_view', ts: begins + i * VIEW_GAP_MS, item }));
      s++;
    }
  }
  const { objects, records } = writer.finish();
  console.log(`${out}: ${times} × ${sessions} sessions, ${records} records in ${objects} objects, ${dayOf(start)} to ${dayOf(end)}`);
}

await main().catch((err: Error) => {
  process.stderr.write(`scale-log: ${err.message}\n`);
  process.exit(1);
});
