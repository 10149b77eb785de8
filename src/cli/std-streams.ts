import { fstatSync, readSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** The descriptor under a standard stream (process.stdin and process.stdout have one), else undefined. */
export function streamFd(stream: Readable | Writable): number | undefined {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : undefined;
}

/**
 * Whether standard stream `fd` was closed when the process started. Node then opens /dev/null in its place for
 * reading and writing, where a shell's `> /dev/null` opens it for writing only: /dev/null that reads is the stand-in.
 */
export function closedAtStart(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    if (!s.isCharacterDevice() || s.rdev !== statSync('/dev/null').rdev) return false;
    readSync(fd, new Uint8Array(1));
    return true;
  } catch {
    return false;
  }
}
