import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';

/** One run of the fixtures' makedumpfile matrix (the oracle JSON's `matrix`). */
export interface MatrixRun {
  format_requested: string;
  dump_level: number;
  output_sha256: string;
}

export function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

/** Debian's python, where the libkdumpfile and drgn bindings live. */
export const PY = '/usr/bin/python3';
export const hasReaders = existsSync(PY) && spawnSync(PY, ['-c', 'import kdumpfile, drgn']).status === 0;
/** The codecs vmsieve reads back: zlib, LZO, snappy, zstd (Debian's makedumpfile 1.7.2 is built without snappy and zstd: its -p and -z store every page raw). */
export const CODEC_FLAGS = ['-c', '-l', '-p', '-z'] as const;

/** makedumpfile's report label for each count of its oracle record. */
const REPORT_LABELS = {
  zero_pages: 'Pages filled with zero  :',
  non_private_cache_pages: 'Non-private cache pages :',
  private_cache_pages: 'Private cache pages     :',
  user_process_data_pages: 'User process data pages :',
  free_pages: 'Free pages              :',
  hwpoison_pages: 'Hwpoison pages          :',
  offline_pages: 'Offline pages           :',
} as const;

/** The lines makedumpfile --message-level 31 prints for `keys` of a record, as it prints them (hex, 16 digits). */
export function reportLines(counts: Record<keyof typeof REPORT_LABELS, number>, keys: ReadonlyArray<keyof typeof REPORT_LABELS>): string[] {
  return keys.map((k) => `${REPORT_LABELS[k]} 0x${counts[k].toString(16).padStart(16, '0')}`);
}
