/**
 * Whether this build explains problems on the console. The npm package does,
 * and so does the script tag's debug build (`/sdk/rapport.debug.js`, for a
 * merchant wiring it up); the script tag's production build
 * (`/sdk/rapport.min.js`, which every shopper downloads) is built with this
 * false, so its warnings and their words are left out, and so is `track()`'s
 * own check of each event (the Worker refuses an invalid event alone).
 * `init()`'s TypeErrors, and a script tag that cannot start, keep their words
 * in every build.
 */
export const DEBUG: boolean = true;
