/**
 * One Durable Object per visitor: the single writer of that visitor's
 * profile and the keeper of their consent record. Batches arriving together
 * are applied one after another against durable storage (no lost update).
 *
 * One write per change: everything the object keeps is one storage row
 * (`state`), written once per batch that changes it. The KV snapshot that
 * decisions read is written only when something a decision uses changed, and
 * views wait until the visitor is idle (see `snapshot.ts`, and docs/COST.md
 * for what that saves). One alarm does all the object's timed work: write a
 * pending snapshot, resend what the event log has not confirmed, and delete
 * everything when the retention period passes.
 *
 * The event log's producer: a batch granting analytics (from a visitor who
 * has not objected) puts its new events' log records in the state row's
 * outbox in the same write that records the batch, so they are durable
 * before the answer; then one queue message carries them, sent after the
 * answer so a slow queue never slows a shopper. Records the queue confirmed
 * leave the outbox at the object's next write; the alarm resends the rest.
 * A record may so be sent twice (after an eviction, or a lost confirmation):
 * the log is at least once, and its readers drop repeats by event id.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Purpose } from '../../../sdk/src/wire';
import type { TrackedEvent } from '../contract/schemas';
import { dayOf } from '../log/layout';
import { logRecords, type LogRecord } from '../log/record';
import type { LogMessage } from '../log/sink';
import { tombstoneKey, type Tombstone } from '../log/tombstone';
import { attributeEvents, merge, recordDecision, retraction, type Attribution } from '../experiments/attribution';
import { countShown } from '../experiments/caps';
import { fnv1a32 } from '../experiments/hash';
import { counterShard, shardOf, type Delivery } from '../experiments/counters';
import type { DecisionRecord } from '../experiments/decision';
import { loadExperiments } from '../published/published';
import { applyEvents, emptyProfile, freshEvents, type Applied, type Profile } from './profile';
import { snapshotOf, urgency, withChange, writeAt, type Pending } from './snapshot';
import { deleteProfile, markObjection, readSnapshot, writeProfile } from './store';

/** A purpose's consent as the visitor last gave it: granted or not, when that changed, and what said so. */
export interface ConsentEntry {
  granted: boolean;
  /** Epoch ms of the batch that changed it. */
  at: number;
  /** `request`: the SDK's consent field; `global_privacy_control`: the browser's Sec-GPC signal overrode it. */
  source: 'request' | 'global_privacy_control';
}

/** The consent record (GDPR Art. 7(1): the controller can show what was consented to, and when). */
export type ConsentRecord = Partial<Record<Purpose, ConsentEntry>>;

/** Everything the object keeps, in one storage row. */
export interface VisitorState {
  vid: string;
  /** The record of truth; null once personalization was withdrawn. */
  profile: Profile | null;
  consent: ConsentRecord;
  /** Changes not yet in the KV snapshot. */
  pending: Pending | null;
  /** Tombstone: the visitor was erased (epoch ms); kept until the id expires. */
  erasedAt?: number;
  /** The visitor objected to personalization (epoch ms); kept until the id expires. */
  objectedAt?: number;
  /** An erased or objecting visitor's id stops being accepted then (epoch ms), and the object clears itself. */
  until?: number;
  /** Log records not yet confirmed by the event log's queue. */
  outbox?: LogRecord[];
  /** The days (UTC, YYYY-MM-DD) this visitor's records were sent to the log on: where erasure looks. */
  logDays?: string[];
  /** Event ids already logged, for a visitor without a profile (a profile keeps its own `seen`). */
  seen?: string;
  /** The last batch that changed the state (epoch ms): a profile-less state's retention runs from it. */
  at?: number;
  /** Experiments: the latest decisions and the visitor's arms, to attribute what follows (see experiments/attribution.ts). */
  attribution?: Attribution;
  /**
   * Counter rows not yet confirmed by the visitor's counter shard. New rows
   * merge into the last delivery until it is sent (by the alarm, at most
   * COUNTER_FLUSH_SECONDS after the first): one delivery per visitor and
   * minute, not per page. A delivery once sent never changes (the shard may
   * have applied it), so `sent` marks it.
   */
  tallies?: Array<Delivery & { sent?: true }>;
}

