/** `GET /v1/health`: answers without touching storage; the runtime's floor in benchmarks. */
import { Hono } from 'hono';

export const health = new Hono<{ Bindings: Env }>().get('/', (c) => c.json({ ok: true }));
