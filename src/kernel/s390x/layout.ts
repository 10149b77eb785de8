import type { DumpWarning } from '../../api-types.js';
import type { VmcoreInfo } from '../../model/vmcoreinfo.js';

/** makedumpfile's s390x SECTION_SIZE_BITS (256 MiB sections) when VMCOREINFO lacks it. */
const FALLBACK_SECTION_SIZE_BITS = 28;
/** MAX_PHYSMEM_BITS of s390x kernels before 3.3, and since. */
const PHYSMEM_BITS_CANDIDATES = [42, 46] as const;

export interface S390xSparseBits {
  maxPhysmemBits: number | undefined;
  sectionSizeBits: number;
  warnings: DumpWarning[];
}

/**
 * SECTION_SIZE_BITS and MAX_PHYSMEM_BITS with makedumpfile's s390x fallbacks: 28 for the first; for the second, the
 * candidate (42 before Linux 3.3, 46 since) whose section count LENGTH(mem_section) matches, extreme or not.
 */
export function s390xSparseBits(info: VmcoreInfo, pageSize: number): S390xSparseBits {
  const warnings: DumpWarning[] = [];
  const sectionKey = info.number('SECTION_SIZE_BITS');
  const sectionSizeBits = sectionKey !== undefined ? Number(sectionKey) : FALLBACK_SECTION_SIZE_BITS;
  if (sectionKey === undefined)
    warnings.push({ code: 'W_NO_SECTION_SIZE_BITS', message: `VMCOREINFO lacks NUMBER(SECTION_SIZE_BITS): makedumpfile's s390x value ${FALLBACK_SECTION_SIZE_BITS} is used.` });
  const physKey = info.number('MAX_PHYSMEM_BITS');
  if (physKey !== undefined) return { maxPhysmemBits: Number(physKey), sectionSizeBits, warnings };
  const length = info.length('mem_section');
  const sectionBytes = info.size('mem_section');
  const maxPhysmemBits = PHYSMEM_BITS_CANDIDATES.find((bits) => {
    const sections = 2 ** (bits - sectionSizeBits);
    return length !== undefined && sectionBytes !== undefined && (length === sections / (pageSize / sectionBytes) || length === sections);
  });
  if (maxPhysmemBits !== undefined)
    warnings.push({ code: 'W_NO_MAX_PHYSMEM_BITS', message: `VMCOREINFO lacks NUMBER(MAX_PHYSMEM_BITS): ${maxPhysmemBits} is taken from LENGTH(mem_section), as makedumpfile does.` });
  return { maxPhysmemBits, sectionSizeBits, warnings };
}
