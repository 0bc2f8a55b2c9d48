/**
 * The memory a local Worker holds: the resident set of the `workerd` processes `wrangler dev`
 * started (its process group), read from /proc. The bench reads it before and after a fresh
 * isolate's first decision: the growth is what loading the published model and catalog costs
 * (plus whatever the first request allocates besides).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Bytes resident in the workerd processes of process group `group` (0 where /proc is not there). */
export function workerdRss(group: number): number {
  let total = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces, so split after its closing parenthesis.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== group || !comm.startsWith('workerd')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += Number(rss?.[1] ?? 0) * 1024;
    } catch {
      // the process ended while being read
    }
  }
  return total;
}
