/**
 * Which web pages may call the API: the page's own origin and the shop's
 * origins listed in `ALLOWED_ORIGINS` (comma-separated, see wrangler.toml).
 * CORS answers only those, and a browser request from any other origin is
 * refused before it reads or writes visitor data: the SDK's `text/plain`
 * POSTs are "simple" requests, which a browser sends whatever CORS says, so
 * CORS headers alone would not stop another site from writing. No page at
 * all may call the merchant's admin API (`/v1/admin/*`).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { ApiError } from './errors';

/** Routes that touch no visitor data: callable from any origin, and not rate-limited (health is the runtime's floor). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/v1/health']);

/**
 * Whether a browser made the request to the admin API, which is for servers
 * and the admin CLI: browsers send `Origin` (on every cross-origin and every
 * non-GET request) or `Sec-Fetch-Site` (on every request), servers and the
 * CLI neither (Node's fetch sends `Sec-Fetch-Mode`, not `Sec-Fetch-Site`).
 * Such a request is refused before its token is looked at, whatever the
 * page's origin, so CORS never answers for the admin API. One exception: the
 * uplift dashboard, a page the Worker serves itself (`/admin/`), reads the
 * report from its own origin (a GET, which changes nothing, with the token).
 */
function browserCallingAdmin(c: Context): boolean {
  const admin = c.req.path === '/v1/admin' || c.req.path.startsWith('/v1/admin/');
  if (!admin) return false;
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (c.req.path === REPORT_PATH && c.req.method === 'GET' && site === 'same-origin' && (origin === undefined || origin === new URL(c.req.url).origin)) return false;
  return origin !== undefined || site !== undefined;
}

/** The one admin route a page (the Worker's own dashboard) may read. */
export const REPORT_PATH = '/v1/admin/report';

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

/** Refuses browser requests from origins that are not allowed (403, JSON), except on public routes, and any browser request to the admin API. */
const refuseOthers: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const origin = c.req.header('origin');
  if (browserCallingAdmin(c)) {
    throw new ApiError(403, 'origin_not_allowed', 'The admin API is for servers and `npm run admin`; no web page may call it');
  }
  if (origin && !PUBLIC_PATHS.has(c.req.path) && !allowed(c, origin)) {
    throw new ApiError(403, 'origin_not_allowed', `Pages on ${origin} may not call this API; list the shop's origins in ALLOWED_ORIGINS`);
  }
  await next();
};

/** CORS for allowed origins only (never `*`), exposing the headers the SDK reads cross-origin. */
const allowCors = cors({
  origin: (origin, c) => (allowed(c, origin) ? origin : null),
  allowMethods: ['GET', 'POST'],
  // What the SDK and a shop's own export/erase buttons send; never an echo of whatever a preflight asks for.
  allowHeaders: ['Content-Type', 'Authorization'],
  exposeHeaders: ['Retry-After', 'Server-Timing'],
  maxAge: 86400,
});

/** Both, in order: refuse, then answer CORS. */
export const origins: MiddlewareHandler<{ Bindings: Env }>[] = [refuseOthers, allowCors];
