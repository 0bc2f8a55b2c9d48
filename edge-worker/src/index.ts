/**
 * The Rapport Worker: composes the /v1 API and, in development, the demo shop.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { demoShop } from '../../demo-shop/src/shop';
import { apiNotFound, methodNotAllowed, onError } from './http/errors';
import { serverTiming } from './http/timing';
import { collect } from './routes/collect';
import { decide } from './routes/decide';
import { health } from './routes/health';

const api = new Hono<{ Bindings: Env }>()
  .route('/collect', collect)
  .all('/collect', methodNotAllowed(['POST']))
  .route('/decide', decide)
  .all('/decide', methodNotAllowed(['POST']))
  .route('/health', health)
  .all('/health', methodNotAllowed(['GET']))
  .all('*', apiNotFound);

const app = new Hono<{ Bindings: Env }>();
// The SDK runs on the merchant's origin; no cookies are involved, so any origin may call.
app.use('/v1/*', cors({ origin: '*', allowMethods: ['GET', 'POST'], maxAge: 86400 }));
app.use('/v1/*', serverTiming);
app.route('/v1', api);
app.route('/', demoShop);
app.onError(onError);

export default app;

export { VisitorProfile } from './profile/visitor-object';
