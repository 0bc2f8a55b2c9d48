/**
 * Profiles in Workers KV: one key per pseudonymous visitor, expiring
 * PROFILE_TTL_DAYS after the last write.
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

/** Reads a profile; `null` when the visitor is unknown. A corrupt value is logged and treated as unknown. */
export async function readProfile(kv: KVNamespace, vid: string): Promise<Profile | null> {
  const raw = await kv.get(profileKey(vid), 'text');
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isProfile(parsed)) return parsed;
  } catch {
    // fall through: logged below
  }
  console.warn(`rapport: profile for ${vid.slice(0, 4)}… is unreadable; starting afresh`);
  return null;
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
