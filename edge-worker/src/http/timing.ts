/**
 * `Server-Timing: total;dur=…` on every /v1 response: the time the Worker
 * spent from receiving the request to having the response, as its own clock
 * sees it. Locally workerd's clock advances during computation; on
 * Cloudflare's network it advances only at I/O (a Spectre mitigation), so
 * there it undercounts pure computation.
 */
import type { MiddlewareHandler } from 'hono';

/** Appends the request's total server time to `Server-Timing`. */
export const serverTiming: MiddlewareHandler = async (c, next) => {
  const start = performance.now();
  await next();
  c.res.headers.append('Server-Timing', `total;dur=${(performance.now() - start).toFixed(2)}`);
};
