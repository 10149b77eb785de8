import { describe, expect, it } from 'vitest';
import { clampLevel, LEVEL_BITS, withBit } from '../../web/lib/dump-level.js';
import { browserThreads } from '../../src/workers/browser-compute.js';
import { codecOf, compressingWorkers, exportName, formatOf, makedumpfileCommand } from '../../web/lib/export-choice.js';
import { eta, mb, mbPerSecond, percentDone, phaseText, seconds } from '../../web/lib/job-text.js';
import { lossSummary, plural } from '../../web/lib/keep-loss.js';

describe('dump level', () => {
  it('clamps a typed level to a whole 0…31, 0 for what is not a number', () => {
    expect([clampLevel(-3), clampLevel(12.7), clampLevel(40), clampLevel(Number.NaN)]).toEqual([0, 12, 31, 0]);
  });

  it('sets and clears one bit, the five bits making 31', () => {
    expect(withBit(31, 16, false)).toBe(15);
    expect(withBit(15, 16, true)).toBe(31);
    expect(withBit(1, 1, true)).toBe(1);
    expect(LEVEL_BITS.reduce((a, b) => a | b.bit, 0)).toBe(31);
  });
});

describe('export choice', () => {
  it('names the output, its format and codec', () => {
    expect(exportName('a.vmcore', 31, 'kdump-zlib')).toBe('a.vmcore.d31.kdump');
    expect(exportName('a.vmcore', 1, 'elf')).toBe('a.vmcore.d1.elf');
    expect([formatOf('elf'), formatOf('kdump-none')]).toEqual(['elf', 'kdump']);
    expect([codecOf('kdump-zstd'), codecOf('kdump-none'), codecOf('elf')]).toEqual(['zstd', 'none', undefined]);
  });

  it('says the makedumpfile command, with no flag for uncompressed kdump', () => {
    expect(makedumpfileCommand('a.vmcore', 31, 'kdump-zlib')).toBe('makedumpfile -c -d 31 a.vmcore a.vmcore.d31.kdump');
    expect(makedumpfileCommand('a.vmcore', 31, 'kdump-none')).toBe('makedumpfile -d 31 a.vmcore a.vmcore.d31.kdump');
    expect(makedumpfileCommand('a.vmcore', 0, 'elf')).toBe('makedumpfile -E -d 0 a.vmcore a.vmcore.d0.elf');
  });

  it('clamps workers to a whole 1…64, the machine\'s threads for what is not a count; none compress uncompressed outputs', () => {
    expect([browserThreads(3.9), browserThreads(500), browserThreads(0), browserThreads(Number.NaN)]).toEqual([3, 64, browserThreads(), browserThreads()]);
    expect([compressingWorkers('kdump-lzo', 2), compressingWorkers('kdump-none', 2), compressingWorkers('elf', 2)]).toEqual([2, 0, 0]);
  });
});

describe('job text', () => {
  it('words sizes, times and rates', () => {
    expect([mb(1_234_567), mb(512_000_000)]).toEqual(['1.2 MB', '512 MB']);
    expect(seconds(1234)).toBe('1.2');
    expect(mbPerSecond(300e6, 2000)).toBe('150');
    expect(mbPerSecond(1e6, 0)).toBe('1000');
    expect(percentDone({ doneBytes: 999, totalBytes: 1000 })).toBe(99);
  });

  it('words the time left', () => {
    expect([eta(null), eta(Number.POSITIVE_INFINITY), eta(0.4), eta(12.2), eta(150)]).toEqual([
      'estimating time left',
      'estimating time left',
      'under a second left',
      '13 s left',
      '2 min 30 s left',
    ]);
  });

  it('says what the job does, the classification first whatever the job', () => {
    expect(phaseText('classify', 'export', 'x')).toBe('Classifying pages (once per dump)');
    expect(phaseText('write', 'export', 'a.d31.kdump')).toBe('Writing a.d31.kdump');
    expect(phaseText(undefined, 'estimate', 'x')).toBe('Estimating from small windows spread over the dump');
    expect(phaseText(undefined, 'idle', 'x')).toBe('');
  });
});

describe('keep loss', () => {
  it('counts distinct pages and names the reasons in the order first seen', () => {
    const dropped = [
      { pfn: 5, reason: 'user' },
      { pfn: 5, reason: 'user' },
      { pfn: 9, reason: 'free' },
      { pfn: 7, reason: 'absent' },
    ];
    expect(lossSummary(dropped)).toEqual({ pages: 3, reasons: 'user data, free, missing from this file' });
    expect([plural(1, 'page'), plural(2048, 'page')]).toEqual(['1 page', '2,048 pages']);
  });
});
