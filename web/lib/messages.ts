import type { ErrorCode } from '../../src/browser.js';

/** A short headline per error code; the library's message (which names the file and the bytes) goes below it. */
const headlines: Record<ErrorCode, string> = {
  E_EMPTY: 'Empty file',
  E_UNKNOWN_FORMAT: 'Not a crash dump',
  E_NOT_ELF: 'Not a crash dump',
  E_TRUNCATED: 'Truncated file',
  E_NOT_CORE: 'Not a core file',
  E_ELF_CLASS: 'Unsupported dump',
  E_ELF_ENDIAN: 'Unsupported dump',
  E_ELF_MACHINE: 'Unsupported architecture',
  E_BAD_HEADER: 'Damaged ELF header',
  E_SEGMENT_PAST_EOF: 'Truncated dump',
  E_NO_LOAD: 'No memory in this dump',
  E_NO_VMCOREINFO: 'No VMCOREINFO — only zero pages can be filtered',
  E_BAD_VMCOREINFO: 'Damaged VMCOREINFO',
  E_ABSURD_SIZE: 'Corrupt dump',
  E_NOT_IN_DUMP: 'Memory missing from the dump',
  E_TRANSLATE: 'Address translation failed',
  E_USAGE: 'Invalid request',
  E_IO: 'Could not read the file',
  E_EXISTS: 'File already exists',
  E_CANCELLED: 'Cancelled',
  E_UNSUPPORTED: 'Unsupported format',
  E_SPLIT_SET: 'Incomplete split set',
  E_CORRUPT: 'Corrupt dump',
  E_WORKER: 'A compute worker failed',
};

const READS =
  'vmsieve reads ELF vmcores (/proc/vmcore saved by kdump, QEMU’s dump-guest-memory output) and makedumpfile’s kdump-compressed, flattened and split dumps.';

/** One line of advice for the codes where there is something useful to say. */
const hints: Partial<Record<ErrorCode, string>> = {
  E_EMPTY: 'The file has no bytes at all. Was the dump still being written, or did the copy fail?',
  E_UNKNOWN_FORMAT: `${READS} Check that you picked the dump and not a log or an archive.`,
  E_NOT_ELF: READS,
  E_TRUNCATED: 'The file ends before its headers do. Copy the dump again, completely.',
  E_NOT_CORE: 'This is a program or library, not a memory dump. Kernel crash dumps are ELF files of type CORE.',
  E_ELF_CLASS: 'Only 64-bit kernel dumps (x86_64, arm64, ppc64le, s390x, riscv64) can be read.',
  E_ELF_ENDIAN: 'Each architecture’s dumps are read in its own byte order: x86_64, arm64, ppc64le and riscv64 little-endian, s390x big-endian.',
  E_ELF_MACHINE: 'Only x86_64, arm64, ppc64le, s390x and riscv64 kernel dumps can be read.',
  E_SEGMENT_PAST_EOF: 'Part of the memory the headers describe is missing from the file. Copy the dump again, completely.',
  E_NO_VMCOREINFO:
    'Without VMCOREINFO the kernel’s release and structures are unknown, so pages cannot be classified; zero pages can still be dropped.',
  E_CORRUPT: 'Two parts of the file contradict each other, so its pages cannot be trusted. Copy the dump again, or use another copy.',
  E_IO: 'The browser could not read the file. It may have been moved or changed while open; choose it again.',
  E_WORKER: 'A background thread of the page stopped. Try again; if it happens again, reload the page.',
};

export interface ShownError {
  code: string;
  headline: string;
  message: string;
  hint?: string;
}

/** What the page shows for any failure: known codes get their headline, anything else is reported as unexpected. */
export function describeError(e: unknown): ShownError {
  const code = typeof (e as { code?: unknown })?.code === 'string' ? ((e as { code: string }).code) : '';
  const message = e instanceof Error ? e.message : String(e);
  if (code in headlines) {
    const c = code as ErrorCode;
    return { code, headline: headlines[c], message, hint: hints[c] };
  }
  if (e instanceof DOMException && e.name === 'NotReadableError')
    return { code: 'E_IO', headline: headlines.E_IO, message, hint: hints.E_IO };
  return { code: code || 'E_INTERNAL', headline: 'Unexpected error', message, hint: 'This is a bug in vmsieve; the message above says where it happened.' };
}

/** Warnings carry an error code (describeDump) or a W_ code (the filter); both name the same conditions. */
const warningAliases: Record<string, ErrorCode> = { W_NO_VMCOREINFO: 'E_NO_VMCOREINFO' };

/** The headline for a warning code; codes without one get a plain "Warning" and their message says the rest. */
export function warningHeadline(code: string): string {
  const c = warningAliases[code] ?? code;
  return c in headlines ? headlines[c as ErrorCode] : code === 'W_KERNEL_TOO_NEW' ? 'Kernel newer than the known rules' : 'Warning';
}

export function warningHint(code: string): string | undefined {
  return hints[(warningAliases[code] ?? code) as ErrorCode];
}
