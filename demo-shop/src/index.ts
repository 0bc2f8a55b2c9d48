/**
 * The demo shop's Worker: the shop's pages around the unchanged Rapport
 * Worker, so one origin serves the storefront, the SDK and the /v1 API.
 */
import { Hono } from 'hono';
import rapport from '../../edge-worker/src/index';
import { notFoundPage } from './pages';
import { demoShop } from './shop';

const app = new Hono<{ Bindings: Env }>();
// The API is the product's, exactly as deployed.
app.all('/v1/*', (c) => rapport.fetch(c.req.raw, c.env, c.executionCtx));
app.route('/', demoShop);
app.notFound((c) => c.html(notFoundPage(), 404));

export default app;

export { VisitorProfile } from '../../edge-worker/src/index';
