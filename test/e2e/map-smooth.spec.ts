// The level maps stay smooth: zooming (buttons, keys, wheel), panning (keys, drag), selecting an area (shift-drag,
// whose totals are listed) and going back to all memory on a real 1 GiB dump leave no main-thread task over 50 ms
// (the Long Tasks API), and the zoom buttons say the scale.
import { expect, test } from '@playwright/test';
import { realFixtures, realFixturesSkipReason } from '../helpers/fixtures.js';
import { closeDumpPage, openDumpPage } from '../helpers/page-dump.js';

const skip = realFixturesSkipReason();
// The dump with the most page frames: its maps have the most to summarise.
const dump = realFixtures().sort((a, b) => b.oracle.counts_by_level['0'].original_pages - a.oracle.counts_by_level['0'].original_pages)[0];

test.describe('the level maps', () => {
  test.skip(!!skip, skip ?? '');

  test(`zoom, pan and select on ${dump?.name} without a long task`, async ({ browser }, info) => {
    const page = await openDumpPage(browser, info, dump!.vmcore);
    try {
      const a = page.getByTestId('level-map');
      await expect(a).toHaveAttribute('data-kept', /\d+/, { timeout: 60_000 });
      await expect(page.getByTestId('zoom-scale')).toContainText('all memory');
      await expect(page.getByTestId('zoom-out')).toBeDisabled();
      // A quiet page: the quick analysis that starts by itself on opening has ended (the first layout of its size
      // table, a one-off as the dump opens, is not what zooming and panning cost).
      await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'analysed', { timeout: 120_000 });
      await page.evaluate(() => {
        const w = window as unknown as { longTasks: number[] };
        w.longTasks = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
      });
      const canvas = page.getByTestId('level-map-canvas');
      const perCell = async () => Number(await canvas.getAttribute('data-per-cell'));
      for (let i = 0; i < 4; i++) {
        const before = await perCell();
        await page.getByTestId('zoom-in').click();
        await expect.poll(perCell).toBe(before / 2);
      }
      await expect(page.getByTestId('zoom-scale')).toContainText('×16');
      await canvas.focus();
      for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
      for (let i = 0; i < 3; i++) await page.keyboard.press('+');
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 4; i++) await page.mouse.wheel(0, i < 2 ? -100 : 100);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 4, box.y + box.height / 2, { steps: 10 });
      await page.mouse.up();
      await page.getByTestId('zoom-all').click();
      await expect(page.getByTestId('zoom-scale')).toContainText('all memory');
      // Two areas selected in turn, the second over most of memory: each lists its totals.
      for (const [from, to] of [[0.2, 0.4], [0.05, 0.95]] as const) {
        await page.keyboard.down('Shift');
        await page.mouse.move(box.x + box.width * from, box.y + box.height * from);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * to, box.y + box.height * to, { steps: 10 });
        await page.mouse.up();
        await page.keyboard.up('Shift');
        await expect(page.getByTestId('range-a-remaining')).toBeVisible();
      }
      await page.waitForTimeout(500);
      const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
      expect(longTasks.filter((d) => d > 50), `long tasks (ms): ${longTasks.join(', ')}`).toEqual([]);
    } finally {
      await closeDumpPage(page);
    }
  });
});