/** What the request says about consent: the purposes it grants, and whether the browser sent Global Privacy Control (honoured). */
export interface BatchConsent {
  purposes: Purpose[];
  gpc: boolean;
}

/** The result of a batch as the collect route reports it. */
export type BatchResult = Pick<Applied, 'accepted' | 'duplicates'> & {
  /** Whether the events shaped a profile. */
  kept: boolean;
  /** The event log has not confirmed {@link MAX_OUTBOX} records: the batch is refused, to be sent again later. */
  backlogged?: true;
  /** The visitor was erased: the batch is dropped. */
  erased?: true;
  /** The visitor objected to personalization. */
  objected?: true;
};

const PURPOSES: readonly Purpose[] = ['analytics', 'personalization'];

/**
 * Most log records one visitor's outbox holds. Past it the queue has been
 * failing for a while: a batch is refused (503, the SDK keeps it and tries
 * again) rather than growing the state row without bound or dropping events.
 */
export const MAX_OUTBOX = 2000;

/** Records per queue message: about 50 KB, well inside a message's 128 KB. */
const RECORDS_PER_MESSAGE = 250;

/** After a failed resend, the alarm tries again this much later. */
const RESEND_RETRY_MS = 60_000;

/**
 * A counter delivery's id: what caused it (an event, a decision, the
 * erasure) and 64 bits of hash of the visitor id, not the id itself: the
 * shard keeps ids for a week to refuse resends, and keeps no visitor id.
 */
function deliveryId(vid: string, cause: string): string {
  return `${fnv1a32(`a:${vid}`).toString(36)}${fnv1a32(`b:${vid}`).toString(36)}:${cause}`;
}

/** A decision's log record: when, and the arms it ran under with their probabilities. */
function decisionRecord(vid: string, decision: DecisionRecord): LogRecord {
  const arms = Object.entries(decision.s).flatMap(([slot, s]) => (s.e ? [`${slot} ${s.e} ${s.a} ${s.p}`] : []));
  if (decision.h) arms.unshift(`* ${decision.he ?? 'holdout'} ${decision.h} ${decision.hp}`);
  return { id: decision.id, vid, sid: '', type: 'decision', ts: decision.at, ...(arms.length ? { arms } : {}) };
}

/** `days` with `day` added, without the days the log's retention has already deleted. */
function withDay(days: readonly string[] | undefined, day: string, now: number, retentionDays: number): string[] {
  const oldest = dayOf(now - retentionDays * 86_400_000);
  return [...new Set([...(days ?? []), day])].filter((d) => d >= oldest).sort();
}

/**
 * The consent record after a batch: an entry changes only when the batch
 * grants or withholds a purpose differently from the last one (the same
 * object comes back when nothing changed, so no write is needed).
 */
export function recordConsent(record: ConsentRecord, { purposes, gpc }: BatchConsent, now: number): ConsentRecord {
  let next = record;
  for (const purpose of PURPOSES) {
    const overridden = purpose === 'personalization' && gpc && purposes.includes(purpose);
    const granted = purposes.includes(purpose) && !overridden;
    if (record[purpose]?.granted === granted) continue;
    next = { ...next, [purpose]: { granted, at: now, source: overridden ? 'global_privacy_control' : 'request' } };
  }
  return next;
}

export class VisitorProfile extends DurableObject<Env> {
  /** When this object last wrote the KV snapshot (in memory: after an eviction, 0, which only costs an early write). */
  private lastWriteAt = 0;
  /** Ids of log records the queue has confirmed since the state was last written (in memory: after an eviction they are sent again). */
  private confirmed = new Set<string>();

  private ttlMs(): number {
    return Number(this.env.PROFILE_TTL_DAYS) * 86_400_000;
  }

