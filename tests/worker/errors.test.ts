/** Bad input gets a clear JSON error, on every route. */
import { reset } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Context } from 'hono';
import { readText } from '../../edge-worker/src/http/body';
import { call, newVisitor, post, seedModels, views } from './helpers';

beforeEach(async () => {
  await reset();
  await seedModels();
});

async function errorOf(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return ((await res.json()) as { error: { code: string; message: string; issues?: Array<{ path: string; message: string }> } }).error;
}

describe('bad input gets a clear JSON error', () => {
  it('rejects malformed JSON with 400', async () => {
    const res = await post('/v1/collect', '{"v":1,');
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'malformed_json' });
  });

  it('rejects an empty body with 400', async () => {
    const res = await post('/v1/decide', '');
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'empty_body' });
  });

  it('names the field that breaks the schema', async () => {
    const batch = views(await newVisitor(), ['1']);
    const { item: _dropped, ...withoutItem } = batch.events[0]!;
    const res = await post('/v1/collect', { ...batch, events: [withoutItem] });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('invalid_body');
    expect(error.issues).toContainEqual(expect.objectContaining({ path: 'events.0.item' }));
  });

  it('rejects unknown event types and extra fields', async () => {
    const batch = views(await newVisitor(), ['1']);
    const res = await post('/v1/collect', { ...batch, events: [{ ...batch.events[0], type: 'teleport' }], email: 'a@b.c' });
    const error = await errorOf(res);
    expect(res.status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['events.0.type', '(root)']));
  });

  it('refuses an oversized body with 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ v: 1, padding: 'x'.repeat(70 * 1024) });
    const declared = await post('/v1/collect', big);
    expect(declared.status).toBe(413);
    expect(await errorOf(declared)).toMatchObject({ code: 'body_too_large' });

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const chunked = await call('/v1/collect', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('answers a body that breaks off (client gone, bad chunked framing) with 400, not a 500', async () => {
    // The runtime ends a request body it cannot read with an error; readText must turn that into the client's 400.
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent) return controller.error(new Error('Network connection lost.'));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"v":1,'));
      },
    });
    const c = { req: { header: () => undefined, raw: new Request('http://rapport.test/v1/collect', { method: 'POST', body: broken }) } } as unknown as Context;
    await expect(readText(c)).rejects.toMatchObject({ status: 400, code: 'unreadable_body' });
  });

  it('answers unknown /v1 routes with a JSON 404', async () => {
    const res = await call('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'not_found' });
  });

  it('answers the wrong method with a JSON 405 and an Allow header', async () => {
    const res = await call('/v1/decide', { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await errorOf(res)).toMatchObject({ code: 'method_not_allowed' });
  });

  it('rejects an unknown slot with 400 naming it', async () => {
    const res = await post('/v1/decide', { v: 1, slots: [{ id: 'recommended' }, { id: 'nope' }] });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('unknown_slot');
    expect(error.issues).toEqual([{ path: 'slots.1.id', message: 'unknown slot "nope"' }]);
  });
});
