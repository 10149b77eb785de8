export const VERSION = 'vmsieve 0.1.0';

export const HELP = `vmsieve — read and filter Linux kernel crash dumps (makedumpfile's flags)

Usage:
  vmsieve [-d LEVEL] [-c|-l|-p|-z] [-f] [--num-threads N] VMCOREFILE DUMPFILE   filtered kdump-compressed dump
  vmsieve -E [-d LEVEL] [-f] VMCOREFILE DUMPFILE                               filtered ELF dump
  vmsieve -F [-d LEVEL] [-c|-l|-p|-z] VMCOREFILE > FLATTENED                   flattened format on standard output
  vmsieve -R DUMPFILE < FLATTENED                                              flattened data back to a dump file
  vmsieve --dry-run [--show-stats] [--json] -d LEVEL VMCOREFILE                makedumpfile's "Excluded pages" report
  vmsieve --analyse [--json] [--estimate N | --measure-every N] VMCOREFILE     size of every output at every level
  vmsieve --advise [--json] [--write-speed MB/s] [--max-size BYTES] VMCOREFILE which level and codec to capture with
  vmsieve --dump-dmesg [--partial-dmesg] [-f] VMCOREFILE LOGFILE               the kernel log
  vmsieve --info [--json] VMCOREFILE                                           what the dump is

Options:
  -d, --dump-level LEVEL  0-31: 1 zero pages, 2 non-private cache, 4 private cache, 8 user data, 16 free pages
  -c, -l, -p, -z          compress pages with zlib, LZO, snappy or zstd (default: stored raw)
  -E                      ELF output instead of kdump-compressed
  -F / -R                 write / rearrange makedumpfile's flattened format
  -f                      replace an existing output file
  --num-threads N         compute workers (default: one per core)
  --message-level N       with bit 16, print the report after writing (as makedumpfile)
  --dry-run               classify and report, write nothing
  --show-stats            print the report
  --analyse               exact sizes from one pass: every page measured with every codec
  --estimate N            with --analyse: read one page window in N (a first answer in seconds)
  --measure-every N       with --analyse: read every page (page counts, kdump-none and ELF sizes exact)
                          but compress one page in N, one in 4N with zlib and zstd (codec sizes estimated)
  --advise                predict capture time (read, compress, write) and size for every level and codec,
                          recommend the fastest, print the kdump configuration lines for it
  --write-speed MB/s      with --advise: how fast the dump target writes (default 100: NFS on 1 Gbit/s)
  --max-size BYTES        with --advise: the largest file allowed
  --dump-dmesg            write the kernel log as makedumpfile --dump-dmesg does (--partial-dmesg: since dmesg -c)
  --info                  the dump's facts (release, arch, page size, CPUs, crash time, max pfn, phys_base,
                          KASLR offset, paging levels, PT_LOAD segments, holes, registers)
  --json                  one JSON object instead of text
  -h, --help              this text
  -v, --version           the version

Exit status: 0 success, 1 failure (the message says why), 2 bad usage,
3 the dump was read but has no VMCOREINFO (no page filtering is possible), 130 interrupted.
`;