  private logRetentionDays(): number {
    return Number(this.env.LOG_RETENTION_DAYS);
  }

  /** When the pending snapshot is due, with the configured idle time (see snapshot.ts). */
  private writeAt(pending: Pending): number {
    return writeAt(pending, this.lastWriteAt, Number(this.env.SNAPSHOT_IDLE_SECONDS) * 1000);
  }

  /**
   * Applies a batch of events under the consent it carries. With
   * personalization granted (and no Global Privacy Control) the events shape
   * the profile; without it, the profile there was is deleted and none is
   * started. With analytics granted (and no objection), the new events go to
   * the event log. Resolves once the result is durable in this object's storage.
   */
  async apply(vid: string, sid: string, events: TrackedEvent[], categories: Record<string, string>, consent: BatchConsent): Promise<BatchResult> {
    // The KV reads and writes below would let another batch in half-way; one batch at a time, start to finish.
    const { result, send } = await this.ctx.blockConcurrencyWhile(() => this.applyNow(vid, sid, events, categories, consent));
    // After the answer, and outside the lock: a slow queue delays neither this shopper nor their next batch.
    if (send.length) this.ctx.waitUntil(this.send(send));
    return result;
  }

  private async applyNow(
    vid: string,
    sid: string,
    events: TrackedEvent[],
    categories: Record<string, string>,
    batchConsent: BatchConsent,
  ): Promise<{ result: BatchResult; send: LogRecord[] }> {
    const now = Date.now();
    const storage = this.ctx.storage;
    const state = await storage.get<VisitorState>('state');
    const nothing = { send: [] };
    // An erased visitor stays erased: late or retried batches for the id are dropped.
    if (state?.erasedAt) return { result: { accepted: 0, duplicates: 0, kept: false, erased: true }, ...nothing };
    // A visitor who objected gets no profile, whatever the page claims, and their events do not train the model either.
    if (state?.objectedAt) return { result: { accepted: events.length, duplicates: 0, kept: false, objected: true }, ...nothing };
    const consent = recordConsent(state?.consent ?? {}, batchConsent, now);
    const logging = batchConsent.purposes.includes('analytics') && !batchConsent.gpc;
    const personal = consent.personalization?.granted === true;

    // Records the queue confirmed since the last write leave the outbox now, in this write.
    const outbox = (state?.outbox ?? []).filter((record) => !this.confirmed.has(record.id));
    if (logging && outbox.length >= MAX_OUTBOX) {
      return { result: { accepted: 0, duplicates: 0, kept: false, backlogged: true }, ...nothing };
    }

    let profile: Profile | null = null;
    let pending: Pending | null = null;
    let fresh: TrackedEvent[];
    let seen = state?.seen;
    let profileChanged = false;
    if (personal) {
      // A visitor whose object has no state yet may still have a profile in KV (written before this object existed).
      const stored = state ? null : await readSnapshot(this.env.PROFILES, vid);
      const current = state ? state.profile : stored === 'objected' ? null : stored;
      const previous = current ?? emptyProfile(Math.floor(now / 1000));
      // Own keys only: an item called "constructor" has no category, not Object.prototype's.
      const applied = applyEvents(previous, events, sid, Math.floor(now / 1000), (item) => (Object.hasOwn(categories, item) ? categories[item] : undefined));
      ({ profile, fresh } = applied);
      pending = withChange(state?.pending ?? null, urgency(current, applied.profile), now);
      profileChanged = applied.accepted > 0 || !current;
      // The profile counts resends from now on; a `seen` of the time without one is no longer needed.
      seen = undefined;
    } else {
      // Never granted: nothing is stored about this visitor unless their events are logged. Withdrawn: the profile goes,
      // here and in KV; the consent record stays for the retention period.
      if (state?.profile) await deleteProfile(this.env.PROFILES, vid);
      if (logging) ({ fresh, seen } = freshEvents(state?.seen ?? '', events));
      else fresh = [];
    }

    const records = logging ? logRecords(vid, sid, fresh) : [];
    // Measured as the log is: what the new events count for in the experiments the visitor's decisions ran.
    let attribution = state?.attribution;
    let delivery: Delivery | undefined;
    if (logging && attribution && fresh.length) {
      const config = (await loadExperiments(this.env.MODELS, Number(this.env.HOLDOUT_SHARE))).value;
      const attributed = attributeEvents(attribution, fresh, config, now);
      attribution = attributed.state;
      if (attributed.rows.length) delivery = { id: deliveryId(vid, fresh[0]!.id), rows: attributed.rows };
    }
    const tallies = this.unconfirmedTallies(state, delivery);
    const trimmed = outbox.length !== (state?.outbox?.length ?? 0) || tallies.length !== (state?.tallies?.length ?? 0);
    const changed =
      !state || profileChanged || records.length > 0 || consent !== state?.consent || trimmed || Boolean(delivery) || attribution !== state?.attribution || (!personal && Boolean(state?.profile));
    const result: BatchResult = {
      accepted: personal || logging ? fresh.length : events.length,
      duplicates: personal || logging ? events.length - fresh.length : 0,
      kept: personal,
    };
    if (!changed) return { result, ...nothing };
    if (!state && !personal && !records.length) return { result, ...nothing };

    const logDays = records.length ? withDay(state?.logDays, dayOf(now), now, this.logRetentionDays()) : state?.logDays;
    const next: VisitorState = {
      vid,
      profile,
      consent,
      pending: personal ? pending : null,
      ...(outbox.length || records.length ? { outbox: [...outbox, ...records] } : {}),
      ...(logDays?.length ? { logDays } : {}),
      ...(seen ? { seen } : {}),
      ...(attribution && logging ? { attribution } : {}),
      ...(tallies.length ? { tallies } : {}),
      at: now,
    };
    await storage.put('state', next);
    this.forgetConfirmed(next);
    await this.scheduleAlarm(next, now);
    return { result, send: records };
  }

