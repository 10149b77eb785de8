/**
 * makedumpfile's --dump-dmesg text for one record (printk.c dump_record, makedumpfile.c dump_log_entry; the same
 * rules in both):
 * - prefix `[%5lld.%06ld] ` (seconds, microseconds), then, in makedumpfile ≥ 1.7.5 only, `[%8s] ` with the caller id;
 * - each byte of the text: '\n' becomes a newline followed by as many spaces as the prefix is long; bytes that C's
 *   isprint() or isspace() accept in the C locale (0x20–0x7e, \t \v \f \r) are copied; every other byte is written
 *   as `\x%02x` of a *signed* char, so 0x80–0xff come out as `\xffffff80` … `\xffffffff`;
 * - one '\n' ends the record. Dictionary / dev_info data is never printed.
 */

const NSEC_PER_SEC = 1_000_000_000n;
const CALLER_CPU_BIT = 0x80000000;
/** makedumpfile's PID_CHARS_DEFAULT: the caller column is right-aligned in 8 characters. */
const CALLER_WIDTH = 8;

/** `%5lld.%06ld` of ts/1e9 and (ts%1e9)/1000, without the brackets. */
export function formatTimestamp(tsNsec: bigint): string {
  const ts = BigInt.asUintN(64, tsNsec);
  const secs = BigInt.asIntN(64, ts / NSEC_PER_SEC);
  const usec = (ts % NSEC_PER_SEC) / 1000n;
  return `${secs.toString().padStart(5, ' ')}.${usec.toString().padStart(6, '0')}`;
}

/** The caller id as `%c%u`: "T" + task id, or "C" + CPU number when bit 31 is set. */
export function formatCaller(callerId: number): string {
  const id = callerId >>> 0;
  return (id & CALLER_CPU_BIT) !== 0 ? `C${(id & ~CALLER_CPU_BIT) >>> 0}` : `T${id}`;
}

export function recordPrefix(tsNsec: bigint, callerId: number | undefined): string {
  let p = `[${formatTimestamp(tsNsec)}] `;
  if (callerId !== undefined) p += `[${formatCaller(callerId).padStart(CALLER_WIDTH, ' ')}] `;
  return p;
}

/** C-locale isprint(c) || isspace(c), for a byte 0..255 (char is signed on x86_64, so ≥ 0x80 is neither). */
function keptAsIs(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d);
}

/** One record exactly as makedumpfile writes it, final newline included. `callerId` undefined = no caller column. */
export function formatRecord(tsNsec: bigint, text: Uint8Array, callerId?: number): string {
  const prefix = recordPrefix(tsNsec, callerId);
  const newline = `\n${' '.repeat(prefix.length)}`;
  const parts: string[] = [prefix];
  let run = 0;
  let start = 0;
  const flush = (end: number) => {
    if (end > start) parts.push(String.fromCharCode.apply(null, Array.from(text.subarray(start, end))));
  };
  for (let i = 0; i < text.length; i++) {
    const b = text[i];
    if (b !== 0x0a && keptAsIs(b)) {
      if (run === 0) start = i;
      run++;
      if (run >= 4096) {
        flush(i + 1);
        run = 0;
      }
      continue;
    }
    if (run > 0) flush(i);
    run = 0;
    if (b === 0x0a) parts.push(newline);
    else if (b >= 0x80) parts.push(`\\xffffff${b.toString(16).padStart(2, '0')}`);
    else parts.push(`\\x${b.toString(16).padStart(2, '0')}`);
  }
  if (run > 0) flush(text.length);
  parts.push('\n');
  return parts.join('');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The text for display: UTF-8, invalid sequences replaced. */
export function decodeText(text: Uint8Array): string {
  return utf8.decode(text);
}

/** A NUL-terminated C string inside a fixed-size field (dev_printk_info.subsystem / .device). */
export function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}
