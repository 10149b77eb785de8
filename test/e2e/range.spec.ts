// Area selection: a shift-drag across a level map (or two typed pfns) lists what the area holds and what each
// compared level leaves out and keeps of it, equal to `vmsieve --dry-run --json --range START-END` at each level.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { realFixtures, realFixturesSkipReason, repoRoot } from '../helpers/fixtures.js';
import { closeDumpPage, openDumpPage } from '../helpers/page-dump.js';

const skip = realFixturesSkipReason();
const dump = realFixtures()[0];
const ROWS = ['zero', 'cache', 'cachePrivate', 'user', 'free', 'hwpoison', 'offline', 'remaining'] as const;

function cliRange(level: number, start: number, end: number): Record<string, number> {
  const out = execFileSync(process.execPath, [join(repoRoot, 'bin/vmsieve.js'), '--dry-run', '--json', '-d', String(level), '--range', `${start}-${end}`, dump!.vmcore], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as { pages: Record<string, number> }).pages;
}

async function expectLikeCli(page: Page, levels: { a: number; b: number }) {
  const start = Number(await page.getByTestId('range-start').inputValue());
  const end = Number(await page.getByTestId('range-end').inputValue());
  expect(end).toBeGreaterThan(start);
  for (const [side, level] of Object.entries(levels)) {
    const want = cliRange(level, start, end);
    for (const row of ROWS) await expect(page.getByTestId(`range-${side}-${row}`), `-d ${level} ${row}`).toHaveAttribute('data-pages', String(want[row]));
  }
  return { start, end };
}

test.describe('area selection', () => {
  test.skip(!!skip, skip ?? '');

  test(`on ${dump?.name}: shift-drag and typed pfns give --dry-run --range's counts at both levels`, async ({ browser }, info) => {
    test.setTimeout(180_000);
    const page = await openDumpPage(browser, info, dump!.vmcore);
    try {
      // Analysed first, so that both levels' zero pages are counted, as the CLI counts them.
      await page.getByTestId('analyse-button').click();
      await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
      const canvas = page.getByTestId('level-map-canvas');
      await expect(page.getByTestId('level-map')).toHaveAttribute('data-kept', /\d+/);
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      // Across several rows of cells: an area that spans several classes.
      await page.keyboard.down('Shift');
      await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 5 });
      await page.mouse.up();
      await page.keyboard.up('Shift');
      await expect(page.getByTestId('range-a-remaining')).toBeVisible();
      const dragged = await expectLikeCli(page, { a: 31, b: 1 });
      // The drag selected without panning the map.
      await expect(canvas).toHaveAttribute('data-start', '0');
      const kinds = await Promise.all(ROWS.slice(0, 5).map(async (r) => Number(await page.getByTestId(`range-b-${r}`).getAttribute('data-pages'))));
      expect(kinds.filter((n) => n > 0).length + Number(await page.getByTestId('range-a-cache').getAttribute('data-pages')) > 0, 'the area spans classes').toBe(true);

      // Typed, from the keyboard, at another pair of levels.
      await page.getByTestId('compare-level-b').selectOption('17');
      await page.getByTestId('range-start').fill(`0x${(dragged.end + 1).toString(16)}`);
      await page.getByTestId('range-end').fill(String(dragged.end + 5000));
      await page.getByTestId('range-end').press('Enter');
      await expect(page.getByTestId('range-start')).toHaveValue(`0x${(dragged.end + 1).toString(16)}`);
      await expectLikeCli(page, { a: 31, b: 17 });

      await page.getByTestId('range-start').fill('12');
      await page.getByTestId('range-end').fill('3');
      await page.getByTestId('range-apply').click();
      await expect(page.getByTestId('range-report').getByRole('alert')).toContainText('the first below the second');
    } finally {
      await closeDumpPage(page);
    }
  });
});
