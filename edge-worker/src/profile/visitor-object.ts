/**
 * One Durable Object per visitor: the single writer of that visitor's
 * profile. Batches arriving together are applied one after another against
 * durable storage (no lost update), and the profile is copied to KV, where
 * decisions read it, at most once per second (KV's per-key write limit). The
 * object deletes itself when the retention period passes without activity.
 */
import { DurableObject } from 'cloudflare:workers';
import type { TrackedEvent } from '../contract/schemas';
import { applyEvents, emptyProfile, type Applied, type Profile } from './profile';
import { deleteProfile, readProfile, writeProfile } from './store';

/** Shortest gap between two KV writes of one profile. */
export const KV_WRITE_INTERVAL_MS = 1000;

/** What the object keeps in its storage besides the profile. */
interface Meta {
  /** Epoch ms of the last KV write. */
  flushedAt: number;
  /** Epoch ms of the latest KV writes, newest last (diagnostics: shows the write rate). */
  writes: number[];
  /** The profile changed since it was last written to KV. */
  dirty: boolean;
}

/** The result of a batch, as the collect route reports it; `erased` when the visitor was erased and the batch dropped. */
export type BatchResult = Pick<Applied, 'accepted' | 'duplicates'> & { erased?: true; objected?: true };

export class VisitorProfile extends DurableObject<Env> {
  private ttlMs(): number {
    return Number(this.env.PROFILE_TTL_DAYS) * 86_400_000;
  }

  /**
   * Applies a batch of events. Resolves once the new profile is durable in
   * this object's storage; the KV copy follows within a second.
   */
  apply(vid: string, sid: string, events: TrackedEvent[], categories: Record<string, string>): Promise<BatchResult> {
    // The KV read below would let another batch in half-way; one batch at a time, start to finish.
    return this.ctx.blockConcurrencyWhile(() => this.applyNow(vid, sid, events, categories));
  }

  private async applyNow(vid: string, sid: string, events: TrackedEvent[], categories: Record<string, string>): Promise<BatchResult> {
    const now = Date.now();
    const storage = this.ctx.storage;
    // An erased visitor stays erased: late or retried batches for the id are dropped.
    if (await storage.get<number>('erasedAt')) return { accepted: 0, duplicates: 0, erased: true };
    // A visitor who objected to personalization gets no profile, whatever the page claims.
    if (await storage.get<number>('objectedAt')) return { accepted: events.length, duplicates: 0, objected: true };
    // A visitor whose object has no state yet may still have a profile in KV (written before this object existed).
    const current = (await storage.get<Profile>('profile')) ?? (await readProfile(this.env.PROFILES, vid));
    const previous = current ?? emptyProfile(Math.floor(now / 1000));
    // Own keys only: an item called "constructor" has no category, not Object.prototype's.
    const applied = applyEvents(previous, events, sid, Math.floor(now / 1000), (item) => (Object.hasOwn(categories, item) ? categories[item] : undefined));
    if (applied.accepted === 0 && current) return { accepted: 0, duplicates: applied.duplicates };

    const meta = (await storage.get<Meta>('meta')) ?? { flushedAt: 0, writes: [], dirty: false };
    await storage.put({ profile: applied.profile, vid, meta: { ...meta, dirty: true } });
    const due = Math.max(now, meta.flushedAt + KV_WRITE_INTERVAL_MS);
    const scheduled = await storage.getAlarm();
    if (scheduled === null || scheduled > due) await storage.setAlarm(due);
    return { accepted: applied.accepted, duplicates: applied.duplicates };
  }

  /** Writes a pending profile to KV, or erases everything once the retention period has passed. */
  override async alarm(): Promise<void> {
    const storage = this.ctx.storage;
    // A tombstone's or an objection's alarm: the id has expired, so nothing it could send is accepted any more.
    if ((await storage.get<number>('erasedAt')) || (await storage.get<number>('objectedAt'))) return storage.deleteAll();
    const [profile, vid, meta] = await Promise.all([storage.get<Profile>('profile'), storage.get<string>('vid'), storage.get<Meta>('meta')]);
    if (!profile || !vid) return;
    const now = Date.now();
    const expiresAt = profile.at * 1000 + this.ttlMs();
    if (now >= expiresAt) {
      await deleteProfile(this.env.PROFILES, vid);
      await storage.deleteAll();
      return;
    }
    if (meta?.dirty) {
      await writeProfile(this.env.PROFILES, vid, profile, Number(this.env.PROFILE_TTL_DAYS));
      await storage.put('meta', { flushedAt: now, writes: [...(meta.writes ?? []), now].slice(-20), dirty: false } satisfies Meta);
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
  erase(vid: string, idExpiresAt: number): Promise<void> {
    return this.clearAndMark(vid, idExpiresAt, 'erasedAt');
  }

  /**
   * Records the visitor's objection to personalization (GDPR Art. 21): the
   * profile goes, here and in KV, and no batch builds a new one. Only the
   * time of the objection is kept, for as long as the id is accepted.
   */
  object(vid: string, idExpiresAt: number): Promise<void> {
    return this.clearAndMark(vid, idExpiresAt, 'objectedAt');
  }

  /** Deletes the profile here and in KV, keeping only `mark` (now) until the id expires, when the alarm clears it too. */
  private clearAndMark(vid: string, idExpiresAt: number, mark: 'erasedAt' | 'objectedAt'): Promise<void> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const storage = this.ctx.storage;
      await storage.deleteAlarm();
      await storage.deleteAll();
      await storage.put(mark, Date.now());
      await deleteProfile(this.env.PROFILES, vid);
      await storage.setAlarm(Math.max(idExpiresAt, Date.now() + 1000));
    });
  }

  /** The profile as this object holds it (ahead of KV by up to a second), and when the visitor erased it or objected. */
  async exportProfile(): Promise<{ profile: Profile | null; erasedAt: number | null; objectedAt: number | null }> {
    const storage = this.ctx.storage;
    return {
      profile: (await storage.get<Profile>('profile')) ?? null,
      erasedAt: (await storage.get<number>('erasedAt')) ?? null,
      objectedAt: (await storage.get<number>('objectedAt')) ?? null,
    };
  }

  /** The profile as this object holds it (ahead of KV by up to a second), and its write bookkeeping. */
  async inspect(): Promise<{ profile: Profile | null; meta: Meta | null; alarm: number | null }> {
    const storage = this.ctx.storage;
    return { profile: (await storage.get<Profile>('profile')) ?? null, meta: (await storage.get<Meta>('meta')) ?? null, alarm: await storage.getAlarm() };
  }
}