  /**
   * One alarm for everything timed: a pending snapshot's write, a resend of
   * what the log has not confirmed, else the retention check.
   */
  private async scheduleAlarm(state: VisitorState, now: number): Promise<void> {
    const storage = this.ctx.storage;
    const scheduled = await storage.getAlarm();
    let wanted = state.pending ? this.writeAt(state.pending) : (scheduled ?? this.expiresAt(state));
    // Confirmed or not, the outbox is looked at once the visitor is idle: a confirmed record leaves it, another is resent.
    if (state.outbox?.length) wanted = Math.min(wanted, now + Number(this.env.SNAPSHOT_IDLE_SECONDS) * 1000);
    if (state.tallies?.length) wanted = Math.min(wanted, now + Number(this.env.COUNTER_FLUSH_SECONDS) * 1000);
    if (scheduled === null || scheduled > wanted) await storage.setAlarm(wanted);
  }

  /** When everything held about an active visitor is deleted: the retention period after their last change. */
  private expiresAt(state: VisitorState): number {
    const last = state.profile ? state.profile.at * 1000 : Math.max(state.at ?? 0, ...Object.values(state.consent).map((entry) => entry.at));
    return last + this.ttlMs();
  }

  /** Forgets confirmations of records and deliveries no longer waiting (one still there leaves at the next write). */
  private forgetConfirmed(state: VisitorState): void {
    const kept = new Set([...(state.outbox ?? []), ...(state.tallies ?? [])].map((waiting) => waiting.id));
    for (const id of this.confirmed) if (!kept.has(id)) this.confirmed.delete(id);
  }

  /** The counter deliveries still waiting for their shard, with `added` merged into the last one unless that was sent. */
  private unconfirmedTallies(state: VisitorState | undefined, added?: Delivery): NonNullable<VisitorState['tallies']> {
    const waiting = (state?.tallies ?? []).filter((delivery) => !this.confirmed.has(delivery.id));
    const last = waiting.at(-1);
    if (!added) return waiting;
    if (!last || last.sent) return [...waiting, added];
    return [...waiting.slice(0, -1), { id: last.id, rows: merge([...last.rows, ...added.rows]) }];
  }

