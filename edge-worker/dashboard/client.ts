/**
 * Fetching the report: `GET /v1/admin/report` on the page's own origin with
 * the admin token as a bearer token, and what the answer means for the page.
 */
import type { Report } from '../src/contract/report';

/** Where the Worker answers the report. */
export const REPORT_PATH = '/v1/admin/report';

/** The report, a refused token (401: ask again), or any other failure with a message to show. */
export type ReportResult = { kind: 'report'; report: Report } | { kind: 'refused' } | { kind: 'error'; message: string };

/**
 * Asks the Worker for the report.
 * @example const result = await fetchReport(token); if (result.kind === 'refused') askForToken();
 */
export async function fetchReport(token: string): Promise<ReportResult> {
  let response: Response;
  try {
    // Never from the HTTP cache: the report changes, and it is the merchant's alone.
    response = await fetch(REPORT_PATH, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (err) {
    return { kind: 'error', message: `The report could not be fetched: ${(err as Error).message}` };
  }
  if (response.status === 401) return { kind: 'refused' };
  const body = (await response.json().catch(() => undefined)) as (Report & { error?: { message?: string } }) | undefined;
  if (!response.ok) return { kind: 'error', message: `The Worker answered ${response.status}: ${body?.error?.message ?? response.statusText}` };
  if (!body) return { kind: 'error', message: 'The Worker answered, but not with JSON.' };
  return { kind: 'report', report: body };
}
