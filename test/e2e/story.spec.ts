// The crash story comes first: at 1280×800, right after a real dump opens, the release, architecture and What
// happened's headline line are in the window without scrolling, and the dump's own level is named for kdump input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';
import { closeDumpPage, openDumpPage } from '../helpers/page-dump.js';

const skip = realFixturesSkipReason();
const fixtures = realFixtures();

test.describe('the crash story first', () => {
  test.skip(!!skip, skip ?? '');
  test.use({ viewport: { width: 1280, height: 800 } });

  for (const f of fixtures.slice(0, 3))
    test(`${f.name}: the story is in the first 800 px`, async ({ browser }, info) => {
      const page = await openDumpPage(browser, info, f.vmcore);
      try {
        await expect(page.getByTestId('what-happened')).toBeVisible();
        await expect(page.getByTestId('crash-loading')).toHaveCount(0, { timeout: 60_000 });
        for (const id of ['summary-title', 'what-title'])
          expect(await page.locator(`#${id}`).evaluate((e) => e.getBoundingClientRect().bottom), id).toBeLessThanOrEqual(800);
        const headline = page.getByTestId('crash-message');
        if (await headline.count()) expect(await headline.evaluate((e) => e.getBoundingClientRect().bottom)).toBeLessThanOrEqual(800);
        const release: string = f.oracle.vmcoreinfo_summary.OSRELEASE;
        expect(release).toBeTruthy();
        await expect(page.locator('#summary-title')).toContainText(release);
      } finally {
        await closeDumpPage(page);
      }
    });

  test('a kdump-compressed input names the level it was filtered at', async ({ browser }, info) => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsieve-e2e-story-'));
    const out = join(dir, 'filtered.kdump');
    expect(spawnSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '-l', '-d', '17', fixtures[0]!.vmcore, out]).status).toBe(0);
    const page = await openDumpPage(browser, info, out);
    try {
      await expect(page.getByTestId('summary')).toContainText('kdump-compressed file at dump level 17');
    } finally {
      await closeDumpPage(page);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
