/**
 * The Rapport Worker: the /v1 API (shoppers' pages call it; the merchant's
 * servers call /v1/admin with a token), the consumer of the event log's
 * queue (see log/sink.ts), and the log's hourly upkeep (log/compaction.ts). Its static files (the SDK bundle) are
 * served by Cloudflare's assets before the Worker runs; see wrangler.toml.
 */
import { waitUntil } from 'cloudflare:workers';
import { Hono } from 'hono';
import { apiNotFound, methodNotAllowed, onError } from './http/errors';
import { origins } from './http/origins';
import { limitAddress } from './http/rate-limit';
import { serverTiming } from './http/timing';
import { BANDIT_CRON, updateAllocations } from './experiments/allocation';
import { compactLog } from './log/compaction';
import { consumeLog, type LogMessage } from './log/sink';
import { admin, KIND_PARAM } from './routes/admin';
import { collect } from './routes/collect';
import { decide } from './routes/decide';
import { health } from './routes/health';
import { privacy } from './routes/privacy';
import { warmReranker } from './model/reranker';
import { warmRequestSchemas } from './contract/schemas';
import { buildSlots, DEFAULT_SLOTS } from './slots/config';
import { defaultExperiments } from './experiments/config';
import { keepRefreshesAlive } from './published/isolate-cache';

// When the isolate starts (on Cloudflare, while the TLS handshake that woke it completes), not in its first request.
warmReranker();
warmRequestSchemas();
// The published configurations' schemas too: a first slot configuration's check took 2–17 ms in a fresh workerd isolate, the next under 1.
buildSlots(DEFAULT_SLOTS);
defaultExperiments(0);
// Published pointers are re-read in the background before they expire, kept alive past the request that found them ageing.
keepRefreshesAlive(waitUntil);

const api = new Hono<{ Bindings: Env }>()
  .route('/collect', collect)
  .all('/collect', methodNotAllowed(['POST']))
  .route('/decide', decide)
  .all('/decide', methodNotAllowed(['POST']))
  .route('/health', health)
  .all('/health', methodNotAllowed(['GET']))
  .route('/privacy', privacy)
  .all('/privacy/export', methodNotAllowed(['GET']))
  .all('/privacy/erase', methodNotAllowed(['POST']))
  .all('/privacy/object', methodNotAllowed(['POST']))
  .route('/admin', admin)
  .all('/admin/published', methodNotAllowed(['GET']))
  .all('/admin/report', methodNotAllowed(['GET']))
  .all(`/admin/${KIND_PARAM}`, methodNotAllowed(['PUT']))
  .all(`/admin/${KIND_PARAM}/versions/:version`, methodNotAllowed(['GET']))
  .all(`/admin/${KIND_PARAM}/activate`, methodNotAllowed(['POST']))
  .all(`/admin/${KIND_PARAM}/rollback`, methodNotAllowed(['POST']));

const app = new Hono<{ Bindings: Env }>();
// The SDK runs on the merchant's pages: only their origins may call (see http/origins.ts).
app.use('/v1/*', ...origins);
app.use('/v1/*', serverTiming);
app.use('/v1/*', limitAddress);
app.route('/v1', api);
app.notFound(apiNotFound);
app.onError(onError);

/** The cron triggers' work: the bandits' allocations every 10 minutes; the event log's erasure and retention hourly (log/compaction.ts). */
function scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): void {
  if (controller.cron === BANDIT_CRON) {
    ctx.waitUntil(updateAllocations(env, Date.now()).then((shares) => console.log('rapport: bandit allocations updated', JSON.stringify(shares))));
    return;
  }
  ctx.waitUntil(
    compactLog(env.LOG, Date.now(), Number(env.LOG_RETENTION_DAYS)).then((report) => console.log('rapport: event log compacted', JSON.stringify(report))),
  );
}

export default { fetch: app.fetch, queue: consumeLog, scheduled } satisfies ExportedHandler<Env, LogMessage>;

export { VisitorProfile } from './profile/visitor-object';
export { CounterShard } from './experiments/counters';
