/**
 * `npm run bench:writes [-- --json]`: storage writes per batch of events, on
 * real shopping sessions, for the visitor object's write policy.
 *
 * Replays the real sessions in `../shared/data` (Diginetica's raw product
 * views with their timestamps and purchases, OTTO's clicks, carts and orders)
 * as the SDK sends them: each view is a page (a `page_view` and a
 * `product_view`), events a second apart or less travel in one batch (the
 * SDK's flush delay), a pause of 30 minutes starts a new session. Every batch
 * goes through the real `applyEvents`, and the snapshot policy's real
 * `urgency` and `writeDue` (`edge-worker/src/profile/snapshot.ts`) decide when
 * KV is written, for several windows. The previous object (three rows and an
 * alarm per batch, a KV copy at most once a second, then a bookkeeping row and
 * an alarm) is replayed beside it.
 *
 * It also counts, at every page (where the SDK asks for a decision), whether
 * the snapshot KV holds would miss a view that the SDK's recent list does not
 * carry either: a decision that would not reflect what the shopper just did.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { applyEvents, emptyProfile, type Profile } from '../../edge-worker/src/profile/profile';
import { KV_MIN_GAP_MS, SNAPSHOT_IDLE_MS, snapshotOf, urgency, withChange, writeAt, type Pending } from '../../edge-worker/src/profile/snapshot';
import type { TrackedEvent } from '../../edge-worker/src/contract/schemas';
import { LIMITS } from '../../sdk/src/wire';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, data: { type: 'string', default: resolve(ROOT, '../shared/data') } } });
const DATA = args.data!;
const SESSION_IDLE_MS = 30 * 60_000;
const SDK_FLUSH_MS = 1000;

interface Action {
  ts: number;
  item: string;
  kind: 'view' | 'cart' | 'order';
}

/** Real visitors' actions, oldest first. */
function loadVisitors(): Array<{ source: string; actions: Action[] }> {
  const views = resolve(DATA, 'events/diginetica-raw/sample_train-item-views.csv');
  const otto = resolve(DATA, 'events/otto/sessions.jsonl');
  if (!existsSync(views) || !existsSync(otto)) {
    console.error(`bench:writes needs the shared data beside the checkout: ${views} and ${otto} are missing`);
    process.exit(2);
  }
  const bySession = new Map<string, Action[]>();
  for (const line of readFileSync(views, 'utf8').split('\n').slice(1)) {
    const [session, , item, timeframe, date] = line.split(';');
    if (!session || !item) continue;
    const ts = Date.parse(date!) + Number(timeframe);
    (bySession.get(session) ?? bySession.set(session, []).get(session)!).push({ ts, item, kind: 'view' });
  }
  const purchases = resolve(DATA, 'events/diginetica-raw/train-purchases.csv');
  for (const line of readFileSync(purchases, 'utf8').split('\n').slice(1)) {
    const [session, , timeframe, date, , item] = line.split(';');
    const actions = session ? bySession.get(session) : undefined;
    if (actions && item) actions.push({ ts: Date.parse(date!) + Number(timeframe), item, kind: 'order' });
  }
  const visitors = [...bySession.values()].map((actions) => ({ source: 'diginetica', actions: actions.sort((a, b) => a.ts - b.ts) }));
  for (const line of readFileSync(otto, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { events } = JSON.parse(line) as { events: Array<{ aid: number; ts: number; type: 'clicks' | 'carts' | 'orders' }> };
    const kind = { clicks: 'view', carts: 'cart', orders: 'order' } as const;
    visitors.push({ source: 'otto', actions: events.map((e) => ({ ts: e.ts, item: String(e.aid), kind: kind[e.type] })).sort((a, b) => a.ts - b.ts) });
  }
  return visitors;
}

interface Batch {
  at: number;
  sid: string;
  events: TrackedEvent[];
}

/** The batches the SDK sends for these actions: each view a page, events within the flush delay together. */
function batchesOf(actions: Action[], visitor: number): Batch[] {
  const batches: Batch[] = [];
  let n = 0;
  let session = 0;
  let last = -Infinity;
  for (const a of actions) {
    if (a.ts - last > SESSION_IDLE_MS) session++;
    const id = () => `e${visitor}x${n++}`.padEnd(8, '0');
    const events: TrackedEvent[] =
      a.kind === 'view'
        ? [
            { type: 'page_view', id: id(), ts: a.ts },
            { type: 'product_view', id: id(), ts: a.ts, item: a.item },
          ]
        : a.kind === 'cart'
          ? [{ type: 'add_to_cart', id: id(), ts: a.ts, item: a.item, qty: 1 }]
          : [{ type: 'purchase', id: id(), ts: a.ts, items: [a.item] }];
    const open = batches.at(-1);
    if (open && a.ts - last <= SDK_FLUSH_MS && open.events.length + events.length <= LIMITS.batchEvents) {
      open.events.push(...events);
      open.at = a.ts + SDK_FLUSH_MS;
    } else batches.push({ at: a.ts + SDK_FLUSH_MS, sid: `s${visitor}x${session}`.padEnd(8, '0'), events });
    last = a.ts;
  }
  return batches;
}

interface Counts {
  batches: number;
  events: number;
  /** Bytes of the object's state row and of the KV snapshot, summed over visitors at the end of their sessions. */
  stateBytes: number;
  snapshotBytes: number;
  visitors: number;
  doRows: number;
  alarms: number;
  alarmRuns: number;
  kvWrites: number;
  decides: number;
  staleDecides: number;
}

/** Items a decision at `t` would miss: in the profile, but neither in KV's snapshot nor among the SDK's recent views. */
function misses(truth: Profile, snapshot: Profile | null, sdkRecent: string[]): boolean {
  const known = new Set([...(snapshot?.recent.map(([item]) => item) ?? []), ...sdkRecent]);
  return truth.recent.some(([item]) => !known.has(item));
}

interface Policy {
  name: string;
  /** The idle time before views are written; null: the previous object. */
  idleMs: number | null;
}

/** The expiry alarm's distance: the retention period (its value does not change the counts). */
const RETENTION_MS = 30 * 86_400_000;

/** Replays one visitor's batches under a policy, counting writes and stale decisions into `counts`. */
function replay(batches: Batch[], policy: Policy, counts: Counts): void {
  const { idleMs } = policy;
  const kvWritesBefore = counts.kvWrites;
  let profile: Profile | null = null;
  let snapshot: Profile | null = null;
  let lastWrite = 0;
  let alarm: number | null = null;
  let pending: Pending | null = null;
  const sdkRecent: string[] = [];
  let sid = '';
  const setAlarm = (at: number) => {
    alarm = at;
    counts.alarms++;
  };
  const writeSnapshot = (at: number) => {
    counts.kvWrites++;
    counts.doRows++; // previous: the bookkeeping row; now: the state row without its pending changes
    snapshot = structuredClone(profile);
    lastWrite = at;
    pending = null;
  };
  const runAlarm = (at: number) => {
    counts.alarmRuns++;
    alarm = null;
    if (idleMs === null) {
      if (pending) writeSnapshot(at);
    } else if (pending) {
      const due = writeAt(pending, lastWrite, idleMs);
      // Still active: look again once the visitor has been idle long enough.
      if (at < due) return setAlarm(due);
      writeSnapshot(at);
    }
    setAlarm(at + RETENTION_MS); // the expiry alarm
  };
  for (const batch of batches) {
    while (alarm !== null && alarm <= batch.at) runAlarm(alarm);
    if (batch.sid !== sid) sdkRecent.length = 0;
    sid = batch.sid;
    // The decide of each page in this batch, just before its events arrive.
    for (const ev of batch.events) {
      if (ev.type !== 'product_view') continue;
      counts.decides++;
      if (profile && misses(profile, snapshot, sdkRecent)) counts.staleDecides++;
      sdkRecent.push(ev.item);
      if (sdkRecent.length > LIMITS.recentItems) sdkRecent.shift();
    }
    const before = profile;
    const applied = applyEvents(profile ?? emptyProfile(Math.floor(batch.at / 1000)), batch.events, batch.sid, Math.floor(batch.at / 1000), () => undefined);
    profile = applied.profile;
    counts.batches++;
    counts.events += batch.events.length;
    if (idleMs === null) {
      counts.doRows += 3; // profile, vid, meta
      pending = { since: batch.at, changedAt: batch.at, urgent: true };
      const due = Math.max(batch.at, lastWrite + KV_MIN_GAP_MS);
      if (alarm === null || alarm > due) setAlarm(due);
      continue;
    }
    counts.doRows += 1; // the one state row
    pending = withChange(pending, urgency(before, profile), batch.at);
    if (!pending) continue;
    const due = writeAt(pending, lastWrite, idleMs);
    if (alarm === null || alarm > due) setAlarm(due);
  }
  while (alarm !== null && pending) runAlarm(alarm);
  if (!profile) return;
  // What is stored at the end: the previous object kept the profile (and its bookkeeping) and a full copy in KV.
  counts.visitors++;
  const vid = 'dev.tpadsa.SSP4vzCOE0DgLDrxh5bVdA.5_JL0gDG_5LLBL2Dmxaz2nzFV61YGiVohGHNQuool2o';
  const consent = { analytics: { granted: true, at: 0, source: 'request' }, personalization: { granted: true, at: 0, source: 'request' } };
  const meta = { flushedAt: Date.now(), writes: Array.from({ length: Math.min(20, counts.kvWrites - kvWritesBefore) }, () => Date.now()), dirty: false };
  counts.stateBytes += idleMs === null ? JSON.stringify(profile).length + vid.length + JSON.stringify(meta).length : JSON.stringify({ vid, profile, consent, pending: null }).length;
  counts.snapshotBytes += JSON.stringify(idleMs === null ? profile : snapshotOf(profile)).length;
}

const visitors = loadVisitors();
const policies: Policy[] = [
  { name: 'previous (every batch, KV ≤ 1/s)', idleMs: null },
  ...[0, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000].map((ms) => ({ name: `idle ${ms / 1000} s${ms === SNAPSHOT_IDLE_MS ? ' (chosen)' : ''}`, idleMs: ms })),
];
const results = policies.map((policy) => {
  const { name, idleMs } = policy;
  const counts: Counts = { batches: 0, events: 0, stateBytes: 0, snapshotBytes: 0, visitors: 0, doRows: 0, alarms: 0, alarmRuns: 0, kvWrites: 0, decides: 0, staleDecides: 0 };
  visitors.forEach((v, i) => replay(batchesOf(v.actions, i), policy, counts));
  const per = (n: number) => Math.round((n / counts.batches) * 1000) / 1000;
  return {
    policy: name,
    idleMs,
    batches: counts.batches,
    eventsPerBatch: per(counts.events),
    stateBytes: Math.round(counts.stateBytes / counts.visitors),
    snapshotBytes: Math.round(counts.snapshotBytes / counts.visitors),
    doRowsPerBatch: per(counts.doRows),
    alarmWritesPerBatch: per(counts.alarms),
    alarmRunsPerBatch: per(counts.alarmRuns),
    kvWritesPerBatch: per(counts.kvWrites),
    staleDecidePercent: Math.round((counts.staleDecides / counts.decides) * 10_000) / 100,
  };
});
const sources = { diginetica: visitors.filter((v) => v.source === 'diginetica').length, otto: visitors.filter((v) => v.source === 'otto').length };
console.log(`${sources.diginetica} Diginetica and ${sources.otto} OTTO visitors, ${results[0]!.batches} batches of ${results[0]!.eventsPerBatch} events on average`);
console.log(`stored per visitor: ${results[0]!.stateBytes} B in the object and ${results[0]!.snapshotBytes} B in KV before, ${results.at(-1)!.stateBytes} B and ${results.at(-1)!.snapshotBytes} B now`);
console.log('policy                                  DO rows/batch  alarm sets/batch  alarm runs/batch  KV writes/batch  decides missing a view');
for (const r of results) {
  console.log(`${r.policy.padEnd(40)}${String(r.doRowsPerBatch).padStart(13)}${String(r.alarmWritesPerBatch).padStart(18)}${String(r.alarmRunsPerBatch).padStart(18)}${String(r.kvWritesPerBatch).padStart(17)}${`${r.staleDecidePercent} %`.padStart(24)}`);
}
if (args.json) console.log(JSON.stringify({ visitors: sources, results }));
