import { VmsieveError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import type { Dump } from './dump.js';
import { FlattenedSource, isFlattened } from './flat/read-flattened.js';
import { readElfDump } from './elf/read-elf.js';
import { DISKDUMP_SIGNATURE, KDUMP_SIGNATURE } from './kdump/diskdump.js';
import { readKdumpDump } from './kdump/read-kdump.js';

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
