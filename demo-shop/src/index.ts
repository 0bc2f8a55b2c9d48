/**
 * The demo shop's Worker: the shop's pages around the unchanged Rapport
 * Worker, so one origin serves the storefront, the SDK and the /v1 API.
 */
import { Hono } from 'hono';
import rapport from '../../edge-worker/src/index';
import type { LogMessage } from '../../edge-worker/src/log/sink';
import { notFoundPage } from './pages';
import { demoShop } from './shop';
import { viewOf } from './view';

const app = new Hono<{ Bindings: Env }>();
// The API is the product's, exactly as deployed.
app.all('/v1/*', (c) => rapport.fetch(c.req.raw, c.env, c.executionCtx));
app.route('/', demoShop);
app.notFound((c) => c.html(notFoundPage(viewOf(c)), 404));

// The product's queue consumer and cron work too: the demo runs the whole product, its event log included.
export default { fetch: app.fetch, queue: rapport.queue, scheduled: rapport.scheduled } satisfies ExportedHandler<Env, LogMessage>;

export { CounterShard, VisitorProfile } from '../../edge-worker/src/index';
