/**
 * `npm start`: builds the SDK, seeds local KV and serves the demo shop's
 * Worker (the shop's pages around the Rapport Worker) on one origin.
 * Ctrl-C stops everything. The Worker's cron work (the event log's erasures
 * and retention hourly, the bandits' allocations every 10 minutes) runs here
 * too: `wrangler dev` never fires crons by itself, so this asks for it.
 */
import { spawnSync } from 'node:child_process';
import { DEMO_CONFIG, seed } from '../demo-shop/scripts/seed';
import { DEVELOPMENT_ADMIN_TOKEN, ROOT, startDevServer } from '../edge-worker/cli/wrangler';

const port = Number(process.env.PORT ?? 8787);
const persistTo = '.wrangler/state';

const build = spawnSync(process.execPath, [`${ROOT}/node_modules/rollup/dist/bin/rollup`, '-c', '--silent'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
seed(persistTo);
const server = await startDevServer({ port, persistTo, config: DEMO_CONFIG, inheritOutput: true, testScheduled: true });
// The dashboard takes the token from the link once; a token of your own (ADMIN_TOKEN) is never printed.
const dashboard = `${server.url}/admin/${process.env.ADMIN_TOKEN ? '' : `#token=${DEVELOPMENT_ADMIN_TOKEN}`}`;
console.log(`\n  Rapport demo shop: ${server.url}\n  Uplift dashboard: ${dashboard}\n  (Ctrl-C to stop)\n`);
const cron = (schedule: string) => () => {
  fetch(`${server.url}/__scheduled?cron=${encodeURIComponent(schedule)}`).catch((err: Error) => console.error(`the cron ${schedule} could not run: ${err.message}`));
};
const hourly = setInterval(cron('7 * * * *'), 60 * 60_000);
const bandits = setInterval(cron('*/10 * * * *'), 10 * 60_000);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(hourly);
  clearInterval(bandits);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
server.process.on('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code})`);
    process.exit(1);
  }
});
