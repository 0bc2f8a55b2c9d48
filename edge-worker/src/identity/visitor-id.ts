/**
 * Visitor ids, issued by the Worker and never chosen by a client:
 * `<kid>.<issued at, base36 seconds>.<128 random bits>.<HMAC-SHA-256>`, the
 * last two base64url. The MAC covers the first three parts with the key named
 * by `kid`, so an id cannot be guessed, forged or altered; ids rotate with
 * their keys (sign with the newest, verify with every key still listed), and
 * removing a key revokes every id it signed.
 *
 * Keys come from the `VISITOR_ID_KEYS` secret: `kid:base64url-secret` pairs,
 * comma-separated, the first one signing (`wrangler secret put
 * VISITOR_ID_KEYS`; `npm start` and the tests supply a development key).
 */
import { PATTERNS } from '../../../sdk/src/wire';
import { ApiError } from '../http/errors';

/** The secrets a Worker needs for identity. */
export interface IdentityEnv {
  VISITOR_ID_KEYS?: string;
  /** Days after which an id is refused even with a good signature (default 395: thirteen months). */
  VISITOR_ID_MAX_AGE_DAYS?: string;
}

/** What checking a presented id found. */
export type Verdict = 'valid' | 'malformed' | 'forged' | 'revoked' | 'expired';

interface Keyring {
  signing: { kid: string; key: CryptoKey };
  byKid: ReadonlyMap<string, CryptoKey>;
}

const DEFAULT_MAX_AGE_DAYS = 395;
const KID = /^[a-z0-9]{1,8}$/;
const keyrings = new Map<string, Promise<Keyring>>();

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** The keys a `VISITOR_ID_KEYS` setting lists, imported once per isolate and setting. */
function keyring(env: IdentityEnv): Promise<Keyring> {
  const setting = env.VISITOR_ID_KEYS?.trim();
  if (!setting) {
    throw new ApiError(503, 'not_configured', 'VISITOR_ID_KEYS is not set: give the Worker its key with `wrangler secret put VISITOR_ID_KEYS` (see README → Deploy)');
  }
  let ring = keyrings.get(setting);
  if (!ring) {
    ring = (async () => {
      const byKid = new Map<string, CryptoKey>();
      let signing: Keyring['signing'] | undefined;
      for (const pair of setting.split(',')) {
        const [kid = '', secret = ''] = pair.trim().split(':');
        const bytes = fromBase64url(secret);
        if (!KID.test(kid) || bytes.length < 32) {
          throw new ApiError(503, 'not_configured', 'VISITOR_ID_KEYS must list kid:secret pairs, each kid 1-8 of a-z 0-9 and each secret at least 32 bytes, base64url');
        }
        const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
        byKid.set(kid, key);
        signing ??= { kid, key };
      }
      return { signing: signing!, byKid };
    })();
    ring.catch(() => keyrings.delete(setting));
    keyrings.set(setting, ring);
  }
  return ring;
}

/**
 * Issues a new visitor id, signed with the current key.
 * @example const vid = await issueVisitorId(env, Date.now()); // 'k1.t3x9a0.Qm9v….Zm9v…'
 */
export async function issueVisitorId(env: IdentityEnv, now: number): Promise<string> {
  const { signing } = await keyring(env);
  const body = `${signing.kid}.${Math.floor(now / 1000).toString(36)}.${base64url(crypto.getRandomValues(new Uint8Array(16)))}`;
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', signing.key, encoder.encode(body)));
  return `${body}.${base64url(mac)}`;
}

function maxAgeMs(env: IdentityEnv): number {
  return (Number(env.VISITOR_ID_MAX_AGE_DAYS ?? DEFAULT_MAX_AGE_DAYS) || DEFAULT_MAX_AGE_DAYS) * 86_400_000;
}

/** When an id was issued, and when it stops being accepted (epoch ms); the id must be well-formed. */
export function visitorIdLifetime(env: IdentityEnv, vid: string): { issuedAt: number; expiresAt: number } {
  const issuedAt = parseInt(vid.split('.')[1] ?? '0', 36) * 1000;
  return { issuedAt, expiresAt: issuedAt + maxAgeMs(env) };
}

/** Checks a presented id: its shape, its key, its signature (in constant time) and its age. */
export async function verifyVisitorId(env: IdentityEnv, vid: string, now: number): Promise<Verdict> {
  if (!PATTERNS.visitorId.test(vid)) return 'malformed';
  const { byKid } = await keyring(env);
  const [kid = '', issued = '', random = '', mac = ''] = vid.split('.');
  const key = byKid.get(kid);
  if (!key) return 'revoked';
  const authentic = await crypto.subtle.verify('HMAC', key, fromBase64url(mac), encoder.encode(`${kid}.${issued}.${random}`));
  if (!authentic) return 'forged';
  return now > visitorIdLifetime(env, vid).expiresAt ? 'expired' : 'valid';
}

/**
 * The visitor a request may act as: a valid presented id, or a newly issued
 * one when none was presented. Any other id is refused with a 401 naming why,
 * so that it never reads or writes a profile.
 */
export async function visitorFor(env: IdentityEnv, presented: string | undefined, now: number): Promise<{ vid: string; issued: boolean }> {
  if (presented === undefined) return { vid: await issueVisitorId(env, now), issued: true };
  const verdict = await verifyVisitorId(env, presented, now);
  if (verdict !== 'valid') {
    throw new ApiError(401, 'invalid_visitor_id', `The visitor id is ${verdict}; send the batch without one to be issued a new id`);
  }
  return { vid: presented, issued: false };
}

/** The presented id if it is valid, else undefined: a decision for anyone else is a new visitor's. */
export async function knownVisitor(env: IdentityEnv, presented: string | undefined, now: number): Promise<string | undefined> {
  return presented !== undefined && (await verifyVisitorId(env, presented, now)) === 'valid' ? presented : undefined;
}
