/**
 * `npm run bench:parts [-- --json] [--runs 3]`: a fresh isolate's first decision with the model
 * stored as one KV value against the same bytes in parts of the size publishing chooses
 * (`partBytesFor`: cut between sections), 8, 4, 2 and 1 MiB (docs/SCALE.md, "Parts"); in parts
 * that cut sections the Worker copies those sections. First, a row with no model published at all
 * (decisions by popularity): what a first decision costs besides the model. Each run restarts `wrangler dev` on the
 * same local state, sends a no-op request so the isolate's code is loaded, then one decision,
 * and reads the Worker's own `Server-Timing` (`load`: published data, the model's parts among
 * it; `total`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { putEntries, ROOT, startDevServer } from '../../edge-worker/cli/wrangler';
import { seededRandom } from '../../edge-worker/src/model/random';
import { artifactSpans, readArtifactHeader } from '../../edge-worker/src/model/artifact';
import { publishCatalog, publishModel } from '../../edge-worker/src/published/published';
import { cutBytes, partBytesFor } from '../../edge-worker/src/published/parts';
import { BENCH_ARTIFACT, BENCH_SLOTS, benchArtifact, benchCatalog } from './fixture';
import { serverTiming } from './server-timing';
import { quantile } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    artifact: { type: 'string', default: BENCH_ARTIFACT },
    runs: { type: 'string', default: '3' },
    port: { type: 'string', default: '8799' },
  },
});
const log = (message: string) => console.error(`bench:parts: ${message}`);
const MIB = 1024 * 1024;

const model = benchArtifact(resolve(ROOT, args.artifact!), log);
const catalog = benchCatalog(readArtifactHeader(model.bytes).numItems - 1, seededRandom(42));

mkdirSync(join(ROOT, '.wrangler'), { recursive: true });
const persistTo = mkdtempSync(join(ROOT, '.wrangler', 'bench-parts-'));
const rows: Array<{ part_bytes: number; parts: number; cut_bytes: number; load_ms: number[]; total_ms: number[] }> = [];
const spans = artifactSpans(model.bytes);
/** A row's layout in words; 0 parts is the row without a model. */
const layout = (parts: number, partBytes: number) => (parts ? `${String(parts).padStart(2)} part(s) of ${(partBytes / MIB).toFixed(2).padStart(5)} MiB` : 'no model (popularity)     ');
try {
  putEntries('MODELS', publishCatalog(catalog), { persistTo });
  // The row without a model runs first, before any model is published to this state.
  for (const partBytes of [0, model.bytes.byteLength, partBytesFor(model.bytes.byteLength, spans), 8 * MIB, 4 * MIB, 2 * MIB, 1 * MIB]) {
    const entries = partBytes ? publishModel(model.bytes, partBytes) : [];
    putEntries('MODELS', entries, { persistTo });
    const row = { part_bytes: partBytes, parts: entries.filter((e) => !e.pointer).length, cut_bytes: partBytes ? cutBytes(spans, partBytes) : 0, load_ms: [] as number[], total_ms: [] as number[] };
    const expected = partBytes ? 'rapport-rerank@' : 'popularity';
    for (let run = 0; run < Number(args.runs); run++) {
      const server = await startDevServer({ port: Number(args.port), persistTo });
      try {
        await (await fetch(`${server.url}/v1/health`)).arrayBuffer();
        const res = await fetch(`${server.url}/v1/decide`, { method: 'POST', body: JSON.stringify({ v: 1, slots: BENCH_SLOTS, context: {} }) });
        const body = (await res.json()) as { model: string };
        if (!body.model.startsWith(expected)) throw new Error(`the decision was not answered by ${expected}: ${JSON.stringify(body)}`);
        const t = serverTiming(res.headers.get('server-timing'));
        row.load_ms.push(t.load ?? NaN);
        row.total_ms.push(t.total ?? NaN);
      } finally {
        await server.stop();
      }
    }
    log(`${layout(row.parts, partBytes).trim()}, cutting ${row.cut_bytes} bytes of sections: load ${row.load_ms.join(', ')} ms; total ${row.total_ms.join(', ')} ms`);
    rows.push(row);
  }
} finally {
  rmSync(persistTo, { recursive: true, force: true });
}
if (!args.json) {
  for (const r of rows) console.log(`${layout(r.parts, r.part_bytes)} (${String(r.cut_bytes).padStart(7)} B of sections cut)   first decision: load median ${quantile(r.load_ms, 0.5)} ms, total median ${quantile(r.total_ms, 0.5)} ms`);
}
console.log(JSON.stringify({ artifact_bytes: model.bytes.byteLength, runs: rows }));
