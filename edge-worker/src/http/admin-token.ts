/**
 * The admin API's gate: `Authorization: Bearer <token>` against the
 * `ADMIN_TOKEN` secret (`wrangler secret put ADMIN_TOKEN`; `npm start` and the
 * tests supply a development token), or for reading only (GET: the report,
 * the published status) against the optional `ADMIN_READ_TOKEN`. Several tokens may be listed,
 * comma-separated, so a new one can be handed out before the old one is
 * dropped. Without a usable setting the admin API answers 503, never opens.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

/** The secrets the gate reads: full tokens, and read-only ones (optional) that may only read (GET). */
export interface AdminEnv {
  ADMIN_TOKEN?: string;
  ADMIN_READ_TOKEN?: string;
}

/** Shortest token accepted: guessing must be hopeless even at the rate limit's pace. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

const encoder = new TextEncoder();
const digests = new Map<string, Promise<ArrayBuffer[]>>();

/** The digests of the tokens an `ADMIN_TOKEN` setting lists, once per isolate and setting; a 503 when it lists none or one too short. */
function configuredDigests(setting: string): Promise<ArrayBuffer[]> {
  let known = digests.get(setting);
  if (!known) {
    known = Promise.all(configuredTokens(setting).map(sha256));
    digests.set(setting, known);
  }
  return known;
}

function configuredTokens(setting: string): string[] {
  const tokens = setting.split(',').map((token) => token.trim()).filter(Boolean);
  if (!tokens.length) {
    throw new ApiError(503, 'not_configured', 'ADMIN_TOKEN is not set, so the admin API is closed: give the Worker a token with `wrangler secret put ADMIN_TOKEN`');
  }
  if (tokens.some((token) => token.length < MIN_ADMIN_TOKEN_LENGTH || /\s/.test(token))) {
    throw new ApiError(503, 'not_configured', `ADMIN_TOKEN must list tokens of at least ${MIN_ADMIN_TOKEN_LENGTH} characters without spaces, comma-separated`);
  }
  return tokens;
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/**
 * Whether `presented` hashes to one of `digests` (SHA-256 of the configured
 * tokens). Digests are compared with `timingSafeEqual`, all of them, so the
 * time taken reveals neither a token's content nor its length.
 */
async function matchesAny(presented: string, digests: readonly ArrayBuffer[]): Promise<boolean> {
  const digest = await sha256(presented);
  let match = false;
  for (const configured of digests) match = crypto.subtle.timingSafeEqual(digest, configured) || match;
  return match;
}

function unauthorized(code: string, message: string): ApiError {
  return new ApiError(401, code, message, undefined, { 'WWW-Authenticate': 'Bearer realm="rapport-admin"' });
}

/**
 * Lets a request through only with a configured admin token, checked before
 * anything reads the body: 503 when none is configured, 401 for a missing
 * token, another scheme or a wrong token. Admin answers are never cached.
 */
export const requireAdminToken: MiddlewareHandler<{ Bindings: AdminEnv }> = async (c, next) => {
  const configured = await configuredDigests(c.env.ADMIN_TOKEN ?? '');
  const presented = /^Bearer +(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!presented) throw unauthorized('missing_admin_token', 'Send the admin token as `Authorization: Bearer <token>`');
  const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
  // A read-only token (the dashboard's, an analyst's) reads; it never publishes, activates or rolls back.
  const readOnly = c.env.ADMIN_READ_TOKEN ? await configuredDigests(c.env.ADMIN_READ_TOKEN) : [];
  if (!reading && !(await matchesAny(presented, configured)) && (await matchesAny(presented, readOnly))) {
    throw new ApiError(403, 'read_only_token', 'This token may only read (GET); publishing, activating and rolling back need ADMIN_TOKEN');
  }
  if (!(await matchesAny(presented, reading ? [...configured, ...readOnly] : configured))) {
    console.warn(`rapport: refused an admin request with a wrong token: ${c.req.method} ${c.req.path}`);
    throw unauthorized('invalid_admin_token', 'The admin token is not valid');
  }
  c.header('Cache-Control', 'no-store');
  await next();
};
