/**
 * Reading request bodies: size-limited, parsed as JSON whatever the declared
 * content type (beacons arrive as text/plain), validated with a zod schema.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { LIMITS } from '../../../sdk/src/wire';
import { ApiError, type Issue } from './errors';

/** Largest body any /v1 route accepts (the wire contract's limit). A batch of 100 typical events is ~15 KB. */
export const MAX_BODY_BYTES = LIMITS.bodyBytes;

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'body_too_large', `Request body exceeds ${limit} bytes`);
}

/**
 * A body that breaks off before its end (the client went away, or its chunked
 * framing is malformed) is the client's failure: a 400, not an internal error.
 */
function unreadable(): never {
  throw new ApiError(400, 'unreadable_body', 'Request body could not be read to its end (connection closed or malformed chunked encoding)');
}

/** Reads the body as text, refusing more than `limit` bytes even when no Content-Length is sent. */
export async function readText(c: Context, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(c.req.header('content-length'));
  if (declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(unreadable);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Turns zod's issues into `{path, message}` pairs a developer can act on. */
export function describeIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join('.') : '(root)',
    message: issue.message,
  }));
}

/** Reads, parses and validates a JSON body of at most `limit` bytes; every failure is a 4xx naming the problem. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, limit = MAX_BODY_BYTES): Promise<z.output<S>> {
  const text = await readText(c, limit);
  if (!text.trim()) throw new ApiError(400, 'empty_body', 'Request body is empty; expected a JSON object');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'malformed_json', `Request body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(400, 'invalid_body', 'Request body does not match the schema', describeIssues(parsed.error));
  }
  return parsed.data;
}
