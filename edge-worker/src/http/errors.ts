/**
 * One error path for the whole API: every failure leaves as
 * `{"error": {"code", "message", "issues"?}}` with a 4xx/5xx status.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A field-level problem in a request body, as a path and a sentence. */
export interface Issue {
  path: string;
  message: string;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[] };
}

/** An expected failure with a machine-readable code; thrown by routes, rendered by {@link onError}. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message });
  }
}

function errorResponse(c: Context, status: ContentfulStatusCode, body: ErrorBody, headers?: Record<string, string>) {
  return c.json(body, status, headers);
}

/** Renders expected errors as they are and the unexpected as a generic 500 without internals. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError) {
    const issues = err.issues?.length ? { issues: err.issues } : {};
    return errorResponse(c, err.status, { error: { code: err.code, message: err.message, ...issues } }, err.headers);
  }
  if (err instanceof HTTPException) {
    return errorResponse(c, err.status, { error: { code: 'http_error', message: err.message } });
  }
  console.error('rapport: unhandled error', err);
  return errorResponse(c, 500, { error: { code: 'internal', message: 'Internal error' } });
};

/** Unknown API paths get the same JSON error shape as everything else. */
export const apiNotFound: NotFoundHandler = (c) =>
  errorResponse(c, 404, { error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` } });

/** A method the route does not support: 405 with the methods it does. */
export function methodNotAllowed(allowed: string[]) {
  return (c: Context) =>
    errorResponse(
      c,
      405,
      { error: { code: 'method_not_allowed', message: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}` } },
      { Allow: allowed.join(', ') },
    );
}
