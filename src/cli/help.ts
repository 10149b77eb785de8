export const VERSION = 'vmsieve 0.1.0';

export const HELP = `vmsieve — read and filter Linux kernel crash dumps (makedumpfile's flags)

Usage:
  vmsieve --info [--json] VMCOREFILE     what the dump is: kernel release, CPUs, crash time, memory layout

Options:
  --info          print the dump's facts (release, arch, page size, CPUs, crash time, max pfn,
                  phys_base, KASLR offset, paging levels, PT_LOAD segments, holes, registers)
  --json          print one JSON object instead of text
  -h, --help      this text
  -v, --version   the version

Exit status: 0 success, 1 failure (the message says why), 2 bad usage,
3 the dump was read but has no VMCOREINFO (no page filtering is possible).
`;
