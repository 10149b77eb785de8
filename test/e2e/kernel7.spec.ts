// The page on Linux 7.x dumps, whose kallsyms offsets are place-relative: the crashing CPU's instruction pointer and
// registers get the kernel's names, as the command line gives them. The 7.x kdumps are too large to commit: this runs
// where VMSIEVE_MORE_FIXTURES holds them (fixtures/real/README.md) and says it is skipped otherwise.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { closeDumpPage, openDumpPage } from '../helpers/page-dump.js';
import { realFixtures, repoRoot } from '../helpers/fixtures.js';

const dumps = realFixtures().filter((f) => /^7\./.test(String(f.oracle.vmcoreinfo_summary?.OSRELEASE ?? '')));

test.describe('Linux 7.x dumps in the page', () => {
  test.setTimeout(240_000);
  if (dumps.length === 0)
    test('names from a Linux 7.x dump', () => test.skip(true, 'no Linux 7.x dump here: set VMSIEVE_MORE_FIXTURES to a folder holding one (fixtures/real/README.md)'));

  for (const f of dumps)
    test(`${f.name}: the crashing instruction pointer and the registers are named as --info names them`, async ({ browser }, info) => {
      const cli = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--info', '--json', f.vmcore], { encoding: 'utf8' }).stdout);
      expect(cli.crashingIpSymbol).toMatch(/^\w+\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
      const page = await openDumpPage(browser, info, f.vmcore);
      try {
        await expect(page.getByTestId('crash-ip-symbol')).toHaveText(cli.crashingIpSymbol, { timeout: 60_000 });
        const named = Object.values(cli.cpuRegisters[0].symbols ?? {}) as string[];
        expect(named.length).toBeGreaterThan(0);
        for (const name of named) await expect(page.getByTestId('crash-registers')).toContainText(name);
      } finally {
        await closeDumpPage(page);
      }
    });
});
