/**
 * Sending JSON to the Worker as a string body, which fetch and sendBeacon both
 * label `text/plain;charset=UTF-8`: a "simple" request, so no CORS preflight
 * doubles the latency (the Worker reads any body as text).
 */
import { classify, type Outcome } from './backoff.js';

/**
 * POSTs `body` as JSON text; a network failure is a retryable outcome, never a throw.
 * @param signal aborts the request (a slot's deadline)
 * @example const { outcome } = await post('https://rapport.example.com/v1/collect', body);
 */
export async function post(url: string, body: unknown, signal?: AbortSignal): Promise<{ outcome: Outcome; response?: Response }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(body),
      keepalive: true,
      credentials: 'omit',
      signal,
    });
    return { outcome: classify(response.status, response.headers.get('retry-after')), response };
  } catch {
    return { outcome: classify(0) };
  }
}

/**
 * Hands `body` to the browser to deliver even as the page unloads; false when it refused.
 * @example beacon('https://rapport.example.com/v1/collect', body)
 */
export function beacon(url: string, body: unknown): boolean {
  try {
    return navigator.sendBeacon(url, JSON.stringify(body));
  } catch {
    return false;
  }
}
