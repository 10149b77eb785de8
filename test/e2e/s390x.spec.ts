// The page on a real s390x dump (next-s390x-qemu-1g: QEMU's dump-guest-memory of a running big-endian guest): the
// summary names the architecture, What happened says nothing crashed and shows no CPU as the crashing one, the class
// map has makedumpfile's -d 31 counts, and the -c -d 31 export is the CLI's file byte for byte.
import { expect, test } from '@playwright/test';
import { describeSharedDumpPage, expectRecordClassCounts, expectZlibExportLikeCli } from '../helpers/page-dump.js';

describeSharedDumpPage('next-s390x-qemu-1g', 'a real s390x dump in the page', (page, fixture, path) => {
  test('summary: arch s390x, no phys_base, a region-third root (3 levels), no warning', async () => {
    await expect(page().getByTestId('fact-release')).toHaveText('6.1.0-50-s390x');
    await expect(page().getByTestId('fact-arch')).toHaveText('s390x');
    await expect(page().getByTestId('fact-page-size')).toHaveText('4 KiB');
    await expect(page().getByTestId('fact-phys-base')).toHaveText('0x0');
    await expect(page().getByTestId('fact-paging')).toHaveText('3');
    await expect(page().getByTestId('warning')).toHaveCount(0);
  });

  test('what happened: no crash, taken from the running guest; no crashing CPU is named', async () => {
    await expect(page().getByTestId('crash-kind')).toHaveText('No crash', { timeout: 60_000 });
    await expect(page().getByTestId('crash-message')).toHaveText('No crash recorded: this dump was taken from a running system');
    await expect(page().getByTestId('crash-cpu')).toHaveCount(0);
  });

  test("the class map: its legend the record's -d 31 counts", () => expectRecordClassCounts(page(), fixture()));

  test('export -d 31 -c gives the bytes of vmsieve -c -d 31', () => expectZlibExportLikeCli(page(), path));
});
