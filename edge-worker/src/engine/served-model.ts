/**
 * Where the served model lives in KV. The artifact for a version is
 * immutable under `model:<version>`; publishing a new model writes its
 * artifact first and then moves the `model:active` pointer, so a Worker never
 * sees a pointer to an artifact that is not there yet.
 */

/** KV key of the pointer to the active model version. */
export const ACTIVE_MODEL_KEY = 'model:active';

/** KV key of one version's artifact. */
export function modelKey(version: string): string {
  return `model:${version}`;
}
