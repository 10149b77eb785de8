import { VmsieveError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import type { Dump } from '../model/dump.js';
import { FlattenedSource, isFlattened } from './flat/read-flattened.js';
import { readElfDump } from './elf/read-elf.js';
import { DISKDUMP_SIGNATURE, KDUMP_SIGNATURE } from './kdump/diskdump.js';
import { isKdumpDump, readKdumpDump } from './kdump/read-kdump.js';
import { splitSet } from './kdump/split-set.js';

/**
 * Detects the input format from its first bytes and reads its structure. A flattened file (-F, or QEMU's kdump
 * formats) is indexed once and then read as the file it stands for.
 */
export async function openDump(source: ByteSource): Promise<Dump> {
  if (source.size === 0) throw new VmsieveError('E_EMPTY', `${source.name} is empty (0 bytes): not a kernel crash dump`);
  const head = await source.read(0, Math.min(16, source.size));
  const text = new TextDecoder('latin1').decode(head);
  if (head[0] === 0x7f && text.startsWith('\x7fELF')) return readElfDump(source);
  if (text.startsWith(KDUMP_SIGNATURE) || text.startsWith(DISKDUMP_SIGNATURE)) return readKdumpDump(source);
  if (isFlattened(head)) {
    const restored = await FlattenedSource.open(source);
    if (restored.size === 0 || isFlattened(await restored.read(0, Math.min(16, restored.size))))
      throw new VmsieveError('E_BAD_HEADER', `${source.name}: the flattened records restore to another flattened file (or nothing): not a dump`);
    return openDump(restored);
  }
  if (source.size < 4 || (head[0] === 0x7f && '\x7fELF'.startsWith(text)))
    throw new VmsieveError('E_TRUNCATED', `${source.name} is only ${source.size} bytes: too short to be a kernel crash dump`);
  const shown = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new VmsieveError('E_UNKNOWN_FORMAT', `${source.name} is not a kernel crash dump: it starts with bytes ${shown}, not an ELF, kdump-compressed or flattened signature`);
}

/**
 * Several inputs are the files of one `makedumpfile --split` run, read as one dump; a missing or foreign member is an
 * E_SPLIT_SET error that names it. One input is just openDump.
 */
export async function openDumps(sources: readonly ByteSource[]): Promise<Dump> {
  if (sources.length === 1) return openDump(sources[0]!);
  const members = [];
  for (const s of sources) {
    const d = await openDump(s);
    if (!isKdumpDump(d))
      throw new VmsieveError('E_SPLIT_SET', `${s.name} is an ELF vmcore: only kdump-compressed files from makedumpfile --split are read together`, { file: s.name });
    members.push(d);
  }
  return splitSet(members);
}