  /** Sends counter deliveries to the visitor's shard; those confirmed are remembered until the next write. */
  private async tally(vid: string, deliveries: readonly Delivery[]): Promise<boolean> {
    try {
      const shard = counterShard(this.env, shardOf(vid));
      for (const { id, rows } of deliveries) {
        await shard.add({ id, rows });
        this.confirmed.add(id);
      }
      return true;
    } catch (err) {
      console.error('rapport: a counter shard refused a delivery; it stays in the state row', err);
      return false;
    }
  }

  /**
   * Records a decision the visitor was shown (after the decide answered):
   * what was shown where and under which arms, and their exposure to the
   * sticky experiments. Nothing is kept for a visitor who was erased or
   * objected, or who has neither a profile nor events logged (never measured).
   */
  async recordDecision(vid: string, decision: DecisionRecord): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const storage = this.ctx.storage;
      const state = await storage.get<VisitorState>('state');
      if (state?.erasedAt || state?.objectedAt || state?.consent.analytics?.granted === false) return;
      const now = Date.now();
      const config = (await loadExperiments(this.env.MODELS, Number(this.env.HOLDOUT_SHARE))).value;
      const recorded = recordDecision(state?.attribution ?? { decisions: [], exposures: {} }, decision, config);
      // Frequency caps: a cap reached goes into the profile and reaches KV at once, so the next decision honours it.
      const counted = countShown(recorded.state.shown ?? {}, decision, config.caps);
      recorded.state.shown = counted.shown;
      let { profile, pending } = state ?? { profile: null, pending: null };
      const nowSeconds = Math.floor(now / 1000);
      const capped = Object.fromEntries(Object.entries({ ...profile?.capped, ...counted.reached }).filter(([, until]) => until > nowSeconds));
      if (profile && JSON.stringify(capped) !== JSON.stringify(profile.capped ?? {})) {
        profile = { ...profile, capped };
        pending = withChange(pending, 'now', now);
      }
      const added = recorded.rows.length ? { id: deliveryId(vid, decision.id), rows: recorded.rows } : undefined;
      const tallies = this.unconfirmedTallies(state, added);
      // The decision goes to the event log with its arms and their probabilities (a full outbox skips it: never a decide refused).
      const outbox = (state?.outbox ?? []).filter((record) => !this.confirmed.has(record.id));
      const log = outbox.length < MAX_OUTBOX ? [decisionRecord(vid, decision)] : [];
      const logDays = log.length ? withDay(state?.logDays, dayOf(now), now, this.logRetentionDays()) : state?.logDays;
      const next: VisitorState = {
        ...(state ?? { vid, profile: null, consent: {}, pending: null }),
        profile,
        pending,
        attribution: recorded.state,
        ...(tallies.length ? { tallies } : {}),
        ...(outbox.length || log.length ? { outbox: [...outbox, ...log] } : {}),
        ...(logDays?.length ? { logDays } : {}),
        at: state?.at ?? now,
      };
      if (!tallies.length) delete next.tallies;
      if (!next.outbox?.length) delete next.outbox;
      await storage.put('state', next);
      this.forgetConfirmed(next);
      await this.scheduleAlarm(next, now);
    });
    // Nothing is sent now: the decision's log record and counts leave with the visitor's next ones, by the alarm.
  }

  /** Sends log records to the queue, one message per {@link RECORDS_PER_MESSAGE}; those confirmed are remembered until the next write. */
  private async send(records: readonly LogRecord[]): Promise<boolean> {
    try {
      for (let i = 0; i < records.length; i += RECORDS_PER_MESSAGE) {
        const chunk = records.slice(i, i + RECORDS_PER_MESSAGE);
        await this.env.EVENT_LOG.send({ records: chunk } satisfies LogMessage, { contentType: 'json' });
        for (const record of chunk) this.confirmed.add(record.id);
      }
      return true;
    } catch (err) {
      // The records are in the outbox: the alarm sends them again.
      console.error('rapport: the event log queue refused a send; the records stay in the outbox', err);
      return false;
    }
  }

  /** Writes a pending snapshot once it is due, resends the outbox, or erases everything once the retention period has passed. */
  override alarm(): Promise<void> {
    // A batch must not land between reading the state and writing it back.
    return this.ctx.blockConcurrencyWhile(() => this.alarmNow());
  }

  private async alarmNow(): Promise<void> {
    const storage = this.ctx.storage;
    const state = await storage.get<VisitorState>('state');
    if (!state) return;
    if (state.erasedAt || state.objectedAt) {
      // Counts the erasure took back, not yet confirmed by the shard: again, then wait for the id to expire.
      if (state.tallies?.length) {
        const flushed = await this.tally(state.vid, state.tallies);
        const { tallies: _sent, ...rest } = state;
        await storage.put('state', flushed ? rest : state);
        await storage.setAlarm(flushed ? (state.until ?? Date.now()) : Date.now() + RESEND_RETRY_MS);
        return;
      }
      // A tombstone's or an objection's alarm: the id has expired, so nothing it could send is accepted any more.
      return storage.deleteAll();
    }
    const now = Date.now();
    let next = state;
    let retryAt: number | null = null;
    if (state.outbox?.length) {
      const unsent = state.outbox.filter((record) => !this.confirmed.has(record.id));
      // What no confirmation was seen for goes again (a repeat is dropped by the log's readers).
      if (unsent.length && !(await this.send(unsent))) retryAt = now + RESEND_RETRY_MS;
      const left = state.outbox.filter((record) => !this.confirmed.has(record.id));
      // A resend lands in today's partition: erasure must look there too.
      const logDays = unsent.length > left.length ? withDay(state.logDays, dayOf(now), now, this.logRetentionDays()) : state.logDays;
      next = { ...state, outbox: left, ...(logDays?.length ? { logDays } : {}) };
      if (!left.length) delete next.outbox;
    }
    if (next.tallies?.length) {
      const unsent = next.tallies.filter((delivery) => !this.confirmed.has(delivery.id));
      if (unsent.length && !(await this.tally(state.vid, unsent))) retryAt = now + RESEND_RETRY_MS;
      // Whatever was sent may have been applied, so it never changes again: new rows start a new delivery.
      const left = next.tallies.filter((delivery) => !this.confirmed.has(delivery.id)).map((delivery) => ({ ...delivery, sent: true as const }));
      next = { ...next, tallies: left };
      if (!left.length) delete next.tallies;
    }
    const expiresAt = this.expiresAt(state);
    if (now >= expiresAt && !next.outbox?.length && !next.tallies?.length) {
      if (state.profile) await deleteProfile(this.env.PROFILES, state.vid);
      await storage.deleteAll();
      return;
    }
    if (next.profile && next.pending) {
      const due = this.writeAt(next.pending);
      if (now >= due) {
        await writeProfile(this.env.PROFILES, next.vid, snapshotOf(next.profile), Number(this.env.PROFILE_TTL_DAYS));
        this.lastWriteAt = now;
        next = { ...next, pending: null };
      } else {
        // Still active: look again once the visitor has been idle long enough.
        retryAt = Math.min(retryAt ?? due, due);
      }
    }
    if (next !== state) await storage.put('state', next);
    this.forgetConfirmed(next);
    // Wake again when the profile would expire, unless new events or a resend move that on.
    await storage.setAlarm(Math.min(retryAt ?? expiresAt, expiresAt));
  }

  /**
   * Erases everything held about this visitor, here, in KV and in the event
   * log, and keeps only a tombstone (the time of erasure) until
   * `idExpiresAt`, when the id itself stops being accepted: until then any
   * late or retried batch is dropped rather than starting a new profile.
   * Returns when the erasure is durable.
   */
  async erase(vid: string, idExpiresAt: number): Promise<void> {
    await this.clearAndMark(vid, idExpiresAt, { erasedAt: Date.now() });
    await deleteProfile(this.env.PROFILES, vid);
  }

  /**
   * Records the visitor's objection to personalization (GDPR Art. 21): the
   * profile goes, here and in KV, and no batch builds a new one; their events
   * stop reaching the event log and those logged leave it as an erased
   * visitor's do (the log trains the personalization they objected to). KV
   * keeps a marker in the profile's place, so decisions, which read only KV,
   * stop personalizing at once. Only the time of the objection is kept, for
   * as long as the id is accepted.
   */
  async object(vid: string, idExpiresAt: number): Promise<void> {
    const objectedAt = Date.now();
    await this.clearAndMark(vid, idExpiresAt, { objectedAt });
    await markObjection(this.env.PROFILES, vid, objectedAt, idExpiresAt);
  }

  /**
   * Takes the visitor out of the event log, then replaces everything this
   * object holds with `mark` (and the id), until the id expires, when the
   * alarm clears it too. The log's tombstone is written first: from then on
   * no training run reads the visitor's events, and the log's compaction
   * deletes their bytes (`log/compaction.ts`).
   */
  private async clearAndMark(vid: string, idExpiresAt: number, mark: Pick<VisitorState, 'erasedAt' | 'objectedAt'>): Promise<void> {
    const retracted = await this.ctx.blockConcurrencyWhile(async () => {
      const storage = this.ctx.storage;
      const now = Date.now();
      const state = await storage.get<VisitorState>('state');
      // Records still in the outbox may have been sent today without a confirmation seen.
      const days = [...(state?.logDays ?? []), ...(state?.outbox?.length ? [dayOf(now)] : [])];
      if (days.length) {
        const tombstone: Tombstone = { vid, erasedAt: now, days: [...new Set(days)].sort() };
        await this.env.LOG.put(tombstoneKey(vid), JSON.stringify(tombstone), { httpMetadata: { contentType: 'application/json' } });
      }
      // The visitor leaves the experiments' counters too: what was counted for them is taken back (counter.ts applies it once).
      const rows = state?.attribution ? retraction(state.attribution) : [];
      const tallies = [...(state?.tallies ?? []).filter((delivery) => !this.confirmed.has(delivery.id)), ...(rows.length ? [{ id: deliveryId(vid, 'retracted'), rows }] : [])];
      await storage.deleteAll();
      await storage.put('state', { vid, profile: null, consent: {}, pending: null, ...mark, until: idExpiresAt, ...(tallies.length ? { tallies } : {}) } satisfies VisitorState);
      await storage.setAlarm(tallies.length ? now + RESEND_RETRY_MS : Math.max(idExpiresAt, now + 1000));
      return tallies;
    });
    // Sent at once; should a shard not answer, the alarm sends them again.
    if (retracted.length && (await this.tally(vid, retracted))) {
      await this.ctx.blockConcurrencyWhile(async () => {
        const state = await this.ctx.storage.get<VisitorState>('state');
        if (!state?.tallies) return;
        const { tallies: _sent, ...rest } = state;
        await this.ctx.storage.put('state', rest);
        await this.ctx.storage.setAlarm(Math.max(idExpiresAt, Date.now() + 1000));
      });
    }
  }

  /** Everything this object holds about the visitor (the profile is ahead of KV's snapshot while changes are pending). */
  async exportState(): Promise<VisitorState | null> {
    return (await this.ctx.storage.get<VisitorState>('state')) ?? null;
  }

  /** The state and the alarm, for tests and diagnostics. */
  async inspect(): Promise<{ state: VisitorState | null; alarm: number | null; lastWriteAt: number }> {
    return { state: (await this.ctx.storage.get<VisitorState>('state')) ?? null, alarm: await this.ctx.storage.getAlarm(), lastWriteAt: this.lastWriteAt };
  }
}
