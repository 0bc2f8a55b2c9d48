/**
 * Validation of data that is not a request body (published catalog and slot
 * configuration): one zod pass, one error style naming the first problem.
 * Request bodies go through `http/body.ts`, which reports every issue.
 */
import * as z from 'zod';

/**
 * Parses `raw` with `schema`, or throws a `TypeError` saying where it is wrong.
 * @example parseOrThrow(slotsConfig, json, 'slot configuration') // TypeError: slot configuration: recommended.size: …
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TypeError(`${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/**
 * An address a shop page may link to or load: a path on the shop's own site
 * (`/p/42`, not `//host` or `/\host`, which browsers read as another host)
 * or an absolute http(s) URL. Never `javascript:` or `data:`: catalog and
 * content fields are data, and the SDK renders them as such.
 */
export const webUrl = z
  .string()
  .max(2048)
  .refine((url) => /^\/(?![/\\])/.test(url) || /^https?:\/\/[^/\\]/i.test(url), 'must be a path starting with "/" or an http(s) URL');
