// Peak memory of the processes a process started (Chromium's browser, renderer, GPU and utility processes, under the
// Node process that launched them), sampled from /proc.
import { readdirSync, readFileSync } from 'node:fs';

const PAGE = 4096;

/** Each live pid's parent, from /proc/<pid>/stat (the field after the parenthesised command name). */
function parents() {
  const ppid = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      ppid.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited between readdir and read
    }
  }
  return ppid;
}

/** The pids of `root`'s descendants, not `root` itself. */
export function descendants(root) {
  const ppid = parents();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of ppid)
      if (!tree.has(pid) && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
  }
  tree.delete(root);
  return tree;
}

/** Sum of resident bytes of `root`'s descendants (shared pages count once per process that maps them). */
function descendantsRss(root) {
  let bytes = 0;
  for (const pid of descendants(root)) {
    try {
      bytes += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
    } catch {
      // exited
    }
  }
  return bytes;
}

/** Samples the RSS of `root`'s descendants every `everyMs` until the returned stop() is called; stop() gives the peak in MiB. */
export function sampleDescendantsRss(root, everyMs = 100) {
  let peak = descendantsRss(root);
  const timer = setInterval(() => (peak = Math.max(peak, descendantsRss(root))), everyMs);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, descendantsRss(root));
    return peak / 2 ** 20;
  };
}
