#!/usr/bin/env python3
"""Page-exact check of kdump files against their source ELF vmcore with libkdumpfile, by machine physical address:
for architectures libkdumpfile cannot translate (0.5.1 knows no riscv64), where verify_readers.py's kernel-physical
reads fail. Pages follow makedumpfile's readpage_elf: the first PT_LOAD holding a byte wins; bytes past p_filesz or
between segments are zero. Usage: kdumpfile-pages.py SOURCE.vmcore DUMP [DUMP...]; one line per DUMP."""
import mmap, struct, sys
import kdumpfile

PAGE = 4096
with open(sys.argv[1], 'rb') as f:
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
phoff, = struct.unpack_from('<Q', m, 32)
phnum, = struct.unpack_from('<H', m, 56)
segs = []
for i in range(phnum):
    t, _fl, off, _va, pa, fsz, msz, _al = struct.unpack_from('<IIQQQQQQ', m, phoff + 56 * i)
    if t == 1:
        segs.append((pa, pa + msz, off, fsz))

def page(pfn):
    buf = bytearray(PAGE)
    lo, hi = pfn * PAGE, (pfn + 1) * PAGE
    for pa, end, off, fsz in reversed(segs):
        a, b = max(lo, pa), min(hi, end)
        if a >= b:
            continue
        buf[a - lo:b - lo] = bytes(b - a)
        fa, fb = a, min(b, pa + fsz)
        if fa < fb:
            buf[fa - lo:fb - lo] = m[off + fa - pa:off + fb - pa]
    return bytes(buf)

pfns = sorted({p for pa, end, _o, _f in segs for p in range(pa // PAGE, (end + PAGE - 1) // PAGE)})
dumps = [kdumpfile.kdumpfile(path) for path in sys.argv[2:]]
counts = [[0, 0, 0] for _ in dumps]  # identical, differing, excluded
for pfn in pfns:
    want = None
    for k, c in zip(dumps, counts):
        try:
            got = k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * PAGE, PAGE)
        except Exception:  # excluded page: KDUMP_ERR_NODATA
            c[2] += 1
            continue
        want = want if want is not None else page(pfn)
        c[0 if got == want else 1] += 1
for path, (ok, bad, excl) in zip(sys.argv[2:], counts):
    print(f'{path}: identical={ok} differing={bad} excluded={excl}')
