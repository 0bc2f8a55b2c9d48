/**
 * Profile snapshots in Workers KV, what decisions read: one key per
 * pseudonymous visitor, expiring PROFILE_TTL_DAYS after the last write. A
 * visitor who objected to personalization has a marker in its place until
 * their id expires, so that decisions stop personalizing at once.
 */
import type { Profile } from './profile';

/** Prefix of every profile's KV key. */
export const PROFILE_KV_PREFIX = 'p:';

/** The KV key of a visitor's profile. */
export function profileKey(vid: string): string {
  return PROFILE_KV_PREFIX + vid;
}

/** Whether a stored value has the profile's shape (a damaged one is treated as unknown). */
export function isProfile(value: unknown): value is Profile {
  const p = value as Profile | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    p.v === 1 &&
    Array.isArray(p.recent) &&
    typeof p.cats === 'object' &&
    Array.isArray(p.cart) &&
    Array.isArray(p.bought) &&
    typeof p.seen === 'string'
  );
}

/** The marker an objection leaves in the profile's place. */
interface ObjectionMarker {
  objectedAt: number;
}

/**
 * Reads a visitor's snapshot: their profile, `'objected'` when they objected
 * to personalization, or `null` when the visitor is unknown. A corrupt value
 * is logged and treated as unknown.
 */
export async function readSnapshot(kv: KVNamespace, vid: string): Promise<Profile | 'objected' | null> {
  const raw = await kv.get(profileKey(vid), 'text');
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isProfile(parsed)) return parsed;
    if (typeof (parsed as ObjectionMarker | null)?.objectedAt === 'number') return 'objected';
  } catch {
    // fall through: logged below
  }
  console.warn(`rapport: profile for ${vid.slice(0, 4)}… is unreadable; starting afresh`);
  return null;
}

/** Reads a visitor's profile; `null` when there is none (unknown, objected, or unreadable). */
export async function readProfile(kv: KVNamespace, vid: string): Promise<Profile | null> {
  const snapshot = await readSnapshot(kv, vid);
  return snapshot === 'objected' ? null : snapshot;
}

/** Puts the objection marker in the profile's place until `until` (epoch ms), when the id stops being accepted. */
export async function markObjection(kv: KVNamespace, vid: string, objectedAt: number, until: number): Promise<void> {
  await kv.put(profileKey(vid), JSON.stringify({ objectedAt } satisfies ObjectionMarker), { expiration: Math.max(Math.ceil(until / 1000), Math.ceil(Date.now() / 1000) + 60) });
}

/** Writes a profile with the retention TTL. */
export async function writeProfile(kv: KVNamespace, vid: string, profile: Profile, ttlDays: number): Promise<void> {
  await kv.put(profileKey(vid), JSON.stringify(profile), {
    expirationTtl: Math.max(60, Math.round(ttlDays * 24 * 3600)),
  });
}

/** Deletes a visitor's profile from KV. */
export async function deleteProfile(kv: KVNamespace, vid: string): Promise<void> {
  await kv.delete(profileKey(vid));
}
