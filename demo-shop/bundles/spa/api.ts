/**
 * The gift finder's data, from its JSON API on the shop's server
 * (demo-shop/src/spa-api.ts, mounted at /api). What every view needs (who a
 * gift can be for, the shop's most popular products) is asked once per page.
 */
import type { GiftIdea, GiftIdeas, GiftProduct, Recipient } from '../../src/spa-api';
import { NotFound } from './router';

export type { GiftIdea, GiftProduct, Recipient };

/** The API's answer to `path`; a 404 is {@link NotFound}, any other failure an Error with the API's message. */
async function get<T>(path: string): Promise<T> {
  const res = await fetch(`/api${path}`, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => undefined);
  if (res.status === 404) throw new NotFound(path);
  if (!res.ok) throw new Error(`GET /api${path} answered ${res.status}: ${body?.error?.message ?? 'no message'}`);
  return body as T;
}

/** Asks once; a failure is not kept, so the next view asks again. */
function once<T>(ask: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () =>
    (answer ??= ask().catch((err) => {
      answer = undefined;
      throw err;
    }));
}

export const recipients = once(() => get<{ recipients: Recipient[] }>('/recipients').then((r) => r.recipients));

/** The shop's most popular products: what the personalized slot shows until Rapport decides (and if it does not). */
export const popular = once(() => get<GiftIdeas>('/products?limit=4').then((r) => r.products));

/** The most popular gift ideas for a recipient, at most `under` dollars when given. */
export function giftIdeas(who: string, under?: number): Promise<GiftIdeas> {
  return get(`/products?${new URLSearchParams({ for: who, ...(under ? { under: String(under) } : {}) })}`);
}

export const product = (id: string) => get<GiftProduct>(`/products/${id}`);
