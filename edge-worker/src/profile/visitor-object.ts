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
 * pending snapshot, and delete everything when the retention period passes.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Purpose } from '../../../sdk/src/wire';
import type { TrackedEvent } from '../contract/schemas';
import { applyEvents, emptyProfile, type Applied, type Profile } from './profile';
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
  /** The visitor was erased: the batch is dropped. */
  erased?: true;
  /** The visitor objected to personalization. */
  objected?: true;
};

const PURPOSES: readonly Purpose[] = ['analytics', 'personalization'];

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

  private ttlMs(): number {
    return Number(this.env.PROFILE_TTL_DAYS) * 86_400_000;
  }

  /** When the pending snapshot is due, with the configured idle time (see snapshot.ts). */
  private writeAt(pending: Pending): number {
    return writeAt(pending, this.lastWriteAt, Number(this.env.SNAPSHOT_IDLE_SECONDS) * 1000);
  }

  /**
   * Applies a batch of events under the consent it carries. With
   * personalization granted (and no Global Privacy Control) the events shape
   * the profile; without it, the profile there was is deleted and none is
   * started. Resolves once the result is durable in this object's storage.
   */
  apply(vid: string, sid: string, events: TrackedEvent[], categories: Record<string, string>, consent: BatchConsent): Promise<BatchResult> {
    // The KV reads and writes below would let another batch in half-way; one batch at a time, start to finish.
    return this.ctx.blockConcurrencyWhile(() => this.applyNow(vid, sid, events, categories, consent));
  }

  private async applyNow(vid: string, sid: string, events: TrackedEvent[], categories: Record<string, string>, batchConsent: BatchConsent): Promise<BatchResult> {
    const now = Date.now();
    const storage = this.ctx.storage;
    const state = await storage.get<VisitorState>('state');
    const refusedAll = { accepted: events.length, duplicates: 0, kept: false };
    // An erased visitor stays erased: late or retried batches for the id are dropped.
    if (state?.erasedAt) return { accepted: 0, duplicates: 0, kept: false, erased: true };
    // A visitor who objected to personalization gets no profile, whatever the page claims.
    if (state?.objectedAt) return { ...refusedAll, objected: true };
    const consent = recordConsent(state?.consent ?? {}, batchConsent, now);

    if (!consent.personalization?.granted) {
      // Never granted: nothing is stored about this visitor. Withdrawn: the profile goes, here and in KV;
      // only the consent record stays, for the retention period.
      if (!state) return refusedAll;
      if (state.profile) await deleteProfile(this.env.PROFILES, vid);
      if (state.profile || consent !== state.consent) {
        await storage.put('state', { vid, profile: null, consent, pending: null } satisfies VisitorState);
        await storage.setAlarm(now + this.ttlMs());
      }
      return refusedAll;
    }

    // A visitor whose object has no state yet may still have a profile in KV (written before this object existed).
    const stored = state ? null : await readSnapshot(this.env.PROFILES, vid);
    const current = state ? state.profile : stored === 'objected' ? null : stored;
    const previous = current ?? emptyProfile(Math.floor(now / 1000));
    // Own keys only: an item called "constructor" has no category, not Object.prototype's.
    const applied = applyEvents(previous, events, sid, Math.floor(now / 1000), (item) => (Object.hasOwn(categories, item) ? categories[item] : undefined));
    if (applied.accepted === 0 && current && consent === state?.consent) return { accepted: 0, duplicates: applied.duplicates, kept: true };

    const pending = withChange(state?.pending ?? null, urgency(current, applied.profile), now);
    await storage.put('state', { vid, profile: applied.profile, consent, pending } satisfies VisitorState);
    // One alarm: the pending snapshot's write if there is one, else the retention check.
    const scheduled = await storage.getAlarm();
    const wanted = pending ? this.writeAt(pending) : (scheduled ?? applied.profile.at * 1000 + this.ttlMs());
    if (scheduled === null || scheduled > wanted) await storage.setAlarm(wanted);
    return { accepted: applied.accepted, duplicates: applied.duplicates, kept: true };
  }

  /** Writes a pending snapshot once it is due, or erases everything once the retention period has passed. */
  override alarm(): Promise<void> {
    // A batch must not land between reading the state and writing it back.
    return this.ctx.blockConcurrencyWhile(() => this.alarmNow());
  }

  private async alarmNow(): Promise<void> {
    const storage = this.ctx.storage;
    const state = await storage.get<VisitorState>('state');
    if (!state) return;
    // A tombstone's or an objection's alarm: the id has expired, so nothing it could send is accepted any more.
    // Without a profile, only a withdrawn visitor's consent record is left, and its retention has passed.
    if (state.erasedAt || state.objectedAt || !state.profile) return storage.deleteAll();
    const now = Date.now();
    const expiresAt = state.profile.at * 1000 + this.ttlMs();
    if (now >= expiresAt) {
      await deleteProfile(this.env.PROFILES, state.vid);
      await storage.deleteAll();
      return;
    }
    if (state.pending) {
      const due = this.writeAt(state.pending);
      // Still active: look again once the visitor has been idle long enough.
      if (now < due) return storage.setAlarm(due);
      await writeProfile(this.env.PROFILES, state.vid, snapshotOf(state.profile), Number(this.env.PROFILE_TTL_DAYS));
      this.lastWriteAt = now;
      await storage.put('state', { ...state, pending: null } satisfies VisitorState);
    }
    // Wake again when the profile would expire, unless new events move that on.
    await storage.setAlarm(expiresAt);
  }

  /**
   * Erases everything held about this visitor, here and in KV, and keeps only
   * a tombstone (the time of erasure) until `idExpiresAt`, when the id itself
   * stops being accepted: until then any late or retried batch is dropped
   * rather than starting a new profile. Returns when the erasure is durable.
   * Once an event log exists, its erasure hook belongs here too.
   */
  async erase(vid: string, idExpiresAt: number): Promise<void> {
    await this.clearAndMark(vid, idExpiresAt, { erasedAt: Date.now() });
    await deleteProfile(this.env.PROFILES, vid);
  }

  /**
   * Records the visitor's objection to personalization (GDPR Art. 21): the
   * profile goes, here and in KV, and no batch builds a new one. KV keeps a
   * marker in the profile's place, so decisions, which read only KV, stop
   * personalizing at once. Only the time of the objection is kept, for as
   * long as the id is accepted.
   */
  async object(vid: string, idExpiresAt: number): Promise<void> {
    const objectedAt = Date.now();
    await this.clearAndMark(vid, idExpiresAt, { objectedAt });
    await markObjection(this.env.PROFILES, vid, objectedAt, idExpiresAt);
  }

  /** Replaces everything this object holds with `mark` (and the id), until the id expires, when the alarm clears it too. */
  private clearAndMark(vid: string, idExpiresAt: number, mark: Pick<VisitorState, 'erasedAt' | 'objectedAt'>): Promise<void> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const storage = this.ctx.storage;
      await storage.deleteAll();
      await storage.put('state', { vid, profile: null, consent: {}, pending: null, ...mark } satisfies VisitorState);
      await storage.setAlarm(Math.max(idExpiresAt, Date.now() + 1000));
    });
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
