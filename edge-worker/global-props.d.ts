// Tells the runtime types what the Worker's main module exports, so
// `exports.default` from "cloudflare:workers" is typed in tests. (wrangler
// types generates bindings into worker-configuration.d.ts but not this.)
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('./src/index');
  }
}
