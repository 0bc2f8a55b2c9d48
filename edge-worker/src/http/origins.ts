/**
 * Which web pages may call the API: the page's own origin and the shop's
 * origins listed in `ALLOWED_ORIGINS` (comma-separated, see wrangler.toml).
 * CORS answers only those, and a browser request from any other origin is
 * refused before it reads or writes visitor data: the SDK's `text/plain`
 * POSTs are "simple" requests, which a browser sends whatever CORS says, so
 * CORS headers alone would not stop another site from writing.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { ApiError } from './errors';

/** Routes that touch no visitor data: callable from any origin, and not rate-limited (health is the runtime's floor). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/v1/health']);

const parsed = new Map<string, ReadonlySet<string>>();

/** The configured origins, parsed once per distinct setting. */
function configured(setting: string | undefined): ReadonlySet<string> {
  const key = setting ?? '';
  let origins = parsed.get(key);
  if (!origins) {
    origins = new Set(key.split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean));
    parsed.set(key, origins);
  }
  return origins;
}

/** Whether `origin` may call the API on this request's host. */
function allowed(c: Context<{ Bindings: Env }>, origin: string): boolean {
  return origin === new URL(c.req.url).origin || configured(c.env.ALLOWED_ORIGINS).has(origin);
}

/** Refuses browser requests from origins that are not allowed (403, JSON), except on public routes. */
const refuseOthers: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const origin = c.req.header('origin');
  if (origin && !PUBLIC_PATHS.has(c.req.path) && !allowed(c, origin)) {
    throw new ApiError(403, 'origin_not_allowed', `Pages on ${origin} may not call this API; list the shop's origins in ALLOWED_ORIGINS`);
  }
  await next();
};

/** CORS for allowed origins only (never `*`), exposing the headers the SDK reads cross-origin. */
const allowCors = cors({
  origin: (origin, c) => (allowed(c, origin) ? origin : null),
  allowMethods: ['GET', 'POST'],
  exposeHeaders: ['Retry-After', 'Server-Timing'],
  maxAge: 86400,
});

/** Both, in order: refuse, then answer CORS. */
export const origins: MiddlewareHandler<{ Bindings: Env }>[] = [refuseOthers, allowCors];
