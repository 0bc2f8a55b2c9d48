/**
 * The admin API from Node: a Worker's `/v1/admin` routes as typed calls, for
 * `npm run admin` and `npm run publish-data -- --remote`. Where they go and
 * with which token is settled once; the development token is only ever sent
 * to a Worker on this machine, and a token never travels over plain HTTP to
 * another host.
 */
import type { Report } from '../src/contract/report';
import type { StockPriceChange } from '../src/catalog/delta';
import { joinShards } from '../src/model/shards';
import { modelPartKey, modelShardKey, versionKey, type CatalogPatch, type CatalogUploadValue, type Change, type Entry, type Kind, type PublishedStatus } from '../src/published/published';
import { joinParts } from '../src/published/parts';
import { DEVELOPMENT_ADMIN_TOKEN } from './wrangler';

/** Where `npm start` and `wrangler dev` listen unless told otherwise. */
export const LOCAL_URL = 'http://127.0.0.1:8787';

/** A request the Worker refused or could not answer; `status` and `code` when it answered. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A setting that cannot work (bad URL, missing token): the caller's mistake, before any request. */
export class UsageError extends Error {}

/** A Worker's admin API and the token to present. */
export interface AdminTarget {
  url: string;
  token: string;
}

/** Long enough for a 25 MiB model over a slow uplink. */
const TIMEOUT_MS = 5 * 60_000;

function onThisMachine(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * The target for `url` (default `RAPPORT_ADMIN_URL`, else {@link LOCAL_URL})
 * with the token in `RAPPORT_ADMIN_TOKEN` (default, for a Worker on this
 * machine only, the development token). Throws a {@link UsageError} for a
 * URL that is not http(s), plain HTTP to another host, or no token.
 * @example const admin = adminClient(adminTarget('https://rapport.shop.workers.dev'));
 */
export function adminTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const given = url ?? env.RAPPORT_ADMIN_URL ?? LOCAL_URL;
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(given)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new UsageError(`--url must be an http(s) URL, not ${given}`);
  const local = onThisMachine(parsed);
  if (parsed.protocol === 'http:' && !local) {
    throw new UsageError(`refusing to send the admin token to ${parsed.host} over plain HTTP; use its https:// URL`);
  }
  const token = env.RAPPORT_ADMIN_TOKEN || (local ? DEVELOPMENT_ADMIN_TOKEN : undefined);
  if (!token) throw new UsageError(`set RAPPORT_ADMIN_TOKEN to the ADMIN_TOKEN of the Worker at ${parsed.origin}`);
  return { url: parsed.origin, token };
}

/** The admin API's calls, each resolving to the Worker's answer or rejecting with an {@link AdminError}. */
export interface AdminClient {
  /** `GET /v1/admin/published`. */
  status(): Promise<PublishedStatus>;
  /**
   * `PUT /v1/admin/<kind>`: one publication (from `readPublication` or the
   * publish functions). A catalog goes in parts, whatever its size: its shards
   * and later core parts (`PUT /v1/admin/catalog/parts`, a few MiB a request),
   * then its core's first part, which the Worker checks with the rest before
   * the version is stored (and, with `activate`, served). Shards KV holds
   * already (`GET /v1/admin/catalog/shards`) are not sent again.
   */
  publish(entries: readonly Entry[], activate: boolean): Promise<Change>;
  /** `PATCH /v1/admin/catalog`: stock and price changes to the active catalog. */
  patchCatalog(changes: readonly StockPriceChange[]): Promise<CatalogPatch>;
  /** `POST /v1/admin/catalog/compact`: fold the changes into a new catalog version now. */
  compactCatalog(): Promise<CatalogPatch>;
  /** `POST /v1/admin/<kind>/activate`. */
  activate(kind: Kind, version: string): Promise<Change>;
  /** `POST /v1/admin/<kind>/rollback`. */
  rollback(kind: Kind): Promise<Change>;
  /** `GET /v1/admin/<kind>/versions/<version>`: a stored version's value, as published. */
  value(kind: Kind, version: string): Promise<Uint8Array>;
  /** `GET /v1/admin/report?days=<days>`: the measurement report the dashboard draws. */
  report(days?: number): Promise<Report>;
}

/** Per upload request: within the Worker's 16 MiB body and its KV operations per request. */
const UPLOAD_BYTES = 12 * 1024 * 1024;
const UPLOAD_VALUES = 800;

