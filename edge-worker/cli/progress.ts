/**
 * Progress of the long CLI steps (feature collection, training epochs, evaluation) on stderr.
 */

/**
 * A one-line progress bar on stderr, redrawn at most every 200 ms on a
 * terminal; into a log (not a TTY) a plain line every 30 s instead.
 */
export interface Progress {
  tick(done: number, note?: string): void;
  finish(note?: string): void;
}

/** Starts a progress bar for `total` steps. */
export function progressBar(label: string, total: number): Progress {
  const started = Date.now();
  const terminal = process.stderr.isTTY === true;
  const every = terminal ? 200 : 30_000;
  let drawn = terminal ? 0 : started;
  const draw = (done: number, note: string): void => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - started) / 1000;
    const eta = frac > 0 ? elapsed / frac - elapsed : 0;
    const line = `${label.padEnd(22)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${elapsed.toFixed(0)}s eta ${eta.toFixed(0)}s ${note}`;
    process.stderr.write(terminal ? `\r${line}\x1b[K` : `${line}\n`);
  };
  return {
    tick(done, note = '') {
      const now = Date.now();
      if (now - drawn < every) return;
      drawn = now;
      draw(done, note);
    },
    finish(note = '') {
      draw(total, note);
      if (terminal) process.stderr.write('\n');
    },
  };
}
