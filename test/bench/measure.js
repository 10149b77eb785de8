// Timing helpers for the bench: whole commands under GNU time, medians of alternating runs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. Throws with its stderr when it fails. */
export function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const last = r.stderr.trim().split('\n').pop();
  const [wall, rssKb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { wall, rssMiB: rssKb / 1024 };
}

/**
 * Times each command of `commands` ([cmd, args] or undefined to leave it out) `runs` times, alternating between them
 * so that a slow moment of the machine hits both; `out` is removed before every run. Returns per command the median
 * wall time and the peak RSS.
 */
export function alternate(commands, runs, out) {
  const walls = commands.map(() => []);
  const rss = commands.map(() => 0);
  for (let i = 0; i < runs; i++)
    commands.forEach((c, j) => {
      if (!c) return;
      if (out) rmSync(out, { force: true });
      const r = timed(c[0], c[1]);
      walls[j].push(r.wall);
      rss[j] = Math.max(rss[j], r.rssMiB);
    });
  if (out) rmSync(out, { force: true });
  return commands.map((c, j) => (c ? { wall: median(walls[j]), rssMiB: rss[j] } : undefined));
}

/** Seconds a warm sequential read of the file takes (the page cache's and disk's bound for any tool). */
export function readSeconds(file) {
  timed('sh', ['-c', `cat "${file}" > /dev/null`]);
  return median([0, 1, 2].map(() => timed('sh', ['-c', `cat "${file}" > /dev/null`]).wall));
}
