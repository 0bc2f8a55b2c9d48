/**
 * `npm run replay -- --sessions <file>`: pushes a sessions file through the
 * real `POST /v1/collect` into the event log, as shoppers would have sent it
 * (a benchmark command: train from the log afterwards and compare with
 * training from the file; see README → The learning loop).
 *
 * Each session becomes product views in one session id, with times that
 * keep the file's order (session i starts i minutes after the first, its
 * views a second apart), since training reads sessions in time order.
 * Sessions are shared among visitors (`--per-visitor`, default 20), each
 * visitor's id issued by the Worker on their first batch, and every visitor's
 * batches go one after another on one connection: the per-visitor rate limit
 * (60 per 10 s) holds because a connection cycles through its many visitors.
 * Consent is analytics only: the log is what is being filled, and no
 * profile, catalog or model is needed for it.
 *
 * By default it starts its own `wrangler dev` (the product's configuration,
 * the per-address rate limit off, as `npm run bench` does) on
 * `--persist-to` (default `.wrangler/replay`) and stops it once the queue's
 * consumer has written everything; `--url` sends to a Worker already
 * running instead.
 */
import { performance } from 'node:perf_hooks';
import { LIMITS, type CollectResponse } from '../../sdk/src/wire';
import { parseCliArgs, required } from './args';
import { readLog } from './event-log';
import { progressBar } from './progress';
import { readSessions } from './sessions-io';
import { rowCount, rowValues } from '../src/model/rows';
import { startDevServer } from './wrangler';

const USAGE = `usage: replay --sessions <sessions.txt> [--persist-to <dir> | --url <worker>] [--per-visitor 20] [--concurrency 8] [--limit N] [--port 8790]
  Sends each session's views to POST /v1/collect (analytics consent) so that they reach the event log.`;

/** Time of the first replayed session: a fixed past date, so two replays give the same times. */
const EPOCH = Date.parse('2026-01-01T00:00:00Z');

/** A collect answer other than 200: 429 and 503 are waited out and sent again; anything else stops the replay. */
class Refused extends Error {}

/** Sends one batch, waiting out rate limits and a busy log; resolves to the Worker's answer. */
async function collect(url: string, body: object): Promise<CollectResponse> {
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${url}/v1/collect`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
    } catch (err) {
      // A connection the server dropped (a kept-alive one it closed, say): the events keep their ids, so sending again is safe.
      if (attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
        continue;
      }
      throw err;
    }
    if (res.ok) return (await res.json()) as CollectResponse;
    const text = await res.text();
    if ((res.status === 429 || res.status === 503) && attempt < 20) {
      const wait = Number(res.headers.get('retry-after') ?? 1);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait) * 1000));
      continue;
    }
    throw new Refused(`POST /v1/collect answered ${res.status}: ${text.slice(0, 300)}`);
  }
}

/** An event id for view j of session i: unique, and the same in every replay of the file. */
const eventId = (i: number, j: number) => `rp-${i.toString(36).padStart(6, '0')}-${j.toString(36)}`;

async function main(): Promise<void> {
  const args = parseCliArgs(
    {
      sessions: { type: 'string' },
      'persist-to': { type: 'string', default: '.wrangler/replay' },
      url: { type: 'string' },
      port: { type: 'string', default: '8790' },
      'per-visitor': { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '8' },
      limit: { type: 'string' },
    },
    USAGE,
  );
  const path = required(args.sessions, 'sessions', USAGE);
  const { sessions, itemIds } = readSessions(path);
  const total = Math.min(rowCount(sessions), Number(args.limit ?? Infinity));
  const perVisitor = Math.max(1, Number(args['per-visitor']));
  const concurrency = Math.max(1, Number(args.concurrency));
  const visitors = Math.ceil(total / perVisitor);
  const item = (id: number) => (itemIds ? itemIds[id]! : String(id));

  const server = args.url ? undefined : await startDevServer({ port: Number(args.port), persistTo: args['persist-to']!, vars: { RATE_LIMIT_ADDRESSES: 'off' } });
  const url = args.url ?? server!.url;
  process.stderr.write(`replaying ${total} sessions of ${path} as ${visitors} visitors into ${url}${server ? ` (state in ${args['persist-to']})` : ''}\n`);
  const started = performance.now();
  const vids = new Array<string | undefined>(visitors);
  const counts = { sent: 0, accepted: 0, duplicates: 0, requests: 0, sessions: 0 };
  const bar = progressBar('replay', total);

  /** Session i's views, in batches of at most LIMITS.batchEvents, as visitor i mod visitors. */
  async function sendSession(i: number): Promise<void> {
    const visitor = i % visitors;
    const row = rowValues(sessions, i);
    const sid = `rs-${i.toString(36).padStart(8, '0')}`;
    for (let from = 0; from < row.length; from += LIMITS.batchEvents) {
      const events = Array.from(row.subarray(from, from + LIMITS.batchEvents), (id, j) => ({
        id: eventId(i, from + j),
        type: 'product_view' as const,
        item: item(id),
        ts: EPOCH + i * 60_000 + (from + j) * 1000,
      }));
      const answer = await collect(url, { v: 1, vid: vids[visitor], sid, consent: ['analytics'], events });
      vids[visitor] = answer.vid;
      counts.sent += events.length;
      counts.accepted += answer.accepted;
      counts.duplicates += answer.duplicates;
      counts.requests++;
    }
    bar.tick(++counts.sessions, `${counts.requests} requests`);
  }

  // Lane k owns the visitors v ≡ k (mod concurrency), so one visitor's batches never overlap.
  const lane = async (k: number) => {
    for (let i = 0; i < total; i++) if ((i % visitors) % concurrency === k) await sendSession(i);
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, k) => lane(k)));
    bar.finish(`${counts.requests} requests`);
    const seconds = (performance.now() - started) / 1000;
    console.log(`sent ${counts.sent} views in ${counts.requests} batches (${total} sessions, ${visitors} visitors) in ${seconds.toFixed(0)} s, ${(counts.requests / seconds).toFixed(0)} batches/s`);
    console.log(`accepted ${counts.accepted}, duplicates ${counts.duplicates}`);
    if (server) {
      // The queue's consumer writes a batch once it holds 100 messages or 30 s have passed; wrangler dev keeps the backlog in memory.
      process.stderr.write('waiting for the queue consumer to write the last batches\n');
      const logged = await waitForLog(args['persist-to']!, counts.accepted);
      console.log(`the log under ${args['persist-to']} holds ${logged} distinct events`);
      if (logged < counts.accepted) throw new Error(`${counts.accepted - logged} accepted events did not reach the log`);
    } else {
      console.log('the queue consumer writes the last batches within 30 s (max_batch_timeout)');
    }
  } finally {
    await server?.stop();
  }
}

/** Waits until the local log holds `expected` distinct events, or stops growing for a minute (then says how many it holds). */
async function waitForLog(persistTo: string, expected: number): Promise<number> {
  let last = -1;
  let unchangedSince = Date.now();
  for (;;) {
    const { events } = await readLog(persistTo);
    if (events >= expected) return events;
    if (events !== last) unchangedSince = Date.now();
    if (Date.now() - unchangedSince > 60_000) return events;
    last = events;
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

main().catch((err) => {
  process.stderr.write(`replay: ${err instanceof Refused ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
