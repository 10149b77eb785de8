"""Reads two kdump files with libkdumpfile, page by page: the same pages in both, every byte equal except in the
ranges given (paddr:length, in the first file's terms), which must be zero in the second. Prints one JSON line."""
import json, sys
import kdumpfile

plain, erased, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
ranges = [tuple(int(x, 0) for x in r.split(':')) for r in sys.argv[4:]]
a, b = kdumpfile.kdumpfile(plain), kdumpfile.kdumpfile(erased)
for k in (a, b):
    k.attr['addrxlat.ostype'] = 'linux'
max_pfn = a.attr['max_pfn']

def read(k, pfn):
    try:
        return k.read(kdumpfile.KDUMP_KPHYSADDR, pfn * page_size, page_size)
    except Exception:
        return None

erased_in = {}
for paddr, length in ranges:
    for at in range(paddr, paddr + length):
        erased_in.setdefault(at // page_size, set()).add(at % page_size)
pages = same = zeroed = 0
problems = []
for pfn in range(max_pfn):
    x, y = read(a, pfn), read(b, pfn)
    if (x is None) != (y is None):
        problems.append(f'pfn {pfn:#x} readable in one file only')
        continue
    if x is None:
        continue
    pages += 1
    gone = erased_in.get(pfn)
    if not gone:
        if x == y:
            same += 1
        else:
            problems.append(f'pfn {pfn:#x} differs')
        continue
    for i in range(page_size):
        if i in gone:
            if y[i] != 0:
                problems.append(f'pfn {pfn:#x}+{i:#x} not zeroed')
                break
            zeroed += 1
        elif x[i] != y[i]:
            problems.append(f'pfn {pfn:#x}+{i:#x} differs')
            break
print(json.dumps({'pages': pages, 'identical': same, 'zeroedBytes': zeroed, 'problems': problems[:20]}))