/** A catalog's shards and later core parts (base64), in requests the Worker accepts. */
function uploadBatches(entries: readonly Entry[]): CatalogUploadValue[][] {
  const batches: CatalogUploadValue[][] = [];
  let batch: CatalogUploadValue[] = [];
  let bytes = 0;
  for (const { key, value } of entries) {
    const upload = typeof value === 'string' ? { key, value } : { key, value: Buffer.from(value).toString('base64'), base64: true };
    if (batch.length && (bytes + upload.value.length > UPLOAD_BYTES || batch.length >= UPLOAD_VALUES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(upload);
    bytes += upload.value.length;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** A model publication's artifact: its first part (`first`, under the version's key) and the later ones, joined in order, then its shards. */
function wholeModel(entries: readonly Entry[], first: Entry): Uint8Array {
  const byKey = new Map(entries.map((entry) => [entry.key, entry.value]));
  const bytesOf = (key: string, what: string): Uint8Array | undefined => {
    const value = byKey.get(key);
    if (typeof value === 'string') throw new TypeError(`model ${first.version}: ${what} is text, not bytes`);
    return value;
  };
  const parts: Uint8Array[] = [];
  for (let n = 0; ; n++) {
    const part = n === 0 ? bytesOf(first.key, 'part 1') : bytesOf(modelPartKey(first.version, n), `part ${n + 1}`);
    if (part === undefined) return joinShards(joinParts(parts), (k) => bytesOf(modelShardKey(first.version, k), `shard ${k}`) ?? null);
    parts.push(part);
  }
}

/** A client for the admin API at `target`. */
export function adminClient(target: AdminTarget): AdminClient {
  async function call<T>(method: string, path: string, body?: { data: string | Uint8Array; type: string }, raw = false): Promise<T> {
    let res: Response;
    const send = () =>
      fetch(`${target.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${target.token}`, ...(body ? { 'content-type': body.type } : {}) },
        body: body ? new Blob([body.data as BlobPart]) : undefined,
        // A redirect would resend the token somewhere else, or turn a PUT into a GET.
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    try {
      res = await send().catch((err: Error) => {
        // A kept-alive connection the server closed while we were busy (training, say): every admin call
        // is idempotent (the same version, the same bytes), so it is sent once more on a new connection.
        if ((err.cause as { code?: string } | undefined)?.code === 'UND_ERR_SOCKET') return send();
        throw err;
      });
    } catch (err) {
      const hint = onThisMachine(new URL(target.url)) ? ' (is `npm start` or `wrangler dev` running?)' : '';
      throw new AdminError(`could not reach ${target.url}${hint}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    if (res.status >= 300 && res.status < 400) {
      throw new AdminError(`${target.url} redirects to ${res.headers.get('location')}; pass the Worker's own URL with --url`, res.status);
    }
    if (raw && res.ok) return new Uint8Array(await res.arrayBuffer()) as T;
    const text = await res.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (!res.ok || answer === undefined) {
      const error = (answer as { error?: { code?: string; message?: string } } | undefined)?.error;
      const what = error ? `${error.code}: ${error.message}` : text.slice(0, 200) || res.statusText;
      throw new AdminError(`${method} ${path} answered ${res.status}, ${what}`, res.status, error?.code);
    }
    return answer as T;
  }

  return {
    status: () => call('GET', '/v1/admin/published'),
    async publish(entries, activate) {
      const value = entries.find((entry) => entry.key === versionKey(entry.kind, entry.version));
      if (!value) throw new TypeError('publish takes the entries of one publication');
      const type = typeof value.value === 'string' ? 'application/json' : 'application/octet-stream';
      // A model goes up whole, its parts joined again: the Worker checks the whole artifact and cuts it into parts itself.
      if (value.kind === 'model') return call('PUT', `/v1/admin/model?activate=${activate}`, { data: wholeModel(entries, value), type });
      if (value.kind !== 'catalog') return call('PUT', `/v1/admin/${value.kind}?activate=${activate}`, { data: value.value, type });
      // Shards are named by their content: those any version stored already are not sent again.
      const stored = new Set<string>();
      for (let cursor: string | null = ''; cursor !== null; ) {
        const page: { keys: string[]; cursor: string | null } = await call('GET', `/v1/admin/catalog/shards${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
        page.keys.forEach((key) => stored.add(key));
        cursor = page.cursor;
      }
      for (const batch of uploadBatches(entries.filter((entry) => !entry.pointer && entry !== value && !stored.has(entry.key)))) {
        await call('PUT', '/v1/admin/catalog/parts', { data: JSON.stringify(batch), type: 'application/json' });
      }
      return call('PUT', `/v1/admin/catalog?activate=${activate}&version=${value.version}`, { data: value.value, type });
    },
    patchCatalog: (changes) => call('PATCH', '/v1/admin/catalog', { data: JSON.stringify(changes), type: 'application/json' }),
    compactCatalog: () => call('POST', '/v1/admin/catalog/compact'),
    activate: (kind, version) => call('POST', `/v1/admin/${kind}/activate`, { data: JSON.stringify({ version }), type: 'application/json' }),
    rollback: (kind) => call('POST', `/v1/admin/${kind}/rollback`),
    value: (kind, version) => {
      // The Worker names versions with these characters only, all safe in a path as they are.
      if (!/^[A-Za-z0-9._:-]{1,64}$/.test(version)) throw new TypeError(`not a version: ${JSON.stringify(version)}`);
      return call('GET', `/v1/admin/${kind}/versions/${version}`, undefined, true);
    },
    report: (days = 14) => call('GET', `/v1/admin/report?days=${days}`),
  };
}
