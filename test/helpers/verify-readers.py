#!/usr/bin/env python3
"""Reads every page of an ELF vmcore (either byte order) back through libkdumpfile and drgn from each dump given,
and counts the pages that are identical, different, or not in the dump (excluded).
Usage: verify-readers.py [--no-drgn] SOURCE.elf DUMP [DUMP...]"""
import mmap, struct, sys
import kdumpfile, drgn

PAGE = 4096


def elf_pages(path):
    f = open(path, 'rb')
    d = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    order = '<' if d[5] == 1 else '>'
    phoff, = struct.unpack_from(order + 'Q', d, 32)
    phnum, = struct.unpack_from(order + 'H', d, 56)
    pages = {}
    for i in range(phnum):
        typ, _flags, off, _va, pa, fsz, msz, _align = struct.unpack_from(order + 'IIQQQQQQ', d, phoff + 56 * i)
        if typ == 1:
            for p in range(0, msz, PAGE):
                pages[(pa + p) // PAGE] = (d, off + p) if p < fsz else None
    return pages


def content(ref):
    return bytes(PAGE) if ref is None else ref[0][ref[1]:ref[1] + PAGE]


args = sys.argv[1:]
with_drgn = '--no-drgn' not in args
args = [a for a in args if a != '--no-drgn']
src = elf_pages(args[0])
for path in args[1:]:
    k = kdumpfile.kdumpfile(path)
    k.attr['addrxlat.ostype'] = 'linux'
    a = k.attr
    print(f'== {path}: libkdumpfile format={a["file.format"]} arch={a.get("arch.name")} '
          f'page_size={a["arch.page_size"]} release={a.get("linux.uts.release")} max_pfn={a.get("max_pfn")}')
    same = differ = missing = 0
    for pfn, ref in src.items():
        try:
            got = k.read(kdumpfile.KDUMP_KPHYSADDR, pfn * PAGE, PAGE)
        except Exception:  # an excluded page: KDUMP_ERR_NODATA
            missing += 1
            continue
        if got == content(ref): same += 1
        else: differ += 1
    print(f'   libkdumpfile: identical={same} differing={differ} excluded/nodata={missing}')
    if not with_drgn:
        continue
    p = drgn.Program()
    p.set_core_dump(path)
    same = differ = faults = 0
    for pfn, ref in src.items():
        try:
            got = p.read(pfn * PAGE, PAGE, True)
        except drgn.FaultError:
            faults += 1
            continue
        if got == content(ref): same += 1
        else: differ += 1
    print(f'   drgn: flags={p.flags} identical={same} differing={differ} faults={faults}')
