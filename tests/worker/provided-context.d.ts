// What the worker project's global setup (Node) hands to the tests (workerd).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The demo model's artifact, base64, and its version. */
    demoModel: { version: string; base64: string };
  }
}
