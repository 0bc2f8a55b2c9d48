/**
 * Abuse limits with the Workers Rate Limiting bindings (wrangler.toml): per
 * client address before a body is read, per visitor id once the body names
 * one. A refused request gets a 429 with `Retry-After` (exposed to the SDK
 * cross-origin, see `origins.ts`), and the SDK waits that long.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';
import { PUBLIC_PATHS } from './origins';

/** The bindings' period, in seconds (wrangler.toml): how long a refused client should wait. */
export const RATE_LIMIT_PERIOD_S = 10;

function tooMany(who: string): ApiError {
  return new ApiError(429, 'rate_limited', `Too many requests from this ${who}; retry after ${RATE_LIMIT_PERIOD_S} s`, undefined, {
    'Retry-After': String(RATE_LIMIT_PERIOD_S),
  });
}

/**
 * Counts the request against its client address (`CF-Connecting-IP`, which
 * Cloudflare and wrangler dev set; a request without one came from inside the
 * runtime and is not counted), except on public routes. `RATE_LIMIT_ADDRESSES =
 * "off"` lifts it.
 */
export const limitAddress: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const address = c.req.header('cf-connecting-ip');
  const counted = address && c.env.RATE_LIMIT_ADDRESSES !== 'off' && !PUBLIC_PATHS.has(c.req.path);
  if (counted && !(await c.env.ADDRESS_RATE_LIMIT.limit({ key: `address:${address}` })).success) {
    throw tooMany('address');
  }
  await next();
};

/** Counts a request against the visitor id it names, if any; throws the 429 when over the limit. */
export async function limitVisitor(env: Env, vid: string | undefined): Promise<void> {
  if (vid && !(await env.VISITOR_RATE_LIMIT.limit({ key: `visitor:${vid}` })).success) throw tooMany('visitor');
}
