"""Reads physical address ranges of a dump with libkdumpfile, apart from vmsieve's own readers.
Usage: read_phys.py DUMP PADDR:LENGTH...; prints one line per range: its bytes in hex, or nothing where unreadable."""
import sys
import kdumpfile

k = kdumpfile.kdumpfile(sys.argv[1])
k.attr['addrxlat.ostype'] = 'linux'
for r in sys.argv[2:]:
    paddr, length = (int(x, 0) for x in r.split(':'))
    try:
        print(k.read(kdumpfile.KDUMP_KPHYSADDR, paddr, length).hex())
    except Exception:
        print('')
