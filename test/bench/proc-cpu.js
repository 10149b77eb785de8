// CPU time of the processes a process started (Chromium's browser, renderer, GPU and utility processes), from /proc.
import { readFileSync } from 'node:fs';
import { descendants } from './proc-rss.js';

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat on every Linux this runs on. */
const TICKS_PER_S = 100;

/** User + system seconds of `root`'s descendants so far, summed by Chromium process type (--type=…; none: the browser process). */
function cpuByType(root) {
  const out = { browser: 0, renderer: 0, other: 0 };
  for (const pid of descendants(root)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const type = /--type=renderer/.test(cmd) ? 'renderer' : /--type=/.test(cmd) ? 'other' : 'browser';
      out[type] += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    } catch {
      // exited
    }
  }
  return out;
}

/** Starts counting; the returned stop() gives the CPU seconds each process type used meanwhile. */
export function countDescendantsCpu(root) {
  const before = cpuByType(root);
  return () => {
    const after = cpuByType(root);
    return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
  };
}
